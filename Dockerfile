# The image behind the docgate GitHub Action (action.yml, post/action.yml).
# GitHub builds it from this file on the runner for every job that uses the
# action; the build context is the repository root, trimmed by .dockerignore to
# Cargo.toml, Cargo.lock and src/.
#
# scripts/container-smoke.sh builds and runs it locally with podman. It makes
# both base images itself (debootstrap; the builder gets this machine's Rust
# toolchain), so the builder tag must name an exact Rust release: the script
# checks that the local rustc is that release before it tags anything.

# ---- builder ---------------------------------------------------------------
FROM rust:1.95.0-slim-bookworm AS builder
WORKDIR /build

# Compile the dependencies in a layer of their own, keyed only on the manifest
# and the lockfile: with a layer cache (podman here, a self-hosted runner's
# Docker there) a change under src/ recompiles docgate alone. The stub targets
# stand in for src/lib.rs and src/main.rs and are deleted before the real
# sources come in.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src

COPY src ./src
# COPY keeps the sources' modification times, which can be older than the stub
# build above; touching the crate roots makes cargo rebuild docgate itself.
RUN touch src/lib.rs src/main.rs \
    && cargo build --release --locked \
    && ./target/release/docgate --version

# ---- runtime ---------------------------------------------------------------
FROM debian:bookworm-slim

# git: docgate itself starts no program (it reads the repository with
# libgit2); git is kept so a failing job can be inspected inside the
# container (scripts/container-smoke.sh prints its version). ca-certificates: the
# GitHub client uses rustls with the system CA store (GITHUB_API_URL may be a
# GitHub Enterprise Server with a certificate from a public CA).
#
# DL3008 (pin apt versions) is ignored on purpose: bookworm and
# bookworm-security only ever serve the newest build of each package, so an
# exact pin such as git=1:2.39.5-0+deb12u2 stops resolving at the next Debian
# security update, and every workflow using this action would fail to build
# until the pin is bumped. The release (bookworm) is the pin; security fixes
# are picked up on each build, which is what an action that handles a token
# should do.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git \
    && rm -rf /var/lib/apt/lists/*

COPY --from=builder /build/target/release/docgate /usr/local/bin/docgate

# No USER instruction: the container runs as root, as GitHub expects of a
# Docker action. GitHub's "Dockerfile support for GitHub Actions" says Docker
# actions must run as the default Docker user (root) and that USER makes
# GITHUB_WORKSPACE inaccessible: the runner mounts the workspace and
# /github/file_commands (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) from the host,
# owned by the runner's uid (1001 on GitHub-hosted runners, anything on
# self-hosted ones), and does not pass --user. Actions that set USER fail with
# "Permission denied" on /github/file_commands/set_output_* (for example
# github-community-projects/stale-repos#101, ahmadnassri/action-commit-lint#283).
# Running as root over a workspace owned by another uid is what git calls
# "dubious ownership"; docgate trusts that one directory itself, so nothing here
# touches git's global configuration.
#
# The image does not need root: the binary is world-executable and writes only
# where it is told to (report, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), so
# `docker run --user "$(id -u):$(id -g)"` works wherever that uid can read the
# workspace and write those files (scripts/container-smoke.sh runs --version as
# nobody).
ENTRYPOINT ["/usr/local/bin/docgate"]
