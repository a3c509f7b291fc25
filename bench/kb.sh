#!/usr/bin/env bash
# Knowledge-base benchmark (issue 10): a generated knowledge base of 10,000
# entries validates "in well under a second". Not a timed test; see
# bench/README.md ("Knowledge base").
#
#   bench/kb.sh [--entries N] [--files N] [--changed N] [--runs N] [--no-build]
#
# Measures, in a generated repository (bench/gen_kb.py) and in the same
# repository without the knowledge base (the baseline), the wall time and
# peak RSS of
#   docgate lint                                     (validate everything)
#   docgate check --base main --head feature         (the change edits the KB:
#                                                     validate it all, and list
#                                                     the patterns covering the
#                                                     changed files)
# and prints the medians and the knowledge base's share. Exit 0 when the
# knowledge base adds under 1 s to both; 1 when not; 2/3 setup or command error.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
ENTRIES=10000 FILES=2000 CHANGED=1000 RUNS=5 BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --entries) ENTRIES="$2"; shift 2 ;;
    --files) FILES="$2"; shift 2 ;;
    --changed) CHANGED="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "kb.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for v in ENTRIES FILES CHANGED RUNS; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "kb.sh: --${v,,} needs a number" >&2; exit 2; }
done
if [[ $BUILD -eq 1 ]]; then
  (cd "$ROOT" && cargo build --release --quiet) || { echo "kb.sh: build failed" >&2; exit 2; }
fi
DOCGATE="$ROOT/target/release/docgate"
[[ -x "$DOCGATE" ]] || { echo "kb.sh: no $DOCGATE (drop --no-build)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$BENCH/gen_kb.py" --out "$tmp/kb" --entries "$ENTRIES" --files "$FILES" --changed "$CHANGED"
python3 "$BENCH/gen_kb.py" --out "$tmp/nokb" --entries "$ENTRIES" --files "$FILES" --changed "$CHANGED" --no-kb

# docgate lint must be clean on the generated knowledge base (it is valid).
findings=$(cd "$tmp/kb" && "$DOCGATE" lint --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["findings"]))')
[[ "$findings" == 0 ]] || { echo "kb.sh: docgate lint found $findings findings in the generated knowledge base" >&2; exit 3; }

results="$tmp/results.jsonl"
for repo in kb nokb; do
  python3 "$BENCH/measure.py" run --label "lint $repo" --cwd "$tmp/$repo" --runs "$RUNS" --warmup 1 --ok 0,1 \
    -- "$DOCGATE" lint --format json --output /dev/null >>"$results"
  python3 "$BENCH/measure.py" run --label "check $repo" --cwd "$tmp/$repo" --runs "$RUNS" --warmup 1 --ok 0,1 \
    -- "$DOCGATE" check --base main --head feature --format json --output /dev/null >>"$results"
done

python3 - "$results" "$ENTRIES" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    rows[r["label"]] = (r["median_s"], r["max_rss_mb"])
print(f"\nknowledge base of {sys.argv[2]} entries: median wall time, peak RSS")
print(f"| command | with the KB | without | the KB's share |")
print(f"|---|---|---|---|")
ok = True
for cmd in ("lint", "check"):
    (w, m), (w0, m0) = rows[f"{cmd} kb"], rows[f"{cmd} nokb"]
    print(f"| `docgate {cmd}` | {w:.3f} s, {m:.0f} MB | {w0:.3f} s, {m0:.0f} MB | {w - w0:+.3f} s, {m - m0:+.0f} MB |")
    ok &= (w - w0) < 1.0
print("verdict:", "the knowledge base adds under 1 s" if ok else "MISS: the knowledge base adds 1 s or more")
sys.exit(0 if ok else 1)
PY
