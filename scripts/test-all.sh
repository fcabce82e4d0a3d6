#!/usr/bin/env bash
# `npm test`: the format check, the build, the whole suite on this Node with the pinned
# wrangler, then the rest (scripts/test-rest.sh: the Node 24 leg with the newest wrangler and
# the packed-tarball check, whose demo the demo test checks). Node 24 and the newest wrangler
# are installed in the background meanwhile: that is npm's network and disk, and would otherwise
# add its time to CI's. (Running the Node 24 leg beside the Node 20 suite was tried: the two
# cores are busy enough that CI took 693 s instead of 656 s.)
set -uo pipefail
cd "$(dirname "$0")/.."
# Node 20 has no compile cache for wrangler's 13 MB bundle (Node 24, where the action runs, has
# NODE_COMPILE_CACHE, which shipline sets): the suite, and the processes it starts, preload
# test/support/compile-cache.cjs, which gives Node 20 the same (about a third of each wrangler
# start's CPU). From Node 22 on the file does nothing.
export SHIPLINE_TEST_PRELOAD="$PWD/test/support/compile-cache.cjs"
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--require \"$SHIPLINE_TEST_PRELOAD\""
log=$(mktemp "${TMPDIR:-/tmp}/shipline-node24-install-XXXXXX")
scripts/test-node24.sh --install-only >"$log" 2>&1 &
install=$!
# The format check (Prettier parsing every TypeScript file, ~15 s) runs beside the build.
# The demo test checks the demo the pack check runs from the packed tarball (scripts/pack-check.sh).
formatted=$(mktemp "${TMPDIR:-/tmp}/shipline-format-XXXXXX")
npm run format:check >"$formatted" 2>&1 &
format=$!
npm run build
built=$?
wait "$format"
format_status=$?
cat "$formatted"
rm -f "$formatted"
if [ "$format_status" -ne 0 ]; then
  suite=$format_status
elif [ "$built" -ne 0 ]; then
  suite=$built
else
  npx vitest run --exclude test/cli/demo.test.ts
  suite=$?
fi
wait "$install"
installed=$?
if [ "$installed" -ne 0 ]; then
  cat "$log" >&2
  echo "installing Node 24 and the newest wrangler failed (exit $installed)" >&2
fi
rm -f "$log"
[ "$suite" -eq 0 ] || exit "$suite"
[ "$installed" -eq 0 ] || exit "$installed"
scripts/test-rest.sh
