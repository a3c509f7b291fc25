#!/usr/bin/env bash
# Starts the GitHub mock in the foreground: Prism serving the cut of GitHub's
# REST description, on 127.0.0.1:PORT.
#
#   scripts/prism/start.sh PORT [SPEC]
#
# SPEC is where the cut (with the {{BASE}} placeholder) is kept, by default
# target/prism/github-cut.json; it is (re)made by cut-spec.mjs when missing or
# older than cut-spec.mjs or package-lock.json. The spec Prism serves is that
# cut with {{BASE}} replaced by http://127.0.0.1:PORT, written beside it as
# github-cut.PORT.json.
#
# Prism flags, and why:
#   mock            static mode: answers with the description's own examples,
#                   the same bytes every time (no -d/--dynamic, no faker).
#   -h 127.0.0.1    loopback only.
#   --cors=false    no Access-Control-* headers GitHub would not send.
#   no --errors     requests are validated in every case: an invalid one gets
#                   422 (the operation's 422 example when it has one, otherwise
#                   a problem+json) plus an `sl-violations` header. --errors
#                   only turns violations of the *response* into 500s, and
#                   GitHub's own example for GET /pulls/{n} fails its schema.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

die() { echo "scripts/prism/start.sh: $*" >&2; exit 1; }

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: scripts/prism/start.sh PORT [SPEC]"
port="$1"
[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "PORT must be a number in 1..65535, not '$port'"
spec="${2:-$root/target/prism/github-cut.json}"

command -v node >/dev/null 2>&1 || die "node is required (Node.js 20 or later; Debian: apt-get install nodejs npm)"
prism="$here/node_modules/@stoplight/prism-cli/dist/index.js"
[ -f "$prism" ] && [ -d "$here/node_modules/@octokit/openapi" ] \
  || die "Prism is not installed: run \`npm ci --prefix scripts/prism\` (or scripts/test-deps.sh)"

mkdir -p "$(dirname "$spec")"
if [ ! -s "$spec" ] || [ "$here/cut-spec.mjs" -nt "$spec" ] || [ "$here/package-lock.json" -nt "$spec" ]; then
  node "$here/cut-spec.mjs" "$spec"
fi
served="${spec%.json}.$port.json"
tmp="$served.$$.tmp"
sed "s#{{BASE}}#http://127.0.0.1:$port#g" "$spec" > "$tmp"
mv -f "$tmp" "$served"

exec node "$prism" mock -h 127.0.0.1 -p "$port" --cors=false "$served"
