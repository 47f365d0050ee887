#!/usr/bin/env bash
# The whole test suite, as README and CI run it: types, unit tests (including the promtool and
# amtool checks), the golden-file check of generated/, and the live stack test.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci
bash scripts/ensure-tools.sh
echo "== typecheck"; npx tsc --noEmit -p .
echo "== render --check"; npx tsx cli/render.ts --check
echo "== unit tests"; npx vitest run
if [ -f vitest.live.config.mts ]; then
  echo "== live tests"; npx vitest run --config vitest.live.config.mts
fi
