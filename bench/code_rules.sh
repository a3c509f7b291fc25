#!/usr/bin/env bash
# Code-rules benchmark (issue 11): the code rules (SPEC §6) on real Python
# and on a generated 20,000-module import graph. Not a timed test; see
# bench/README.md ("Code rules") and bench/RESULTS.md.
#
#   bench/code_rules.sh [--runs N] [--modules N] [--large N] [--no-build] [--no-real] [--no-generated]
#
# (a) real code: this machine's CPython standard library plus numpy and pandas
#     from .cache/venv (scripts/test-deps.sh installs them), every file under
#     both rules (bench/gen_pymodules.py real, the config of
#     tests/it/real_code.rs): `docgate lint`, time, peak RSS and the counts
#     (files, findings per rule and corpus, parse errors, suppressed).
# (b) generated: --modules modules (20000) in packages, 3-8 imports each,
#     ray deep in training/, 200 inference/ modules under the rules
#     (bench/gen_pymodules.py generated): `docgate lint`, and `docgate check
#     --base main --head small|large` (3 files; --large files, 2000) against
#     `git diff --name-status main small|large` on the same range.
# Median of --runs (3) after one warm-up; peak RSS = max over the runs.
# Exit 0 measured; 2 setup error; 3 a command failed or a planted finding is
# missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
RUNS=3 MODULES=20000 LARGE=2000 BUILD=1 REAL=1 GENERATED=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --modules) MODULES="$2"; shift 2 ;;
    --large) LARGE="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --no-real) REAL=0; shift ;;
    --no-generated) GENERATED=0; shift ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "code_rules.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for v in RUNS MODULES LARGE; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "code_rules.sh: --${v,,} needs a number" >&2; exit 2; }
done

# Reproducible git: no user/system config, no inherited repository.
while IFS= read -r var; do unset "$var"; done < <(env | sed -n 's/^\(GIT_[A-Za-z_]*\)=.*/\1/p')
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C NO_COLOR=1
unset PRE_COMMIT_FROM_REF PRE_COMMIT_TO_REF

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
if [[ $BUILD -eq 1 ]]; then
  echo "== cargo build --release" >&2
  (cd "$ROOT" && cargo build --release --quiet) || { echo "code_rules.sh: build failed" >&2; exit 2; }
