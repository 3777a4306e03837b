#!/usr/bin/env bash
# Runs the whole test suite again on each other supported Node major (run by `npm test` after the
# suite has passed on the machine's own Node). Each Node comes from the npm registry's `node`
# package, so a bare machine needs nothing else; servers the tests start inherit that Node
# through process.execPath. TEND_TEST_NODES overrides the list ("" skips this step).
set -euo pipefail
cd "$(dirname "$0")/.."
versions="${TEND_TEST_NODES-22 24}"
for major in $versions; do
  echo "== tests on Node ${major} =="
  npx -y -p "node@${major}" node --version
  npx -y -p "node@${major}" node node_modules/vitest/vitest.mjs run
done
