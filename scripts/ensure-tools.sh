#!/usr/bin/env bash
# Installs the real Prometheus-side tools the tests use (Debian packages), if any is missing.
# Fails loudly when they cannot be installed: tests never skip for lack of a tool.
set -euo pipefail

need=()
for bin in promtool amtool prometheus prometheus-alertmanager prometheus-postgres-exporter prometheus-redis-exporter prometheus-node-exporter redis-server; do
  command -v "$bin" >/dev/null 2>&1 || need+=("$bin")
done
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql)

if [ ${#need[@]} -eq 0 ]; then
  echo "tools: all present"
  exit 0
fi
echo "tools: missing ${need[*]}; installing Debian packages"
if [ "$(id -u)" -ne 0 ]; then
  echo "tools: error: need root (or sudo) to apt-get install the missing tools" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  prometheus prometheus-alertmanager prometheus-postgres-exporter prometheus-redis-exporter \
  prometheus-node-exporter postgresql redis-server >/dev/null
for bin in promtool amtool prometheus prometheus-alertmanager redis-server; do
  command -v "$bin" >/dev/null 2>&1 || { echo "tools: error: $bin still missing after install" >&2; exit 1; }
done
echo "tools: installed"
