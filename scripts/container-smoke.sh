#!/usr/bin/env bash
# Build the action's image from Dockerfile and run it the way the GitHub runner
# does, with podman (no Docker engine here), on this machine only:
#
#   bases   the two base images the Dockerfile names, made locally and cached:
#           debian:bookworm-slim from `debootstrap --variant=minbase`, and the
#           Rust builder (rust:X.Y.Z-slim-bookworm) from that image plus gcc,
#           libc6-dev, ca-certificates and this machine's Rust toolchain, which
#           must be exactly X.Y.Z. They are tagged docker.io/library/... so the
#           Dockerfile resolves them with --pull=never; a label marks them as
#           local stand-ins. They also trust this machine's extra CAs
#           (/usr/local/share/ca-certificates), so builds work behind a
#           TLS-intercepting proxy.
#   build   podman build --isolation chroot of Dockerfile (the build fetches
#           crates from crates.io and Debian packages, nothing else).
#   version (a) docgate --version, as root and as nobody.
#   check   docgate check on a workspace owned by another uid (information
#           only: shows whether the `check` path copes with git's ownership
#           check; the gate below is what the action runs).
#   github  (b) `docgate github` as the runner starts a Docker action: the
#           workspace (a git checkout of a pull request's merge commit, owned by
#           uid 12345) at /github/workspace, the file commands under
#           /github/file_commands, a pull_request event, the runner's GITHUB_*,
#           RUNNER_* (host paths, RUNNER_TEMP not mounted) and INPUT_*
#           variables, GITHUB_API_URL pointing at scripts/github-api-stub.py on
#           127.0.0.1 (--network host). Passes when docgate ran (exit 0 or 1,
#           not 2), wrote errors= to GITHUB_OUTPUT, the stub received the sticky
#           comment (POST), and the token appears nowhere in the output.
#   rerun   the same again: the sticky comment is edited (PATCH), not doubled.
#   stage1  fork-safe stage 1: report-out set, no token; the report lands in
#           the workspace, GITHUB_OUTPUT names it, the API is not called.
#   stage2  fork-safe stage 2: `docgate github post --report` in a workflow_run
#           job whose workspace holds only the artifact; the sticky comment is
#           written (edited here, since the earlier phases created it).
#
# Usage: scripts/container-smoke.sh [--cold]
#   --cold  remove the cached base images and build without the layer cache,
#           to time a first run.
# Environment:
#   SMOKE_TOKEN_KIND=installation (default: a ghs_ token like Actions'
#           GITHUB_TOKEN, for which GET /user is 403) or pat (ghp_).
#
# Needs root (podman's root storage, a chown to another uid). Installs podman,
# buildah, debootstrap and runc from Debian when they are missing. Prints each
# phase's time and a summary; exits non-zero when any gating phase fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

cold=0
for arg in "$@"; do
  case "$arg" in
    --cold) cold=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "container-smoke: unknown argument $arg (try --help)" >&2; exit 2 ;;
  esac
done

fail() { echo "container-smoke: $*" >&2; exit 1; }

# --- bookkeeping: phase timings and a summary at exit -------------------------
t_start=$(date +%s.%N)
phase_names=()
phase_results=()
phase_secs=()
current=""
current_start=0
begin() {
  current="$1"; current_start=$(date +%s.%N)
  printf '\n== %s\n' "$1"
}
finish() { # finish pass|FAIL|info [note]
  local secs
  secs=$(awk -v a="$current_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  phase_names+=("$current"); phase_results+=("$1${2:+ ($2)}"); phase_secs+=("$secs")
  printf -- '-- %s: %s%s in %ss\n' "$current" "$1" "${2:+ ($2)}" "$secs"
  current=""
}
stub_pid=""
tmp=""
summary() {
  local rc=$?
  [ -n "$current" ] && finish FAIL "aborted"
  if [ -n "$stub_pid" ]; then kill "$stub_pid" 2>/dev/null || true; wait "$stub_pid" 2>/dev/null || true; fi
  [ -n "$tmp" ] && rm -rf "$tmp"
  printf '\n== summary\n'
  local i
  for i in "${!phase_names[@]}"; do
    printf '  %-8s %7ss  %s\n' "${phase_names[$i]}" "${phase_secs[$i]}" "${phase_results[$i]}"
  done
  printf '  %-8s %7ss\n' total "$(awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
  [ "$rc" -eq 0 ] && echo "container-smoke: passed" || echo "container-smoke: FAILED (exit $rc)"
  exit "$rc"
}
trap summary EXIT

# --- tools ------------------------------------------------------------------
begin tools
[ "$(id -u)" -eq 0 ] || fail "run as root (podman root storage, chown to another uid); as root it installs what it needs:
  apt-get update && apt-get install -y --no-install-recommends podman buildah debootstrap runc"
missing=()
for t in podman buildah debootstrap runc python3 git; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} from Debian"
  pkgs=()
  for t in "${missing[@]}"; do case "$t" in python3) pkgs+=(python3) ;; *) pkgs+=("$t") ;; esac; done
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; }; then
    fail "could not install ${pkgs[*]}: apt-get update && apt-get install -y --no-install-recommends ${pkgs[*]}"
  fi
