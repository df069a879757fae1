#!/usr/bin/env bash
# Prints a PostgreSQL URL for the test suite, starting a local server when needed.
#
# - TEST_DATABASE_URL set: used as it is (any server you point it at).
# - Otherwise, when nothing answers on 127.0.0.1:5432, the Debian cluster is
#   started (the postgresql package is installed first when it is missing),
#   and a role and database `bouncedesk_test` are created.
# Progress goes to stderr; stdout is only the URL.
set -euo pipefail

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "$TEST_DATABASE_URL"
  exit 0
fi

say() { echo "ensure-postgres: $*" >&2; }
as_postgres() { (cd / && runuser -u postgres -- "$@"); }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  say "installing the postgresql package"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  version=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1{print $1}')
  cluster=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1{print $2}')
  if [ -z "$version" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    cluster=main
    say "creating cluster $version/$cluster"
    pg_createcluster "$version" "$cluster" >&2
  fi
  say "starting PostgreSQL $version/$cluster"
  pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start >&2 || true
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
  done
  pg_isready -q -h 127.0.0.1 -p 5432 || { say "PostgreSQL did not come up on 127.0.0.1:5432"; exit 1; }
fi

if [ "$(as_postgres psql -tAc "SELECT 1 FROM pg_roles WHERE rolname='bouncedesk_test'")" != "1" ]; then
  say "creating role bouncedesk_test"
  as_postgres psql -q -c "CREATE ROLE bouncedesk_test LOGIN PASSWORD 'bouncedesk_test' CREATEDB" >&2
fi
if [ "$(as_postgres psql -tAc "SELECT 1 FROM pg_database WHERE datname='bouncedesk_test'")" != "1" ]; then
  say "creating database bouncedesk_test"
  as_postgres createdb -O bouncedesk_test bouncedesk_test >&2
fi
echo "postgres://bouncedesk_test:bouncedesk_test@127.0.0.1:5432/bouncedesk_test"
