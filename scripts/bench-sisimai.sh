#!/usr/bin/env bash
# Whole process, one run: `bouncedesk classify` against Sisimai (Debian's
# libsisimai-perl, installed when missing) over the same directory of files:
# the labelled corpus copied COPIES times into one flat folder.
#
#   scripts/bench-sisimai.sh [COPIES]     (default 10; docs/performance.md)
#
# Needs a release build (`cargo build -p server --release`) and the corpus
# (BOUNCEDESK_CORPUS, default ../shared/corpus).
set -euo pipefail
copies="${1:-10}"
corpus="${BOUNCEDESK_CORPUS:-../shared/corpus}/messages"
bin="${CARGO_TARGET_DIR:-target}/release/bouncedesk"
[ -d "$corpus" ] || { echo "no corpus at $corpus (set BOUNCEDESK_CORPUS)" >&2; exit 2; }
[ -x "$bin" ] || { echo "no release build at $bin (cargo build -p server --release)" >&2; exit 2; }
if ! perl -MSisimai -e 1 2>/dev/null; then
    sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -q libsisimai-perl >/dev/null
fi
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
n=0
for _ in $(seq 1 "$copies"); do
    while IFS= read -r -d '' f; do
        n=$((n + 1))
        cp "$f" "$dir/m$n.eml"
    done < <(find "$corpus" -type f -print0 | sort -z)
done
sisimai_version="$(perl -MSisimai -e 'print $Sisimai::VERSION')"
# Both read every file, classify it and print a JSON record per recipient.
time_of() { /usr/bin/time -f "%e %U %S %M" "$@" 2>&1 >/dev/null | tail -1; }
echo "$n files; Sisimai $sisimai_version (Perl $(perl -e 'print $^V')), bouncedesk $("$bin" --version | awk '{print $2}')"
echo "| run | tool | wall s | user s | sys s | peak KB | messages/s (wall) |"
echo "|---|---|---|---|---|---|---|"
for run in 1 2 3; do
    for tool in sisimai bouncedesk; do
        if [ "$tool" = sisimai ]; then
            read -r wall user sys peak < <(time_of perl -MSisimai -e \
                'my $d = Sisimai->dump($ARGV[0], delivered => 1, vacation => 1); print $d' "$dir")
        else
            read -r wall user sys peak < <(time_of "$bin" classify "$dir")
        fi
        rate="$(awk -v n="$n" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }')"
        echo "| $run | $tool | $wall | $user | $sys | $peak | $rate |"
    done
done
