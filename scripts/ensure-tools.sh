#!/usr/bin/env bash
# Everything the tests run, installed or built if missing:
#  - Debian packages for what is not ours to pin (the user's databases: PostgreSQL and Redis);
#  - the pinned toolchain (stacks/versions.ts UPSTREAM: Prometheus, promtool, Alertmanager, amtool,
#    the exporters, Jaeger), built from Go modules into the cache by toolchain/build.ts. The first
#    run on a new machine builds them all (docs/toolchain.md says how long); later runs reuse it.
# Fails loudly when something cannot be had: tests never skip for lack of a tool.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql)
# Go's usual install directory, for shells that did not read a profile (CI runs `bash .ci/run`).
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; fi
command -v go >/dev/null 2>&1 || { echo "tools: error: the Go toolchain (>= 1.26) is needed to build the pinned programs" >&2; exit 1; }

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
