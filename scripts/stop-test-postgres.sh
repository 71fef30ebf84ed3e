#!/usr/bin/env bash
# Stops a throwaway PostgreSQL cluster started by start-test-postgres.sh and removes it.
# usage: stop-test-postgres.sh [DIR]
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
dir=${1:-/tmp/locker-test-pg}
run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
if [ -f "$dir/postmaster.pid" ]; then run "$bin/pg_ctl -D $dir -m immediate stop" >/dev/null 2>&1 || true; fi
rm -rf "$dir"
