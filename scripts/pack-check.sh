#!/usr/bin/env bash
# Proves the published package works outside this repository: `npm pack`, install the tarball
# into an empty folder, then run `npx shipline --version`, `npx shipline check` against a local
# server, `npx shipline demo` without miniflare (it must say how to get it), and the demo again
# with miniflare and wrangler installed beside it, as the README tells users to, checked by
# test/cli/demo.test.ts. Expects lib/ to be built (npm test builds first).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/shipline-pack-XXXXXX")
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
npm pack --silent --ignore-scripts --pack-destination "$work" >/dev/null
tarball=$(ls "$work"/shipline-*.tgz)
mkdir "$work/app"
cd "$work/app"
echo '{ "name": "pack-check", "private": true }' >package.json
npm install --no-audit --no-fund --prefer-offline "$tarball" >/dev/null
version=$(npx shipline --version)
[ "$version" = "$(node -p "require('$root/package.json').version")" ] || { echo "npx shipline --version printed '$version'" >&2; exit 1; }

port_file="$work/port"
node -e 'const s = require("http").createServer((q, r) => r.end("ok")).listen(0, "127.0.0.1", () => require("fs").writeFileSync(process.argv[1], String(s.address().port)))' "$port_file" &
server=$!
for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
npx shipline check "http://127.0.0.1:$(cat "$port_file")/" --health-count 2 --health-interval 200ms --version-header "" >"$work/check.out"
grep -q "passed: 2 measurements" "$work/check.out" || { cat "$work/check.out" >&2; exit 1; }

if npx shipline demo >"$work/demo.out" 2>&1; then
  echo "shipline demo ran without miniflare installed" >&2
  exit 1
fi
grep -q "npm install --save-dev miniflare@4" "$work/demo.out" || { cat "$work/demo.out" >&2; exit 1; }

miniflare=$(node -p "require('$root/package.json').devDependencies.miniflare")
wrangler=$(node -p "require('$root/package.json').devDependencies.wrangler")
npm install --no-audit --no-fund --prefer-offline "miniflare@$miniflare" "wrangler@$wrangler" >/dev/null
# The demo from the tarball is the one the demo test checks (test/cli/demo.test.ts, handed this
# run's output): `npm test` runs the demo once, as a user who installed shipline runs it.
mkdir "$work/demo"
set +e
timeout 180 npx shipline demo --json >"$work/demo/stdout" 2>"$work/demo/stderr"
echo $? >"$work/demo/exit"
set -e
(cd "$root" && SHIPLINE_DEMO_RUN="$work/demo" npx vitest run test/cli/demo.test.ts) || { cat "$work/demo/stderr" >&2; exit 1; }
echo "npm pack: installs into an empty folder; shipline --version, check and demo run and pass the demo test ($(du -sh "$tarball" | cut -f1) tarball)."
