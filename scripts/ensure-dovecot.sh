#!/usr/bin/env bash
# Prints an IMAP URL and a CA file for the mailbox tests, starting a private
# Dovecot when needed.
#
# - TEST_IMAP_URL set: used as it is (any server you point it at), with
#   TEST_IMAP_CA when set.
# - Otherwise a Dovecot of its own runs as the invoking user from
#   ${BOUNCEDESK_DOVECOT_STATE:-${TMPDIR:-/tmp}/bouncedesk-dovecot}: its own
#   configuration file (/etc/dovecot is not read), IMAPS (implicit TLS) on
#   127.0.0.1:${BOUNCEDESK_DOVECOT_PORT:-10993} only, a certificate signed by a
#   CA of its own (made with openssl, kept in the state folder), one user
#   `bounces` with the password `bounces-test` (a test server's password,
#   stored in plain text) and its mail in a Maildir under the state folder.
#   The dovecot-imapd package is installed first when Dovecot is missing.
#   Already running (something answers on the port and the pid file names a
#   live process), nothing is changed.
#
# stdout is two lines, nothing else:
#   imaps://bounces:bounces-test@127.0.0.1:10993
#   CA=/tmp/bouncedesk-dovecot/ca.pem
# Progress goes to stderr.
#
#   scripts/ensure-dovecot.sh --stop     stops the private instance
#   scripts/ensure-dovecot.sh --deliver FILE...
#       puts message files straight into the INBOX Maildir of `bounces`
#       (the tests APPEND over IMAP instead; this is for trying by hand)
set -euo pipefail

say() { echo "ensure-dovecot: $*" >&2; }

STATE=${BOUNCEDESK_DOVECOT_STATE:-${TMPDIR:-/tmp}/bouncedesk-dovecot}
PORT=${BOUNCEDESK_DOVECOT_PORT:-10993}
USER_NAME=bounces
PASSWORD=bounces-test
CONF="$STATE/dovecot.conf"
PIDFILE="$STATE/run/master.pid"

