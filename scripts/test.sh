#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit and integration tests on real
# git repositories, then docgate gating its own repository.
# This is the README's test command and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "scripts/test.sh: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || fail "$1 is required but not installed: $2"; }

need git "install git (Debian: apt-get install git)"
need cargo "install Rust with rustup (https://rustup.rs)"

echo "== test dependencies (Prism for the GitHub contract tests, check-jsonschema)"
bash scripts/test-deps.sh
export PATH="$PWD/.cache/venv/bin:$PATH"
echo "== action.yml, example workflows and Dockerfile linters"
bash scripts/lint-action.sh
echo "== cargo fmt --check"
cargo fmt --check
echo "== cargo clippy"
cargo clippy --all-targets --locked -- -D warnings
echo "== cargo deny (licenses, bans, sources; advisories need github.com: see the README's release checklist)"
cargo deny --locked check licenses bans sources
echo "== cargo test"
cargo test --locked
echo "== docgate on itself"
# The debug binary cargo test just built for the integration tests: a release
# build would double the suite's time on 2 cores and checks nothing more, and
# `cargo build` would compile the dependencies again with the non-test
# feature set (about 3 minutes here).
[ -x ./target/debug/docgate ] || fail "cargo test did not leave target/debug/docgate"
./target/debug/docgate lint
# The last commit must keep its runbooks in step (documentation update is part
# of the fix). DOCGATE_SELF_BASE widens the range, e.g. to a branch point.
base="${DOCGATE_SELF_BASE:-HEAD~1}"
if git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
  ./target/debug/docgate check --base "$base"
else
  fail "cannot self-check: $base does not exist (a clone with a single commit?); set DOCGATE_SELF_BASE"
fi
echo "== all tests passed"
