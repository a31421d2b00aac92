#!/usr/bin/env bash
# Installs what the build and the tests need and is missing: Debian's libyaml, hiredis, SQLite
# (libsqlite3-dev, for FlowcraftSQLite), OpenSSL (libssl-dev for the TLS transport, the openssl command
# for the certificates the TLS tests make),
# redis-server (built with TLS) and redis-sentinel, and the pinned Python bullmq package used by the
# interoperability tests, and Debian's chromium for the dashboard's headless-browser tests. The tests
# start their own TLS server, replica and sentinels on free ports.
set -euo pipefail
need=()
dpkg -s libyaml-dev >/dev/null 2>&1 || need+=(libyaml-dev)
dpkg -s libhiredis-dev >/dev/null 2>&1 || need+=(libhiredis-dev)
dpkg -s libssl-dev >/dev/null 2>&1 || need+=(libssl-dev)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need+=(libsqlite3-dev)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v redis-sentinel >/dev/null 2>&1 || need+=(redis-sentinel)
# The main job (run-example.sh) needs no browser: FLOWCRAFT_SKIP_BROWSER=1.
if [ "${FLOWCRAFT_SKIP_BROWSER:-}" != "1" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi
if [ "${#need[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  # The Debian packages start system-wide servers on 6379 and 26379; the tests run their own.
  if command -v systemctl >/dev/null 2>&1; then
    $sudo systemctl stop redis-server redis-sentinel >/dev/null 2>&1 || true
  fi
fi
if [ "${FLOWCRAFT_SKIP_PYTHON:-}" != "1" ]; then
  python3 -c 'import bullmq, sys; sys.exit(0 if bullmq.__version__ == "3.4.4" else 1)' >/dev/null 2>&1 \
    || python3 -m pip install -q --disable-pip-version-check "bullmq==3.4.4" >&2
fi
