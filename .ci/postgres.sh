#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback for the tests, unless one is given.
# Source it: `. .ci/postgres.sh`; it exports BSC_TEST_POSTGRES_URL and stops the server when
# the calling shell exits. The server refuses to run as root, so it runs as `postgres` (or a
# system user made for it) in a temporary directory.
set -euo pipefail

if [ -z "${BSC_TEST_POSTGRES_URL:-}" ]; then
    pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$pgbin" ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    pguser=postgres
    if ! id -u "$pguser" >/dev/null 2>&1; then
        pguser=bscpg
        id -u "$pguser" >/dev/null 2>&1 || useradd --system --no-create-home "$pguser"
    fi
    pgdata=$(mktemp -d /tmp/bsc-pg.XXXXXX)
    chown "$pguser" "$pgdata"
    # A free port on loopback, chosen by the kernel.
    pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    runuser -u "$pguser" -- "$pgbin/initdb" -D "$pgdata/data" -U postgres --auth=trust \
        -E UTF8 --locale=C.UTF-8 >/dev/null
    runuser -u "$pguser" -- "$pgbin/pg_ctl" -D "$pgdata/data" -l "$pgdata/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $pgport -k $pgdata" start >/dev/null
    "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U postgres bsc_test
    export BSC_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$pgport/bsc_test"
    trap 'runuser -u "'"$pguser"'" -- "'"$pgbin"'/pg_ctl" -D "'"$pgdata"'/data" -m fast stop >/dev/null 2>&1; rm -rf "'"$pgdata"'"' EXIT
    echo "PostgreSQL for the tests: $BSC_TEST_POSTGRES_URL"
fi
