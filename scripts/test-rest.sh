#!/usr/bin/env bash
# The rest of `npm test` after the Node 20 suite: the Node 24 leg (the newest wrangler) and the
# packed-tarball check, side by side. The check spends most of its time in npm's network and
# disk, the leg in wrangler; one after the other they would push CI past its ten minutes.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp "${TMPDIR:-/tmp}/shipline-pack-check-XXXXXX")
scripts/pack-check.sh >"$log" 2>&1 &
pack=$!
scripts/test-node24.sh
node24=$?
wait "$pack"
packed=$?
echo "--- npm pack check ---"
cat "$log"
rm -f "$log"
[ "$packed" -eq 0 ] || echo "the npm pack check failed (exit $packed)" >&2
[ "$node24" -eq 0 ] && [ "$packed" -eq 0 ]
