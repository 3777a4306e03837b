#!/usr/bin/env bash
# Installs the system tools the tests use when a bare machine lacks them (run by `npm test`).
# The openssl CLI: the TLS check tests make a short-lived certificate with it. prometheus and
# prometheus-alertmanager (amtool): the alert tests run a real Prometheus against Tend's
# Alertmanager API and compare Tend's routing with `amtool config routes test`. chromium: the web
# UI's browser tests drive Debian's chromium with playwright-core (never a downloaded browser).
# clickhouse-server: tests start their own server from it in a temp folder (bench/clickhouse.ts).
# systemd (systemd-analyze): the test of deploy/tend.service verifies the unit file with it.
# postgresql-15: the metadata tests start their own PostgreSQL with its initdb and pg_ctl (test/support/postgres.ts).
set -euo pipefail
missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
[ -x "${TEND_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
[ -x /usr/sbin/clickhouse-server ] || [ -x /usr/bin/clickhouse ] || missing+=(clickhouse-server)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
[ -x "${TEND_PG_BIN:-/usr/lib/postgresql/15/bin}/initdb" ] || missing+=(postgresql-15)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} for the tests (apt-get)"
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
else
  echo "the tests need: ${missing[*]} (install it with your package manager)" >&2
  exit 1
fi