fi
# The runner's own settings: cgroupfs (no systemd here), events in a file, runc.
pm() { podman --cgroup-manager=cgroupfs --events-backend=file --runtime=runc "$@"; }
# podman's default rlimits for a container (nofile 1048576, a large nproc) can
# exceed what a sandboxed host lets runc set ("error setting rlimit type 7");
# these stay within it and are ample for docgate.
nofile=$(ulimit -Hn)
[ "$nofile" = unlimited ] && nofile=65536
run_opts=(--rm --ulimit "nofile=$nofile:$nofile" --ulimit nproc=4096:4096)
pm --version
buildah --version
finish pass

cache=.cache/container-smoke
mkdir -p "$cache"
tmp=$(mktemp -d /tmp/docgate-smoke.XXXXXX)

# --- what the Dockerfile asks for -------------------------------------------
mapfile -t froms < <(awk 'toupper($1) == "FROM" { print $2 }' Dockerfile)
[ "${#froms[@]}" -eq 2 ] || fail "expected two FROM lines in Dockerfile, found ${#froms[@]}: ${froms[*]}"
builder_ref=${froms[0]}
runtime_ref=${froms[1]}
[[ "$runtime_ref" =~ ^debian:([a-z]+)-slim$ ]] || fail "runtime base $runtime_ref is not debian:<suite>-slim"
suite=${BASH_REMATCH[1]}
[[ "$builder_ref" =~ ^rust:([0-9]+\.[0-9]+\.[0-9]+)-slim-([a-z]+)$ ]] \
  || fail "builder base $builder_ref is not rust:X.Y.Z-slim-<suite> (an exact release, so it can be recreated)"
rust_version=${BASH_REMATCH[1]}
[ "${BASH_REMATCH[2]}" = "$suite" ] || fail "builder suite ${BASH_REMATCH[2]} differs from runtime suite $suite"
builder_img=docker.io/library/$builder_ref
runtime_img=docker.io/library/$runtime_ref
image=localhost/docgate-action:smoke

if [ "$cold" -eq 1 ]; then
  begin cold
  for img in "$image" "$builder_img" "$runtime_img"; do
    if pm image exists "$img"; then pm rmi -f "$img" >/dev/null; echo "removed $img"; fi
  done
  rm -rf "$cache/debs"
  finish pass
fi

# --- base images --------------------------------------------------------------
begin bases
label=org.docgate.smoke.stand-in
if pm image exists "$runtime_img"; then
  echo "$runtime_img: cached ($(pm image inspect --format "{{index .Labels \"$label\"}}" "$runtime_img"))"
