#!/usr/bin/env bash
# docgate performance benchmark against SPEC §10 (see bench/README.md).
#
#   bench/run.sh                                  # SPEC size: 100000 files, 5000 docs, 10000 changed
#   bench/run.sh --files 10000 --docs 500 --changed 1000   # quick check
#   bench/run.sh --scale                          # growth with changed files and with docs
#   bench/run.sh --repo DIR --base REV --head REV # a real repository, runbooks from its CODEOWNERS
#
# Options: --files N --docs N --changed N  repository size (defaults: SPEC figures)
#          --runs N (default 5) --warmup N (default 1)
#          --scale       run the size series instead of the single SPEC measurement
#          --no-build    use the existing target/release/docgate
#          --no-cache    generate into a temp dir and delete it afterwards
#          --checkout    give the repositories a working tree (default: bare, HEAD -> feature)
#          --repo DIR --base REV --head REV
#                        real-repository mode: bench/gen_codeowners.py adds refs
#                        docgate-bench/{base,head,small} to DIR (a clone outside
#                        this project; --placeholders for missing blobs), then
#                        the large range and the small change are measured
# Exit: 0 all targets met, 1 a target missed, 2 usage/setup error, 3 a command failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
FILES=100000 DOCS=5000 CHANGED=10000 RUNS=5 WARMUP=1
BUILD=1 SCALE=0 CACHE=1 CHECKOUT=0
REAL_REPO='' REAL_BASE='' REAL_HEAD=''

usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --files) FILES="$2"; shift 2 ;;
    --docs) DOCS="$2"; shift 2 ;;
    --changed) CHANGED="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --scale) SCALE=1; shift ;;
    --no-build) BUILD=0; shift ;;
    --no-cache) CACHE=0; shift ;;
    --checkout) CHECKOUT=1; shift ;;
    --repo) REAL_REPO="$2"; shift 2 ;;
    --base) REAL_BASE="$2"; shift 2 ;;
    --head) REAL_HEAD="$2"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage 2 ;;
  esac
done
for v in FILES DOCS CHANGED RUNS WARMUP; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "run.sh: --${v,,} needs a number" >&2; exit 2; }
done

# Reproducible git: no user/system config, no inherited repository.
while IFS= read -r var; do unset "$var"; done < <(env | sed -n 's/^\(GIT_[A-Za-z_]*\)=.*/\1/p')
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C NO_COLOR=1
unset PRE_COMMIT_FROM_REF PRE_COMMIT_TO_REF

command -v git >/dev/null || { echo "run.sh: git not found" >&2; exit 2; }
command -v python3 >/dev/null || { echo "run.sh: python3 not found" >&2; exit 2; }

if [[ $BUILD -eq 1 ]]; then
  echo "== cargo build --release" >&2
  (cd "$ROOT" && cargo build --release --quiet) || {
    echo "run.sh: cargo build --release failed (use --no-build to measure the existing binary)" >&2; exit 2; }
fi
[[ -x "$ROOT/target/release/docgate" ]] || {
  echo "run.sh: $ROOT/target/release/docgate missing; run without --no-build" >&2; exit 2; }
# Measure a private copy, so a concurrent `cargo build` cannot swap the binary mid-run.
BIN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/docgate-bench-bin.XXXXXX")"
cp "$ROOT/target/release/docgate" "$BIN_DIR/docgate"
BIN="$BIN_DIR/docgate"

GEN_HASH="$(sha256sum "$BENCH/gen.py" | cut -c1-12)"
if [[ $CHECKOUT -eq 1 ]]; then KIND=wt; GEN_MODE=(); else KIND=bare; GEN_MODE=(--bare); fi
CACHE_DIR="$BENCH/.cache"
TMP_REPOS=("$BIN_DIR")
cleanup() { for d in "${TMP_REPOS[@]+"${TMP_REPOS[@]}"}"; do rm -rf "$d"; done; }
trap cleanup EXIT

# repo_for FILES DOCS CHANGED: sets REPO to the repository (generated or cached).
repo_for() {
  local f="$1" d="$2" c="$3" dir
  if [[ $CACHE -eq 1 ]]; then
    mkdir -p "$CACHE_DIR"
    dir="$CACHE_DIR/repo-f$f-d$d-c$c-$KIND-$GEN_HASH"
    if [[ -f "$dir.ok" && -d "$dir" ]]; then
      echo "== reusing $dir" >&2
      REPO="$dir"; return
    fi
    # Repositories of the same size made by an older gen.py are stale.
    rm -rf "$CACHE_DIR/repo-f$f-d$d-c$c-$KIND-"*
  else
    dir="$(mktemp -d "${TMPDIR:-/tmp}/docgate-bench.XXXXXX")"
    TMP_REPOS+=("$dir")
    rmdir "$dir"
  fi
  echo "== generating $f files, $d docs, $c changed into $dir" >&2
  python3 "$BENCH/gen.py" --files "$f" --docs "$d" --changed "$c" --out "$dir" "${GEN_MODE[@]+"${GEN_MODE[@]}"}" >&2
  if [[ $CACHE -eq 1 ]]; then touch "$dir.ok"; fi
  REPO="$dir"
}

# measure LABEL REPO OKCODES F D C -- CMD...
measure() {
  local label="$1" repo="$2" ok="$3" f="$4" d="$5" c="$6"; shift 7
  python3 "$BENCH/measure.py" run --label "$label" --cwd "$repo" --runs "$RUNS" --warmup "$WARMUP" \
    --ok "$ok" --files "$f" --docs "$d" --changed "$c" -- "$@"
}

