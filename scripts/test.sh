#!/usr/bin/env bash
# The whole test suite, as README and CI run it: types, unit tests (including the promtool and
# amtool checks), the golden-file check of generated/, and the live tests.
#
# On a new machine most of the time is the pinned toolchain's first build (docs/toolchain.md), and
# most of the tests leave a core idle. So the programs only later tests need are built in the
# background at the lowest CPU priority while the earlier tests run, each group waited for before
# the first tests that run it (stacks/versions.ts `phase`):
#   unit     built in the foreground: the unit tests run promtool, amtool and the exporters
#   stack    Jaeger and Thanos: every live test but the one below
#   cluster  etcd, Kubernetes, kwok, the Pulumi CLI and the kubernetes provider:
#            test/live/kubernetes.test.ts
# The background builder starts first, so it also has the core the foreground build leaves idle.
# With a warm cache every build is a stamp check and nothing waits.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci --no-audit --no-fund
reports=.tmp/test-reports
rm -rf "$reports" && mkdir -p "$reports"

# The live tests that need the `cluster` programs; every other live test runs in the first group.
CLUSTER_TESTS=(test/live/kubernetes.test.ts)

source scripts/go-path.sh
builds="$reports/background-builds.log"
# In a session of its own, so that stopping it (on exit) stops its go commands too.
setsid bash -c "nice -n 19 npx tsx toolchain/build.ts --phase stack && touch '$reports/stack.built' &&
  nice -n 19 npx tsx toolchain/build.ts --phase cluster && touch '$reports/cluster.built'" >"$builds" 2>&1 </dev/null &
builder=$!
trap 'kill -- "-$builder" 2>/dev/null || true' EXIT
echo "== building the live tests' programs in the background (log: $builds)"
bash scripts/ensure-tools.sh --phase unit

# Waits until the background builder has built a phase (printing its log so far); fails, with its
# log, when it stopped without.
printed=0
wait_for_phase() {
  local started=$SECONDS
  while [ ! -f "$reports/$1.built" ]; do
    if ! kill -0 "$builder" 2>/dev/null && [ ! -f "$reports/$1.built" ]; then
      echo "tools: the background build of the $1 programs failed:" >&2
      cat "$builds" >&2
      exit 1
    fi
    sleep 5
  done
  echo "== $1 programs ready (waited $((SECONDS - started)) s)"
  tail -n "+$((printed + 1))" "$builds"
  printed=$(wc -l <"$builds")
}

echo "== typecheck"; npx tsc --noEmit -p .
echo "== render --check"; npx tsx cli/render.ts --check
status=0
echo "== unit tests"
npx vitest run --reporter=default --reporter=json --outputFile.json="$reports/unit.json" || status=1
suites=("$reports/unit.json")

echo "== live tests"
wait_for_phase stack
excludes=()
for t in "${CLUSTER_TESTS[@]}"; do excludes+=(--exclude "$t"); done
npx vitest run --config vitest.live.config.mts "${excludes[@]}" --reporter=default --reporter=json --outputFile.json="$reports/live.json" || status=1
wait_for_phase cluster
npx vitest run --config vitest.live.config.mts "${CLUSTER_TESTS[@]}" --reporter=default --reporter=json --outputFile.json="$reports/live-cluster.json" || status=1
suites+=("$reports/live.json" "$reports/live-cluster.json")
npx tsx scripts/testSummary.ts "${suites[@]}" || status=1
exit $status
