#!/usr/bin/env bash
# The binary to deploy: the release build, optimised with a profile of its
# own work (profile-guided optimisation, PGO). Reading a bounce is branchy
# code run over many small, different messages; with the profile the
# compiler lays the paths taken out together and the rest aside, which
# docs/performance.md measures ("Classifier": about 6 to 10 % of the whole
# `classify` process).
#
#   scripts/build-release.sh      (`make release`)
#
# 1. An instrumented build (its own target folder, so the shared one is not
#    rebuilt) does the work the profile is taken from: the repository's own
#    bounce fixtures (never the labelled corpus the benchmarks read), and
#    small runs of the server's benchmarks (the Errors tab, charts, import,
#    the HTTP server under load), so the web server's paths are not taken
#    for cold code.
# 2. llvm-profdata of the LLVM that rustc is built on (Debian's llvm-N,
#    installed when missing) merges the counts.
# 3. The final build uses them. The profile's digest is in the path given to
#    rustc, so a new profile rebuilds every crate (about as long as a first
#    release build) instead of leaving some on an old one.
#
# Prints the binary's path last. Where no matching llvm-profdata can be had,
# it says so and stops: `cargo build -p server --release` is the plain build.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
export LEPTOS_OUTPUT_NAME="${LEPTOS_OUTPUT_NAME:-bouncedesk}"

major="$(rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')"
profdata="/usr/lib/llvm-$major/bin/llvm-profdata"
if [ ! -x "$profdata" ]; then
    sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
    $sudo_ apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -q "llvm-$major" >/dev/null || true
fi
[ -x "$profdata" ] || {
    echo "no llvm-profdata for LLVM $major (rustc's): install llvm-$major, or build without PGO" >&2
    exit 2
}

work="$target/pgo"
raw="$work/raw"
rm -rf "$raw"
mkdir -p "$raw"
echo "1/3 instrumented build ($work/generate)"
CARGO_TARGET_DIR="$work/generate" RUSTFLAGS="-Cprofile-generate=$(realpath "$raw")" \
    cargo build -p server --release --locked
bin="$work/generate/release/bouncedesk"
# Build scripts ran instrumented too: only the binary's own work counts.
rm -rf "$raw"
mkdir -p "$raw"

echo "2/3 the work the profile is taken from"
train="$(mktemp -d)"
trap 'rm -rf "$train"' EXIT
# The fixtures ten times over, as one folder of files: the whole command
# (walking, reading, writing), not the reader alone.
for i in $(seq 1 10); do
    mkdir "$train/c$i"
    cp -r bounce/tests/fixtures/. "$train/c$i/"
done
"$bin" classify "$train" >/dev/null
"$bin" bench errors --events 20000 --runs 3 >/dev/null
"$bin" bench charts --events 20000 --runs 3 >/dev/null
"$bin" bench import --events 20000 --runs 3 >/dev/null
"$bin" bench load --scale 1 --seconds 2 --concurrency 4 >/dev/null
"$profdata" merge -o "$work/merged.profdata" "$raw"
digest="$(sha256sum "$work/merged.profdata" | cut -c1-16)"
profile="$(realpath "$work")/$digest.profdata"
mv "$work/merged.profdata" "$profile"

echo "3/3 optimised build ($work/use)"
CARGO_TARGET_DIR="$work/use" RUSTFLAGS="-Cprofile-use=$profile" \
    cargo build -p server --release --locked
find "$work" -maxdepth 1 -name '*.profdata' ! -name "$digest.profdata" -delete
echo "$work/use/release/bouncedesk"
