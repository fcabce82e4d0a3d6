#!/usr/bin/env bash
# `npm test`: the format check, the build, then the whole suite on this Node with the pinned
# wrangler and, beside it, the rest (scripts/test-rest.sh: the Node 24 leg with the newest
# wrangler and the packed-tarball check). Node 24 and the newest wrangler are installed in the
# background from the start (npm's network and disk); the rest starts once they are there and
# the build is done, with one test worker of its own: the Node 20 suite's two workers leave
# about a sixth of two cores idle (waits on gates, approvals, analysis windows), and one after
# the other the two legs would push CI past its ten minutes.
set -uo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/shipline-test-all-XXXXXX")
trap 'rm -rf "$work"' EXIT
(
  scripts/test-node24.sh --install-only >"$work/install.log" 2>&1
  echo $? >"$work/installed"
) &
npm run format:check && npm run build || exit $?
(
  while [ ! -f "$work/installed" ]; do sleep 1; done
  installed=$(cat "$work/installed")
  if [ "$installed" -ne 0 ]; then
    cat "$work/install.log"
    echo "installing Node 24 and the newest wrangler failed (exit $installed)"
    exit "$installed"
  fi
  SHIPLINE_TEST_WORKERS=1 scripts/test-rest.sh
) >"$work/rest.log" 2>&1 &
rest=$!
# The demo test checks the demo the pack check runs from the packed tarball (scripts/pack-check.sh).
npx vitest run --exclude test/cli/demo.test.ts
suite=$?
wait "$rest"
rested=$?
echo "--- Node 24 leg and npm pack check ---"
cat "$work/rest.log"
[ "$suite" -eq 0 ] || exit "$suite"
exit "$rested"
