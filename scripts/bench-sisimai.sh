#!/usr/bin/env bash
# Whole process, one run: `bouncedesk classify` against Sisimai (Debian's
# libsisimai-perl, installed when missing) over the same directory of files:
# the labelled corpus copied COPIES times into one flat folder.
#
#   scripts/bench-sisimai.sh [COPIES]     (default 10; docs/performance.md)
#
# Needs a release build (`cargo build -p server --release`) and the corpus
# (BOUNCEDESK_CORPUS, default ../shared/corpus). When `make release` has
# built the binary to deploy (profile-guided, scripts/build-release.sh), it
# is timed too, in the same runs.
set -euo pipefail
copies="${1:-10}"
corpus="${BOUNCEDESK_CORPUS:-../shared/corpus}/messages"
bin="${CARGO_TARGET_DIR:-target}/release/bouncedesk"
pgo="${CARGO_TARGET_DIR:-target}/pgo/use/release/bouncedesk"
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
# Wall time in milliseconds from the clock (time(1) rounds to 10 ms, a
# tenth of our whole run); CPU times and peak memory from time(1).
time_of() {
    local start end rest
    start="$(date +%s%N)"
    rest="$(/usr/bin/time -f "%U %S %M" "$@" 2>&1 >/dev/null | tail -1)"
    end="$(date +%s%N)"
    echo "$(( (end - start) / 1000000 )) $rest"
}
echo "$n files; Sisimai $sisimai_version (Perl $(perl -e 'print $^V')), bouncedesk $("$bin" --version | awk '{print $2}')"
if [ -x "$pgo" ]; then
    echo "| run | Sisimai wall ms | release wall ms | ratio | release + PGO wall ms | ratio | Sisimai user + sys s | release user + sys s | PGO user + sys s | peak KB (Sisimai / release / PGO) |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
else
    echo "| run | Sisimai wall ms | bouncedesk wall ms | ratio | Sisimai user + sys s | bouncedesk user + sys s | peak KB (Sisimai / bouncedesk) |"
    echo "|---|---|---|---|---|---|---|"
fi
ratio() { awk -v s="$1" -v b="$2" 'BEGIN { printf "%.0f", (b > 0 ? s / b : 0) }'; }
for run in 1 2 3; do
    read -r s_wall s_user s_sys s_peak < <(time_of perl -MSisimai -e \
        'my $d = Sisimai->dump($ARGV[0], delivered => 1, vacation => 1); print $d' "$dir")
    read -r b_wall b_user b_sys b_peak < <(time_of "$bin" classify "$dir")
    if [ -x "$pgo" ]; then
        read -r p_wall p_user p_sys p_peak < <(time_of "$pgo" classify "$dir")
        echo "| $run | $s_wall | $b_wall | $(ratio "$s_wall" "$b_wall") | $p_wall | $(ratio "$s_wall" "$p_wall") | $s_user + $s_sys | $b_user + $b_sys | $p_user + $p_sys | $s_peak / $b_peak / $p_peak |"
    else
        echo "| $run | $s_wall | $b_wall | $(ratio "$s_wall" "$b_wall") | $s_user + $s_sys | $b_user + $b_sys | $s_peak / $b_peak |"
    fi
done
