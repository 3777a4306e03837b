#!/usr/bin/env bash
# Installs the system tools the tests use when a bare machine lacks them (run by `npm test`).
# Only the openssl CLI is needed: the TLS check tests make a short-lived certificate with it.
set -euo pipefail
missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} for the tests (apt-get)"
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
else
  echo "the tests need: ${missing[*]} (install it with your package manager)" >&2
  exit 1
fi