else
  echo "$runtime_img: debootstrap --variant=minbase $suite"
  rootfs=$tmp/rootfs
  mkdir -p "$cache/debs"
  debootstrap --variant=minbase --cache-dir="$root/$cache/debs" "$suite" "$rootfs" http://deb.debian.org/debian \
    >"$tmp/debootstrap.log" 2>&1 || { tail -n 30 "$tmp/debootstrap.log"; fail "debootstrap failed"; }
  # What the official image configures: all three suites, no recommends kept
  # around, apt caches cleaned after each install.
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: http://deb.debian.org/debian
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  # The stand-ins trust what this machine trusts: its extra CAs (a TLS-
  # intercepting egress proxy, say) go where Debian's ca-certificates picks
  # them up, so cargo in the builder and the runtime stage's ca-certificates
  # include them. Images built on real runners start from the real bases.
  extra_cas=(/usr/local/share/ca-certificates/*.crt)
  if [ -e "${extra_cas[0]}" ]; then
    mkdir -p "$rootfs/usr/local/share/ca-certificates"
    cp "${extra_cas[@]}" "$rootfs/usr/local/share/ca-certificates/"
    echo "added this machine's extra CA certificates: ${extra_cas[*]##*/}"
  fi
  rm -rf "${rootfs:?}"/var/cache/apt/archives/*.deb "${rootfs:?}"/var/lib/apt/lists/* "${rootfs:?}"/dev/* "${rootfs:?}"/tmp/*
  tar -C "$rootfs" --numeric-owner -c . | pm import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --change "LABEL $label=debootstrap-minbase-$suite" \
    - "$runtime_img" >/dev/null
  rm -rf "$rootfs"
  echo "$runtime_img: imported"
fi

if pm image exists "$builder_img"; then
  echo "$builder_img: cached ($(pm image inspect --format "{{index .Labels \"$label\"}}" "$builder_img"))"
else
  # This machine's toolchain, which must be the release the tag names.
  if command -v rustup >/dev/null 2>&1; then
    sysroot=$(rustup run "$rust_version" rustc --print sysroot 2>/dev/null) \
      || fail "Rust $rust_version is not installed here (rustup toolchain list); the builder tag $builder_ref needs it"
  else
    sysroot=$(rustc --print sysroot)
  fi
  have=$("$sysroot/bin/rustc" --version | awk '{ print $2 }')
  [ "$have" = "$rust_version" ] || fail "the local rustc is $have, the Dockerfile's builder is $builder_ref"
  echo "$builder_img: $runtime_img + gcc libc6-dev ca-certificates + the Rust $have toolchain from $sysroot"
  ctx=$tmp/builder
  mkdir -p "$ctx/toolchain"
  # Docs (share/) are not needed to build; the official image has none either.
  tar -C "$sysroot" --exclude=./share -c . | tar -C "$ctx/toolchain" -x
  # Mirrors the official rust:*-slim image: the same packages, the same paths
  # and variables (RUSTUP_HOME, CARGO_HOME, PATH, RUST_VERSION); cargo and
  # rustc are links to the toolchain instead of rustup proxies.
  cat >"$ctx/Containerfile" <<EOF
FROM $runtime_img
RUN apt-get update \\
    && apt-get install -y --no-install-recommends ca-certificates gcc libc6-dev \\
    && rm -rf /var/lib/apt/lists/*
ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin RUST_VERSION=$rust_version
COPY toolchain /usr/local/rustup/toolchains/$rust_version-x86_64-unknown-linux-gnu
RUN mkdir -p /usr/local/cargo/bin \\
    && for t in cargo rustc rustdoc; do ln -s /usr/local/rustup/toolchains/$rust_version-x86_64-unknown-linux-gnu/bin/\$t /usr/local/cargo/bin/\$t; done \\
    && chmod -R a+w /usr/local/cargo \\
    && cargo --version && rustc --version
LABEL $label=local-toolchain-$rust_version
EOF
  pm build --isolation chroot --pull=never -q -t "$builder_img" -f "$ctx/Containerfile" "$ctx" >/dev/null \
    || fail "building the stand-in $builder_img failed"
  rm -rf "$ctx"
  echo "$builder_img: built"
fi
finish pass

# --- the action's image -------------------------------------------------------
begin build
build_flags=(--isolation chroot --pull=never -t "$image" -f Dockerfile)
[ "$cold" -eq 1 ] && build_flags+=(--no-cache)
# The full log goes to a file; the steps, docgate's compile and errors show here.
{ pm build "${build_flags[@]}" . 2>&1; echo $? >"$tmp/build.rc"; } | tee "$tmp/build.log" \
  | grep --line-buffered -E '^(\[[0-9]/[0-9]] )?(STEP|COMMIT)|Compiling docgate|Finished|^docgate |^error|Error:' || true
[ "$(cat "$tmp/build.rc")" -eq 0 ] || { tail -n 40 "$tmp/build.log"; fail "podman build failed (log above)"; }
size=$(pm image inspect --format '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }')
finish pass "$size"

# --- (a) --version ------------------------------------------------------------
begin version
out=$(pm run "${run_opts[@]}" --network none "$image" --version) || fail "docgate --version failed"
echo "root:   $out"
[[ "$out" =~ ^docgate\ [0-9] ]] || fail "unexpected --version output: $out"
out=$(pm run "${run_opts[@]}" --network none --user 65534:65534 "$image" --version) || fail "docgate --version as nobody failed"
echo "nobody: $out"
# shellcheck disable=SC2016 # expanded by the container's shell
pm run "${run_opts[@]}" --network none --entrypoint /bin/sh "$image" -c \
  'echo "git: $(git --version)"; echo "CA certificates: $(ls /etc/ssl/certs | wc -l) files"; echo "user: $(id -u)"' \
  || fail "inspecting the image failed"
finish pass "$out"

# --- the workspace: a pull request checked out like actions/checkout does --------
ws=$tmp/workspace
mkdir -p "$ws"
g() { git -C "$ws" -c user.name=smoke -c user.email=smoke@example.invalid -c init.defaultBranch=main \
        -c core.hooksPath=/dev/null -c commit.gpgsign=false "$@"; }
g init -q
mkdir -p "$ws/docs" "$ws/src"
cat >"$ws/.docgate.yml" <<'EOF'
version: 1
EOF
cat >"$ws/docs/risk.md" <<'EOF'
---
id: risk-01
title: Risk limits
perspective: risk
key_files:
  - src/risk.py
last_updated: 2026-01-01
---

# Risk limits

MAX_POSITION is the largest position the engine may hold. Raising it needs the
risk committee's sign-off, recorded here.
EOF
cat >"$ws/src/risk.py" <<'EOF'
"""Risk limits."""
MAX_POSITION = 100
EOF
g add -A && g commit -q -m "risk limits and their runbook"
base_sha=$(g rev-parse HEAD)
g checkout -q -b topic
sed -i 's/MAX_POSITION = 100/MAX_POSITION = 1000/' "$ws/src/risk.py"
g commit -q -am "raise the risk limit"
head_sha=$(g rev-parse HEAD)
g checkout -q main
g merge -q --no-ff --no-edit -m "Merge $head_sha into $base_sha" topic
merge_sha=$(g rev-parse HEAD)
g checkout -q --detach "$merge_sha"
# A remote-tracking ref as actions/checkout leaves (fetch-depth: 0).
g update-ref refs/remotes/origin/main "$base_sha"
g update-ref refs/remotes/origin/topic "$head_sha"
chown -R 12345:12345 "$ws"

repo_name=acme/trading
pr=7

# --- check: docgate check on a foreign-owned workspace (information only) -------
begin check
set +e
pm run "${run_opts[@]}" --network none -v "$ws:/github/workspace" --workdir /github/workspace \
  "$image" check --base "$base_sha" --head "$head_sha" >"$tmp/check.out" 2>&1
rc=$?
set -e
sed 's/^/  | /' "$tmp/check.out" | tail -n 25
case $rc in
  0|1) finish info "exit $rc: check ran over the uid-12345 workspace" ;;
  *) finish info "exit $rc: check could not run over the uid-12345 workspace" ;;
esac

# --- the runner's side: file commands, event payloads, the API stub -------------
fc=$tmp/file_commands wf=$tmp/workflow home=$tmp/home
mkdir -p "$fc" "$wf" "$home"
for f in set_output set_env add_path save_state step_summary; do : >"$fc/${f}_smoke"; done
case "${SMOKE_TOKEN_KIND:-installation}" in
  installation) token="ghs_smoke$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" ;;
  pat) token="ghp_smoke$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" ;;
  *) fail "SMOKE_TOKEN_KIND must be installation or pat" ;;
esac
stub_args=(--repo "$repo_name" --pr "$pr" --base-sha "$base_sha" --head-sha "$head_sha"
           --base-ref main --head-ref topic --changed-file src/risk.py)
python3 scripts/github-api-stub.py event --kind pull_request "${stub_args[@]}" --out "$wf/pull_request.json"
python3 scripts/github-api-stub.py event --kind workflow_run "${stub_args[@]}" --out "$wf/workflow_run.json"
python3 scripts/github-api-stub.py serve "${stub_args[@]}" --port-file "$tmp/stub.port" \
  --log "$tmp/stub.log" --timeout 900 2>"$tmp/stub.err" &
stub_pid=$!
for _ in $(seq 50); do [ -s "$tmp/stub.port" ] && break; sleep 0.1; done
[ -s "$tmp/stub.port" ] || { cat "$tmp/stub.err"; fail "the API stub did not start"; }
port=$(cat "$tmp/stub.port")
echo
echo "API stub on 127.0.0.1:$port (pid $stub_pid), token kind ${SMOKE_TOKEN_KIND:-installation}"

# As the runner's ContainerActionHandler starts a Docker action: these mounts
# (the workspace and three folders of RUNNER_TEMP, not RUNNER_TEMP itself),
# this working directory, HOME=/github/home, the runner's variables with their
# host paths, INPUT_* named as in the action's metadata (hyphens kept), no
# --user. Usage: run_action EVENT WORKSPACE ENV-ASSIGNMENTS... -- ARGS...
run_action() {
  local event=$1 workspace=$2; shift 2
  local extra=()
  while [ "$1" != -- ]; do extra+=(-e "$1"); shift; done
  shift
  pm run "${run_opts[@]}" --network host \
    -v "$workspace:/github/workspace" -v "$fc:/github/file_commands" -v "$wf:/github/workflow" -v "$home:/github/home" \
    --workdir /github/workspace \
    -e HOME=/github/home -e CI=true -e GITHUB_ACTIONS=true \
    -e GITHUB_WORKSPACE=/github/workspace \
    -e GITHUB_EVENT_NAME="$event" -e GITHUB_EVENT_PATH="/github/workflow/$event.json" \
    -e GITHUB_REPOSITORY="$repo_name" -e GITHUB_REPOSITORY_OWNER="${repo_name%%/*}" \
    -e GITHUB_API_URL="http://127.0.0.1:$port" -e GITHUB_SERVER_URL=https://github.com \
    -e GITHUB_GRAPHQL_URL="http://127.0.0.1:$port/graphql" \
    -e GITHUB_RUN_ID=1 -e GITHUB_RUN_NUMBER=1 -e GITHUB_RUN_ATTEMPT=1 -e GITHUB_JOB=docgate \
    -e GITHUB_ACTION=docgate -e GITHUB_ACTOR=octocat -e GITHUB_WORKFLOW=docgate \
    -e GITHUB_OUTPUT=/github/file_commands/set_output_smoke \
    -e GITHUB_ENV=/github/file_commands/set_env_smoke \
    -e GITHUB_PATH=/github/file_commands/add_path_smoke \
    -e GITHUB_STATE=/github/file_commands/save_state_smoke \
    -e GITHUB_STEP_SUMMARY=/github/file_commands/step_summary_smoke \
    -e RUNNER_OS=Linux -e RUNNER_ARCH=X64 -e "RUNNER_NAME=GitHub Actions 1000000001" \
    -e RUNNER_ENVIRONMENT=github-hosted -e RUNNER_TOOL_CACHE=/opt/hostedtoolcache \
    -e RUNNER_TEMP=/home/runner/work/_temp -e RUNNER_WORKSPACE=/home/runner/work/trading \
    -e INPUT_CONFIG= -e INPUT_TOKEN="$token" -e INPUT_COMMENT=sticky \
    -e INPUT_REVIEW-COMMENTS=true -e INPUT_FAIL-ON=error \
    "${extra[@]}" "$image" "$@"
}
pr_env=(GITHUB_SHA="$merge_sha" GITHUB_REF="refs/pull/$pr/merge" GITHUB_HEAD_REF=topic GITHUB_BASE_REF=main)
comments_path="/repos/$repo_name/issues/$pr/comments"

# How many requests the stub has logged: count METHOD PATH-PREFIX
count() {
  python3 - "$tmp/stub.log" "$1" "$2" <<'EOF'
import json, sys
log, method, prefix = sys.argv[1:]
print(sum(1 for l in open(log) if (e := json.loads(l))["method"] == method and e["path"].startswith(prefix)))
EOF
}
seen=0
show_requests() { # the requests logged since the last call
  python3 - "$tmp/stub.log" "$seen" <<'EOF'
import json, sys
for l in open(sys.argv[1]).readlines()[int(sys.argv[2]):]:
    e = json.loads(l)
    print("  >", e["status"], e["method"], e["path"] + ("?" + e["query"] if e["query"] else ""), e["auth"])
EOF
  seen=$(wc -l <"$tmp/stub.log")
}
problems=()
# Runs one phase's container and the assertions every run shares: exit 0 or 1
# (2 means docgate could not do its job), the token printed nowhere.
# Usage: run_phase NAME EVENT WORKSPACE ENV... -- ARGS...
run_phase() {
  local name=$1; shift
  problems=()
  set +e
  run_action "$@" >"$tmp/$name.out" 2>&1
  rc=$?
  set -e
  sed 's/^/  | /' "$tmp/$name.out" | tail -n 40
  show_requests
  case $rc in 0|1) ;; *) problems+=("exit $rc (0 or 1 expected)") ;; esac
  if grep -rqF "$token" "$tmp/$name.out" "$fc" "$tmp/stub.err"; then problems+=("the token was printed"); fi
}
verdict() { # verdict NOTE: finish the phase; problems fail the script at the end
  if [ "${#problems[@]}" -eq 0 ]; then
    finish pass "$1"
  else
    printf '  problem: %s\n' "${problems[@]}"
    local why="exit $rc"
    grep -q "unrecognized subcommand" "$tmp/$current.out" 2>/dev/null && why="$why: this docgate has no 'github' command"
    finish FAIL "$why"
    failed=1
  fi
}
# A failed run phase does not stop the later ones, so one run shows them all.
failed=0

# --- (b) github: check and post, as action.yml runs it ----------------------------
begin github
: >"$fc/set_output_smoke"
run_phase github pull_request "$ws" "${pr_env[@]}" INPUT_REPORT-OUT= -- github
echo "GITHUB_OUTPUT:"; sed 's/^/  | /' "$fc/set_output_smoke"
grep -q '^errors=' "$fc/set_output_smoke" || problems+=("no errors= in GITHUB_OUTPUT")
[ -s "$fc/step_summary_smoke" ] || problems+=("nothing in GITHUB_STEP_SUMMARY")
posts=$(count POST "$comments_path")
[ "$posts" -ge 1 ] || problems+=("the stub received no POST $comments_path (the sticky comment)")
python3 - "$tmp/stub.log" "$comments_path" <<'EOF' || problems+=("the posted comment lacks the <!-- docgate:report --> marker")
import json, sys
bodies = [e["body"] for l in open(sys.argv[1]) if (e := json.loads(l))["method"] == "POST" and e["path"] == sys.argv[2]]
sys.exit(0 if bodies and all("<!-- docgate:report -->" in (b or {}).get("body", "") for b in bodies) else 1)
EOF
verdict "exit $rc, $posts comment POST"

# --- rerun: the sticky comment is edited in place ----------------------------------
begin rerun
: >"$fc/set_output_smoke"
run_phase rerun pull_request "$ws" "${pr_env[@]}" INPUT_REPORT-OUT= -- github
grep -q '^errors=' "$fc/set_output_smoke" || problems+=("no errors= in GITHUB_OUTPUT")
[ "$(count POST "$comments_path")" -eq "$posts" ] || problems+=("a second sticky comment was posted")
patches=$(count PATCH "/repos/$repo_name/issues/comments/")
[ "$patches" -ge 1 ] || problems+=("the sticky comment was not edited (no PATCH)")
verdict "exit $rc, $patches PATCH, no new POST"

# --- fork-safe stage 1: report only, no token needed, nothing posted ------------------
begin stage1
: >"$fc/set_output_smoke"
before=$(wc -l <"$tmp/stub.log")
run_phase stage1 pull_request "$ws" "${pr_env[@]}" INPUT_TOKEN= INPUT_REPORT-OUT=docgate-report.json -- github
grep -q '^errors=' "$fc/set_output_smoke" || problems+=("no errors= in GITHUB_OUTPUT")
grep -qx 'report=docgate-report.json' "$fc/set_output_smoke" || problems+=("no report=docgate-report.json in GITHUB_OUTPUT")
[ -s "$ws/docgate-report.json" ] || problems+=("no report at docgate-report.json in the workspace")
[ "$(wc -l <"$tmp/stub.log")" -eq "$before" ] || problems+=("stage 1 called the API")
verdict "exit $rc, $(wc -c <"$ws/docgate-report.json" 2>/dev/null || echo 0) bytes of report, no API call"

# --- fork-safe stage 2: post the artifact from a workflow_run job ---------------------
begin stage2
# A workflow_run job checks nothing out: its workspace holds only the
# downloaded artifact.
ws2=$tmp/workspace-post
mkdir -p "$ws2/docgate-untrusted"
cp "$ws/docgate-report.json" "$ws2/docgate-untrusted/" 2>/dev/null || echo "(no report from stage 1)"
chown -R 12345:12345 "$ws2"
writes_before=$(( $(count POST "$comments_path") + $(count PATCH "/repos/$repo_name/issues/comments/") ))
run_phase stage2 workflow_run "$ws2" GITHUB_SHA="$base_sha" GITHUB_REF=refs/heads/main \
  -- github post --report docgate-untrusted/docgate-report.json
writes=$(( $(count POST "$comments_path") + $(count PATCH "/repos/$repo_name/issues/comments/") - writes_before ))
[ "$writes" -ge 1 ] || problems+=("stage 2 neither posted nor edited the sticky comment")
[ "$(count POST "$comments_path")" -le 1 ] || problems+=("more than one sticky comment was posted in all")
verdict "exit $rc, $writes comment write"

[ "$failed" -eq 0 ] || exit 1
