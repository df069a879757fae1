#!/usr/bin/env bash
# Starts bouncedesk for the browser tests: a fresh SQLite database with a
# small demo data set, served from the workspace root (for target/site).
set -euo pipefail
port="${1:-3100}"
bin="${BOUNCEDESK_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/bouncedesk/target}/debug/bouncedesk}"
db_dir="end2end/output"
mkdir -p "$db_dir"
rm -f "$db_dir"/e2e.db "$db_dir"/e2e.db-*
url="sqlite://$db_dir/e2e.db"
"$bin" demo --database-url "$url" --campaigns 8 --contacts 4000 --seed 3
# One account per role, with the password the tests sign in with
# (end2end/tests/accounts.ts).
for role in admin marketer viewer; do
  echo "e2e password for $role" | "$bin" user add --role "$role" --password-stdin --database-url "$url" "$role@e2e.test"
done
exec "$bin" serve --no-demo --addr "127.0.0.1:$port" --database-url "$url" --site-root target/site
