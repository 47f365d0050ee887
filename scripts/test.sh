#!/usr/bin/env bash
# The whole test suite, as README and CI run it: types, unit tests (including the promtool and
# amtool checks), the golden-file check of generated/, and the live stack test.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/ensure-tools.sh
reports=.tmp/test-reports
rm -rf "$reports" && mkdir -p "$reports"

echo "== typecheck"; npx tsc --noEmit -p .
echo "== render --check"; npx tsx cli/render.ts --check
status=0
echo "== unit tests"
npx vitest run --reporter=default --reporter=json --outputFile.json="$reports/unit.json" || status=1
suites=("$reports/unit.json")
if [ -f vitest.live.config.mts ]; then
  echo "== live tests"
  npx vitest run --config vitest.live.config.mts --reporter=default --reporter=json --outputFile.json="$reports/live.json" || status=1
  suites+=("$reports/live.json")
fi
npx tsx scripts/testSummary.ts "${suites[@]}" || status=1
exit $status
