#!/usr/bin/env bash
# Runs tests again on each other supported Node major (run by `npm test` after the whole suite has
# passed on the machine's own Node). Each Node comes from the npm registry's `node` package, so a
# bare machine needs nothing else; servers the tests start inherit that Node through
# process.execPath. TEND_TEST_NODES overrides the list ("" skips this step).
#
# On the other majors the run covers what differs between Node releases: every unit test under
# src/ (DuckDB's native binding, crypto, zlib, streams) and the end-to-end files that lean on the
# runtime (HTTP/1.1 and gRPC servers, body decoders and their limits, memory under a flood, stops
# and restarts, TLS). The rest (web pages, CLI, alert routing, ownership...) is the same
# JavaScript on any major and runs once, which keeps `npm test` under 20 minutes.
# TEND_OTHER_NODES_ALL=1 runs the whole suite on every major.
set -euo pipefail
cd "$(dirname "$0")/.."
versions="${TEND_TEST_NODES-22 24}"
runtime_tests=(
  src/
  test/close-keep-alive.test.ts test/decompression-bombs.test.ts test/durability.test.ts
  test/honeycomb-api.test.ts test/libhoney.test.ts test/otlp-grpc.test.ts test/otlp-http.test.ts
  test/otlp-sdk.test.ts test/overload.test.ts test/restart.test.ts test/slow-bodies.test.ts
  test/auth-tls.test.ts test/alerts-email-tls.test.ts test/query-api.test.ts test/meta-store.test.ts
)
if [[ "${TEND_OTHER_NODES_ALL:-}" == 1 ]]; then runtime_tests=(); fi
for major in $versions; do
  echo "== tests on Node ${major} =="
  npx -y -p "node@${major}" node --version
  npx -y -p "node@${major}" node node_modules/vitest/vitest.mjs run "${runtime_tests[@]}"
done