fi
[[ -x "$TARGET/release/docgate" ]] || { echo "code_rules.sh: no $TARGET/release/docgate (drop --no-build)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/docgate-code-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Measure a private copy, so a concurrent `cargo build` cannot swap the binary mid-run.
cp "$TARGET/release/docgate" "$tmp/docgate"
DOCGATE="$tmp/docgate"
read -r load1 _ < /proc/loadavg 2>/dev/null || load1=0
echo "== docgate built $(date -u -r "$TARGET/release/docgate" '+%F %T UTC') at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (+ uncommitted src changes)'), $(git --version), $(nproc) cores, load average $load1" >&2

results="$tmp/results.jsonl"
: >"$results"
measure() { # LABEL CWD CODES -- CMD...
  local label="$1" cwd="$2" ok="$3"; shift 4
  python3 "$BENCH/measure.py" run --label "$label" --cwd "$cwd" --runs "$RUNS" --warmup 1 --ok "$ok" -- "$@" >>"$results"
}
report() { # CWD OUT ARGS...: one run's JSON report, exit 0 or 1
  local cwd="$1" out="$2" rc=0; shift 2
  (cd "$cwd" && "$DOCGATE" "$@" --format json --output "$out") || rc=$?
  if (( rc > 1 )); then echo "*** BENCHMARK ABORTED: docgate $* exited $rc in $cwd" >&2; exit 3; fi
}

if [[ $REAL -eq 1 ]]; then
  echo "== real code: copying the standard library, numpy and pandas" >&2
  python3 "$BENCH/gen_pymodules.py" real --out "$tmp/real" --venv "$ROOT/.cache/venv" >/dev/null \
    || { echo "code_rules.sh: could not build the real-code repository (run bash scripts/test-deps.sh)" >&2; exit 2; }
  measure "real: docgate lint" "$tmp/real" 0,1 -- "$DOCGATE" lint --format json --output /dev/null
  report "$tmp/real" "$tmp/real-lint.json" lint
fi

if [[ $GENERATED -eq 1 ]]; then
  echo "== generating $MODULES modules" >&2
  python3 "$BENCH/gen_pymodules.py" generated --out "$tmp/gen" --modules "$MODULES" --large "$LARGE" >/dev/null
  g="$tmp/gen"
  measure "gen: docgate lint" "$g" 0,1 -- "$DOCGATE" lint --format json --output /dev/null
  report "$g" "$tmp/gen-lint.json" lint
  for change in small large; do
    measure "gen: git diff --name-status main $change" "$g" 0 -- git diff --name-status main "$change"
    measure "gen: docgate check $change" "$g" 0,1 -- \
      "$DOCGATE" check --base main --head "$change" --format json --output /dev/null
    report "$g" "$tmp/gen-$change.json" check --base main --head "$change"
  done
fi

python3 - "$tmp" "$REAL" "$GENERATED" <<'PY'
import collections, json, os, sys
tmp, real, generated = sys.argv[1], sys.argv[2] == "1", sys.argv[3] == "1"
rows = [json.loads(l) for l in open(os.path.join(tmp, "results.jsonl"))]
by = {r["label"]: r for r in rows}
RULES = ["forbidden-import", "silent-fallback", "suppression-invalid", "python-parse-error"]
ok = True

def load(name):
    return json.load(open(os.path.join(tmp, name)))

def per_rule(findings):
    c = collections.Counter(f["rule"] for f in findings)
    return c

n = len(rows[0]["walls"]) if rows else 0
print(f"\nmedian wall time of {n} runs after 1 warm-up; peak RSS = max over the runs\n")
print("| command | median s | min s | peak RSS MB | vs git diff |")
print("|---|---:|---:|---:|---:|")
for r in rows:
    base = None
    for change in ("small", "large"):
        if r["label"] == f"gen: docgate check {change}":
            base = by.get(f"gen: git diff --name-status main {change}")
    ratio = f"{r['median_s'] / base['median_s']:.1f}×" if base and base["median_s"] > 0 else ""
    print(f"| {r['label']} | {r['median_s']:.3f} | {r['min_s']:.3f} | {r['max_rss_mb']:.1f} | {ratio} |")

if real:
    info = json.load(open(os.path.join(tmp, "real", ".git", "docgate-bench.json")))
    rep = load("real-lint.json")
    code = rep["checked"]["code"]
    print(f"\nreal code: Python {info['python']} standard library ({info['stdlib']}), numpy {info['numpy']}, "
          f"pandas {info['pandas']}: {sum(info['files'].values())} files, {info['lines']} lines, "
          f"{info['bytes'] / 1e6:.1f} MB; checked.code = {json.dumps(code)}\n")
    counts = collections.defaultdict(collections.Counter)
    for f in rep["findings"]:
        p = f["path"]
        corpus = "numpy" if p.startswith("site/numpy/") else "pandas" if p.startswith("site/pandas/") else "stdlib"
        counts[corpus][f["rule"]] += 1
    print("| corpus | files | " + " | ".join(RULES) + " |")
    print("|---|---:|" + "---:|" * len(RULES))
    for corpus in ("stdlib", "numpy", "pandas"):
        print(f"| {corpus} | {info['files'][corpus]} | " + " | ".join(str(counts[corpus][r]) for r in RULES) + " |")
    print("\nparse errors:")
    for f in rep["findings"]:
        if f["rule"] == "python-parse-error":
            print(f"- {f['path']}:{f['line']}:{f['column']}: {f['message']}")
    if code["python_files"] != sum(info["files"].values()) or code["unparsable"] == 0:
        print("*** real code: not every file was read, or no parse error was reported", file=sys.stderr)
        ok = False

if generated:
    info = json.load(open(os.path.join(tmp, "gen", ".git", "docgate-bench.json")))
    print(f"\ngenerated: {info['modules']} modules ({info['packages']} packages), {info['lines']} lines, "
          f"{info['imports_at_top']} imports of the repository's modules and others, {info['inference']} in inference/; "
          f"ray in {len(info['ray_modules'])} training modules, bridge {info['bridge']}\n")
    print("| run | changed files | python files read | imports | suppressed | " + " | ".join(RULES) + " |")
    print("|---|---:|---:|---:|---:|" + "---:|" * len(RULES))
    for name, label, changed in (("gen-lint.json", "lint", "-"), ("gen-small.json", "check small", "3"),
                                 ("gen-large.json", "check large", str(info["large"]))):
        rep = load(name)
        code = rep["checked"].get("code") or {}
        c = per_rule(rep["findings"])
        print(f"| {label} | {changed} | {code.get('python_files', 0)} | {code.get('imports', 0)} | "
              f"{code.get('suppressed', 0)} | " + " | ".join(str(c[r]) for r in RULES) + " |")
        if label != "check large" and c["forbidden-import"] == 0:
            print(f"*** generated {label}: the planted ray chains were not reported", file=sys.stderr)
            ok = False
sys.exit(0 if ok else 3)
PY
