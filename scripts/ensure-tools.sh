#!/usr/bin/env bash
# Everything the tests run, installed or built if missing:
#  - Debian packages for what is not ours to pin (the user's databases: PostgreSQL and Redis);
#  - the pinned toolchain (stacks/versions.ts UPSTREAM: Prometheus, promtool, Alertmanager, amtool,
#    the exporters, Jaeger, Thanos, the control plane, the Pulumi CLI and kubernetes provider), built
#    from Go modules into the cache by toolchain/build.ts (arguments: its flags, e.g. `--phase unit`).
#    The first run on a new machine builds them all (docs/toolchain.md says how long); later runs
#    reuse it.
# Fails loudly when something cannot be had: tests never skip for lack of a tool.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql)
source scripts/go-path.sh

if [ ${#need[@]} -gt 0 ]; then
  echo "tools: missing ${need[*]}; installing Debian packages"
  if [ "$(id -u)" -ne 0 ]; then
    echo "tools: error: need root (or sudo) to apt-get install ${need[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  command -v redis-server >/dev/null 2>&1 || { echo "tools: error: redis-server still missing after install" >&2; exit 1; }
fi
echo "tools: Debian packages present"
npx tsx toolchain/build.ts "$@"
