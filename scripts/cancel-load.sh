#!/usr/bin/env bash
# The cancellation end-to-end tests, N times in a row (default 10), each time with two
# CPU-bound processes loading both cores (a busy 2-core runner). Every run must pass.
# Needs a fresh build (npm run build). Usage: scripts/cancel-load.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
mkdir -p .cache
passed=0
for i in $(seq 1 "$runs"); do
  if SHIPLINE_CPU_HOGS=2 npx vitest run test/e2e/cancel.test.ts test/e2e/cancel-restore.test.ts --maxWorkers=1 >".cache/cancel-load-$i.log" 2>&1; then
    passed=$((passed + 1))
    echo "run $i: passed ($(grep -ho 'SIGINT → restore request and → exit, ms: .*' ".cache/cancel-load-$i.log" | head -1))"
  else
    echo "run $i: FAILED (see .cache/cancel-load-$i.log)"
  fi
done
echo "$passed passed, $((runs - passed)) failed"
[ "$passed" -eq "$runs" ]