# bench_repo F D C RESULTS [full]: git diff and docgate on one repository.
bench_repo() {
  local f="$1" d="$2" c="$3" out="$4" full="${5:-}" repo
  repo_for "$f" "$d" "$c"
  repo="$REPO"
  echo "== measuring $f files / $d docs / $c changed ($RUNS runs after $WARMUP warm-up)" >&2
  measure "git diff --name-status" "$repo" 0 "$f" "$d" "$c" -- \
    git diff --name-status main feature >>"$out"
  if [[ -n "$full" ]]; then
    measure "git diff --name-status -M ..." "$repo" 0 "$f" "$d" "$c" -- \
      git diff --name-status -M main...feature >>"$out"
  fi
  # Exit 1 (findings) is the expected outcome; 2 means docgate failed.
  measure "docgate check" "$repo" 0,1 "$f" "$d" "$c" -- \
    "$BIN" check --base main --head feature --format json --output /dev/null >>"$out"
  if [[ -z "$full" ]]; then
    # Scale mode: the same check without doc-not-updated findings, and the report's size.
    measure "docgate check (matching only)" "$repo" 0,1 "$f" "$d" "$c" -- \
      "$BIN" check --base main --head feature --format json --output /dev/null \
      --config "$BENCH/matching-only.yml" >>"$out"
    local report="$BIN_DIR/report.json"
    local rc=0
    (cd "$repo" && "$BIN" check --base main --head feature --format json --output "$report") || rc=$?
    if (( rc > 1 )); then echo "*** BENCHMARK ABORTED: docgate check exited $rc in $repo" >&2; exit 3; fi
    python3 "$BENCH/measure.py" size --files "$f" --docs "$d" --changed "$c" "$report" >>"$out"
  fi
  LAST_REPO="$repo"
}

read -r load1 _ < /proc/loadavg 2>/dev/null || load1=0
if awk -v l="$load1" 'BEGIN{exit !(l > 0.5)}'; then
  echo "== warning: load average $load1 before measuring; other work on this machine makes the numbers noisy" >&2
fi
RESULTS="$(mktemp "${TMPDIR:-/tmp}/docgate-bench-results.XXXXXX")"
TMP_REPOS+=("$RESULTS")
echo "== docgate $("$BIN" --version 2>/dev/null | awk '{print $2}') built $(date -u -r "$ROOT/target/release/docgate" '+%F %T UTC') at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (+ uncommitted src changes)'), $(git --version), $(nproc) cores" >&2

if [[ -n "$REAL_REPO" ]]; then
  [[ -n "$REAL_BASE" && -n "$REAL_HEAD" ]] || { echo "run.sh: --repo needs --base and --head" >&2; exit 2; }
  case "$(cd "$REAL_REPO" && pwd)/" in
    "$ROOT"/*) echo "run.sh: --repo must be outside this project ($ROOT)" >&2; exit 2 ;;
  esac
  GIT_DIR_REAL="$(git -C "$REAL_REPO" rev-parse --absolute-git-dir)" || exit 2
  echo "== adding runbooks from CODEOWNERS to $GIT_DIR_REAL" >&2
  python3 "$BENCH/gen_codeowners.py" --repo "$GIT_DIR_REAL" --base "$REAL_BASE" --head "$REAL_HEAD" --placeholders >&2 || exit 2
  B=docgate-bench/base H=docgate-bench/head S=docgate-bench/small
  echo "== measuring $B..$H and $H..$S ($RUNS runs after $WARMUP warm-up)" >&2
  m() { local label="$1" ok="$2"; shift 2
    python3 "$BENCH/measure.py" run --label "$label" --cwd "$GIT_DIR_REAL" --runs "$RUNS" --warmup "$WARMUP" --ok "$ok" -- "$@" >>"$RESULTS"; }
  m "git diff large" 0 git diff --name-status "$B" "$H"
  m "docgate large" 0,1 "$BIN" check --base "$B" --head "$H" --format json --output /dev/null
  m "git diff small" 0 git diff --name-status "$H" "$S"
  # The floor of a small change: its diff plus reading every doc blob once.
  m "floor small" 0 sh -c "git diff --name-status $H $S >/dev/null && git ls-tree -r --format='%(objectname)' $S docs/codeowners | git cat-file --batch >/dev/null"
  m "docgate small" 0,1 "$BIN" check --base "$H" --head "$S" --format json --output /dev/null
  status=0
  python3 "$BENCH/measure.py" repo "$RESULTS" || status=$?
  exit "$status"
fi

if [[ $SCALE -eq 0 ]]; then
  bench_repo "$FILES" "$DOCS" "$CHANGED" "$RESULTS" full
  status=0
  python3 "$BENCH/measure.py" report "$RESULTS" || status=$?
  echo
  echo "docgate summary line (--format text):"
  set +e
  (cd "$LAST_REPO" && "$BIN" check --base main --head feature --format text --color never | tail -1)
  set -e
  exit "$status"
fi

# Scale: changed files at 1/10, 2/5 and all of --changed with --docs fixed;
# docs at 1/5, 1/2 and all of --docs with --changed fixed; plus the small
# corner, so the changed x docs interaction can be measured.
c0=$((CHANGED / 10)) c1=$((CHANGED * 2 / 5)) d0=$((DOCS / 5)) d1=$((DOCS / 2))
(( c0 >= 1 && d0 >= 1 )) || { echo "run.sh: --scale needs --changed >= 10 and --docs >= 5" >&2; exit 2; }
for point in "$c0 $DOCS" "$c1 $DOCS" "$CHANGED $DOCS" "$CHANGED $d0" "$CHANGED $d1" "$c0 $d0"; do
  read -r c d <<<"$point"
  bench_repo "$FILES" "$d" "$c" "$RESULTS"
done
python3 "$BENCH/measure.py" scale "$RESULTS"
