#!/usr/bin/env bash
# Fuzz docgate's parsers of untrusted input with cargo-fuzz (libFuzzer + ASan):
# every target for SECONDS, one after another, starting from the committed
# seeds (fuzz/seeds/<target>/) and the corpus earlier runs grew
# (fuzz/corpus/<target>/, not committed).
#
#   bash fuzz/run.sh SECONDS [TARGET...]     # all targets when none is named
#
# Prints one summary line per target. Exit 0: no target found anything;
# 1: a crash, panic, hang (-timeout) or out-of-memory (-rss_limit_mb) in at
# least one target (the input is in fuzz/artifacts/<target>/, the log in
# fuzz/logs/<target>.log); 2: bad usage, a missing tool or a build failure.
#
# Needs rustup with the nightly toolchain (rustup toolchain install nightly).
# Uses `cargo-fuzz` from PATH, else installs the pinned version into
# .cache/cargo-fuzz (reaches crates.io once).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2

fail() { echo "fuzz/run.sh: $*" >&2; exit 2; }

[ $# -ge 1 ] || fail "usage: bash fuzz/run.sh SECONDS [TARGET...]"
[[ $1 =~ ^[1-9][0-9]*$ ]] || fail "SECONDS must be a whole number of seconds above 0, not \`$1\`"
seconds=$1
shift

command -v rustup >/dev/null 2>&1 || fail "rustup is required: https://rustup.rs"
rustup run nightly cargo --version >/dev/null 2>&1 \
  || fail "the nightly toolchain is required: rustup toolchain install nightly"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  tools="$PWD/.cache/cargo-fuzz"
  if ! "$tools/bin/cargo-fuzz" --version 2>/dev/null | grep -qx "cargo-fuzz $CARGO_FUZZ_VERSION"; then
    echo "== installing cargo-fuzz $CARGO_FUZZ_VERSION into $tools"
    cargo install --quiet --locked --root "$tools" --version "$CARGO_FUZZ_VERSION" cargo-fuzz \
      || fail "cargo install cargo-fuzz $CARGO_FUZZ_VERSION failed"
  fi
  export PATH="$tools/bin:$PATH"
fi

all=$(cargo +nightly fuzz list) || fail "cargo fuzz list failed"
if [ $# -eq 0 ]; then
  # shellcheck disable=SC2086 # one target name a line
  set -- $all
fi
for t in "$@"; do
  grep -qx -- "$t" <<<"$all" || fail "no fuzz target \`$t\`; the targets are: $(tr '\n' ' ' <<<"$all")"
done

# Build once, then run the binaries: `cargo fuzz run` would rebuild before
# each target whenever src/ changed in between, so the targets of one run
# could test different code.
triple=$(rustup run nightly rustc -vV | sed -n 's/^host: //p')
echo "== building the fuzz targets (nightly, ASan, $triple)"
cargo +nightly fuzz build --target "$triple" --target-dir fuzz/target \
  || fail "cargo fuzz build failed"
bin="fuzz/target/$triple/release"

mkdir -p fuzz/logs
summary=()
failed=0
for t in "$@"; do
  corpus="$PWD/fuzz/corpus/$t"
  seeds="$PWD/fuzz/seeds/$t"
  log="fuzz/logs/$t.log"
  mkdir -p "$corpus" "fuzz/artifacts/$t"
  [ -d "$seeds" ] || fail "no seeds for $t: add fuzz/seeds/$t/"
  echo "== fuzzing $t for ${seconds}s (log: $log)"
  set +e
  "$bin/$t" -artifact_prefix="fuzz/artifacts/$t/" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    "$corpus" "$seeds" >"$log" 2>&1
  rc=$?
  set -e
  status=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  field() { sed -n "s/.* $1: \([^ ]*\).*/\1/p" <<<"$status"; }
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
  files=$(find "$corpus" -type f | wc -l)
  line=$(printf '%-12s %ss execs=%s cov=%s ft=%s corp=%s corpus_files=%s' \
    "$t" "${secs:-?}" "${execs:-?}" "$(field cov)" "$(field ft)" "$(field corp)" "$files")
  if [ "$rc" -eq 0 ]; then
    summary+=("ok     $line")
  else
    failed=1
    what=$(grep -m1 -oE 'ERROR: libFuzzer: [a-z-]+|ERROR: AddressSanitizer: [a-z-]+|panicked at [^ ]+' "$log" || echo "exit $rc")
    if [[ $what == panicked* ]]; then
      what="$what $(sed -n '/panicked at/{n;p;q}' "$log" | cut -c1-200)"
    fi
    input=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -n 1)
    summary+=("FAILED $line: $what; input ${input:-?}; log $log")
  fi
done

echo "== fuzz summary (${seconds}s a target)"
printf 'fuzz: %s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "fuzz/run.sh: a target failed; reproduce with: cargo +nightly fuzz run <target> <input>," \
    "minimize with: cargo +nightly fuzz tmin <target> <input>" >&2
  exit 1
fi
