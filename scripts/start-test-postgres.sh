#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for a test run and prints its URL.
# usage: start-test-postgres.sh [DIR] [PORT]   (defaults: /tmp/locker-test-pg, 55432)
# PostgreSQL refuses to run as root, so the cluster belongs to the `postgres` system user.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
dir=${1:-/tmp/locker-test-pg}
port=${2:-55432}
run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
if [ -f "$dir/postmaster.pid" ]; then
  run "$bin/pg_ctl -D $dir -m immediate stop" >/dev/null 2>&1 || true
fi
rm -rf "$dir"
mkdir -p "$dir"
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
run "$bin/initdb -D $dir -A trust -U locker" >/dev/null
run "$bin/pg_ctl -D $dir -o '-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off' -l $dir/log -w start" >/dev/null
echo "postgres://locker@127.0.0.1:$port/postgres"