# Absolute, so the configuration does not depend on the working folder.
case "$STATE" in
  /*) ;;
  *) STATE="$PWD/$STATE"; CONF="$STATE/dovecot.conf"; PIDFILE="$STATE/run/master.pid" ;;
esac

running() {
  [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE" 2>/dev/null)" 2>/dev/null
}

answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

report() {
  echo "imaps://$USER_NAME:$PASSWORD@127.0.0.1:$PORT"
  echo "CA=$STATE/ca.pem"
}

case "${1:-}" in
  --stop)
    if running; then
      doveadm -c "$CONF" stop >&2 2>/dev/null || kill "$(cat "$PIDFILE")"
      say "stopped"
    else
      say "not running"
    fi
    exit 0
    ;;
  --deliver)
    shift
    inbox="$STATE/mail/$USER_NAME"
    [ -d "$inbox" ] || { say "no Maildir at $inbox: start the server first"; exit 1; }
    mkdir -p "$inbox/tmp" "$inbox/new" "$inbox/cur"
    n=0
    for file in "$@"; do
      # Maildir delivery: write into tmp/, then rename into new/.
      name="$(date +%s).$$_$n.$(hostname 2>/dev/null || echo localhost)"
      cp "$file" "$inbox/tmp/$name"
      chown --reference="$inbox" "$inbox/tmp/$name" 2>/dev/null || true
      mv "$inbox/tmp/$name" "$inbox/new/$name"
      n=$((n + 1))
    done
    say "$n message(s) delivered to the INBOX of $USER_NAME"
    exit 0
    ;;
  "") ;;
  *) say "unknown option $1 (use --stop or --deliver FILE...)"; exit 2 ;;
esac

if [ -n "${TEST_IMAP_URL:-}" ]; then
  echo "$TEST_IMAP_URL"
  echo "CA=${TEST_IMAP_CA:-}"
  exit 0
fi

if running && answers; then
  report
  exit 0
fi
if answers; then
  say "something else answers on 127.0.0.1:$PORT; set BOUNCEDESK_DOVECOT_PORT to another port"
  exit 1
fi

imapd_missing() {
  ! command -v dovecot >/dev/null 2>&1 && return 0
  # dovecot-core alone has no IMAP server.
  command -v dpkg-query >/dev/null 2>&1 &&
    ! dpkg-query -W -f='${Status}' dovecot-imapd 2>/dev/null | grep -q "ok installed"
}

if imapd_missing; then
  say "installing the dovecot-imapd package"
  apt-get update -qq >&2
  # The package's own service may be refused a start in containers; only
  # the binaries are used here.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >&2
fi

version=$(dovecot --version | awk '{print $1}')
case "$version" in
  2.3.*) ;;
  *) say "Dovecot $version: this script writes a Dovecot 2.3 configuration (Dovecot 2.4 changed its syntax)"; exit 1 ;;
esac

uid=$(id -u)
gid=$(id -g)
user=$(id -un)
group=$(id -gn)
if [ "$uid" = 0 ]; then
  # Dovecot never runs its login and internal processes as root, nor reads
  # mail as root: started by root, they take the package's users and the
  # mail is nobody's.
  mail_uid=$(id -u nobody)
  mail_gid=$(id -g nobody)
  internal_user=dovecot
  internal_group=dovecot
  login_user=dovenull
  services=""
else
  # Rootless: every process is the invoking user's, and none chroots.
  mail_uid=$uid
  mail_gid=$gid
  internal_user=$user
  internal_group=$group
  login_user=$user
  services="
service imap-login {
  chroot =
}
service imap {
  user = $user
}
service auth {
  user = $user
}
service auth-worker {
  user = $user
}
service anvil {
  chroot =
}
service stats {
  user = $user
}"
fi

mkdir -p "$STATE/run" "$STATE/lib" "$STATE/mail/$USER_NAME"
chmod 755 "$STATE"
chown -R "$mail_uid:$mail_gid" "$STATE/mail"
chmod 700 "$STATE/mail"

# A CA of its own and a server certificate it signed: rustls (webpki) does
# not accept a CA certificate as the server's own, so one self-signed
# certificate would not do. Kept across runs; the tests trust ca.pem.
if [ ! -s "$STATE/ca.pem" ] || [ ! -s "$STATE/server.pem" ] || [ ! -s "$STATE/server.key" ]; then
  say "making a CA and a certificate for localhost / 127.0.0.1 in $STATE"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$STATE/ca.key" -out "$STATE/ca.pem" -days 3650 \
    -subj "/CN=bouncedesk test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$STATE/server.key" -out "$STATE/server.csr" -subj "/CN=localhost" 2>/dev/null
  printf '%s\n' \
    "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth" \
    "subjectAltName=DNS:localhost,IP:127.0.0.1" >"$STATE/server.ext"
  openssl x509 -req -in "$STATE/server.csr" -CA "$STATE/ca.pem" -CAkey "$STATE/ca.key" \
    -set_serial "0x$(openssl rand -hex 8)" -days 3650 -extfile "$STATE/server.ext" \
    -out "$STATE/server.pem" 2>/dev/null
  rm -f "$STATE/server.csr" "$STATE/server.ext"
  chmod 600 "$STATE/ca.key" "$STATE/server.key"
fi

# user:password:uid:gid:gecos:home:shell:extra
printf '%s\n' "$USER_NAME:{PLAIN}$PASSWORD:$mail_uid:$mail_gid::$STATE/mail/$USER_NAME::" >"$STATE/users"
# Read by the auth process, which is not root.
chmod 644 "$STATE/users"

cat >"$CONF" <<EOF
# A private Dovecot for bouncedesk's tests, written by scripts/ensure-dovecot.sh.
# Started by $user; nothing of /etc/dovecot is read.
base_dir = $STATE/run
state_dir = $STATE/lib
instance_name = bouncedesk-dovecot
log_path = $STATE/dovecot.log
protocols = imap
listen = 127.0.0.1

default_internal_user = $internal_user
default_internal_group = $internal_group
default_login_user = $login_user

ssl = required
ssl_cert = <$STATE/server.pem
ssl_key = <$STATE/server.key
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain login

mail_location = maildir:$STATE/mail/%n
mail_uid = $mail_uid
mail_gid = $mail_gid
first_valid_uid = $mail_uid
last_valid_uid = $mail_uid
first_valid_gid = $mail_gid
last_valid_gid = $mail_gid

namespace inbox {
  inbox = yes
  separator = /
}

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $STATE/users
}
userdb {
  driver = passwd-file
  args = username_format=%n $STATE/users
}

protocol imap {
  # Both test backends and several connections each run at once.
  mail_max_userip_connections = 100
}

service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $PORT
    ssl = yes
  }
}
$services
EOF

say "starting Dovecot $version on 127.0.0.1:$PORT (state in $STATE)"
dovecot -c "$CONF" </dev/null >>"$STATE/dovecot.log" 2>&1 || { say "Dovecot did not start; see $STATE/dovecot.log"; tail -n 20 "$STATE/dovecot.log" >&2 || true; exit 1; }
for _ in $(seq 1 30); do
  answers && break
  sleep 0.2
done
answers || { say "Dovecot did not come up on 127.0.0.1:$PORT; see $STATE/dovecot.log"; tail -n 20 "$STATE/dovecot.log" >&2 || true; exit 1; }
report
