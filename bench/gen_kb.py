#!/usr/bin/env python3
"""Generate a repository with a large knowledge base for bench/kb.sh
(Python 3.11 stdlib only).

    gen_kb.py --out DIR [--entries 10000] [--files 2000] [--changed 1000] [--no-kb]

- `--files` source files `src/pkg_NNN/mod_NN.py` (20 per package) and one
  runbook `docs/ops/app.md` covering `src/` (so there is something to check).
- `.ai-knowledge-base.yaml` (unless --no-kb) with `--entries` entries, half
  patterns and half anti-patterns, severities cycling CRITICAL..LOW, each
  with a description, 3 `do`, 2 `dont`, 3 `checklist` items, an `examples`
  extra key and 3 `reference_files` that all match files (an exact path, a
  folder, a glob), plus one decision tree per 100 entries whose steps name
  entries (`pattern:`, `see:`, a backquoted id) and the runbook (`doc:`).
  `docgate lint` reports no finding on it.
- Commit 1 on `main`: everything. Commit 2 on `feature`: `--changed` source
  files modified and one entry appended to the knowledge base (so `check`
  validates all of it and lists the patterns covering the changed files).
"""

from __future__ import annotations

import argparse
import os
import subprocess

SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"]


def git(cwd: str, *args: str) -> None:
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
               GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid",
               GIT_AUTHOR_DATE="1780272000 +0000", GIT_COMMITTER_DATE="1780272000 +0000")
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)


def write(root: str, path: str, text: str) -> None:
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8") as f:
        f.write(text)


def files(n: int) -> list[str]:
    return [f"src/pkg_{i // 20:03d}/mod_{i % 20:02d}.py" for i in range(n)]


def entry(i: int, paths: list[str]) -> str:
    f = paths[i % len(paths)]
    pkg = f.rsplit("/", 1)[0]
    return (
        f"  - id: entry-{i:05d}\n"
        f"    name: Lesson number {i} about {pkg}\n"
        f"    severity: {SEVERITIES[i % 4]}\n"
        f"    category: cat-{i % 7}\n"
        f"    description: >-\n"
        f"      What incident {i} taught about {f}: the service looked healthy while\n"
        f"      it returned defaults; fail fast instead.\n"
        f"    do: [Raise on error, Page the on-call, Add a regression test]\n"
        f"    dont: [Return a default, Log below WARNING]\n"
        f"    checklist:\n"
        f"      - No except without raise in {pkg}\n"
        f"      - Errors reach the caller\n"
        f"      - Regression test added\n"
        f"    reference_files:\n"
        f"      - {f}\n"
        f"      - {pkg}/\n"
        f"      - \"{pkg}/mod_0*.py\"\n"
        f"    examples: [docs/post-mortems/incident-{i:05d}.md]\n"
    )


def kb(n: int, paths: list[str], extra: int = 0) -> str:
    half = n // 2
    out = ["version: 1\nmetadata: {generated_by: bench/gen_kb.py}\npatterns:\n"]
    out += [entry(i, paths) for i in range(half)]
    out.append("anti_patterns:\n")
    out += [entry(i, paths) for i in range(half, n + extra)]
    out.append("decision_trees:\n")
    for t in range(max(1, n // 100)):
        p, a = t % max(1, half), half + t % max(1, n - half)
        out.append(
            f"  - id: tree-{t:04d}\n    name: Decision tree {t}\n    steps:\n"
            f"      - Is this about entry {p}?\n"
            f"      - {{pattern: entry-{p:05d}}}\n"
            f"      - {{see: entry-{a:05d}, doc: ops-01}}\n"
            f"      - \"`entry-{a:05d}`\"\n"
        )
    return "".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--files", type=int, default=2_000)
    ap.add_argument("--changed", type=int, default=1_000)
    ap.add_argument("--no-kb", action="store_true")
    a = ap.parse_args()
    root = a.out
    os.makedirs(root)
    git(root, "init", "-q", "-b", "main")
    paths = files(a.files)
    for p in paths:
        write(root, p, f"def f():\n    return {p!r}\n")
    write(root, "docs/ops/app.md",
          "---\nid: ops-01\ntitle: The app\nperspective: operations\nkey_files: [src/]\n"
          "last_updated: 2026-01-15\n---\n\n# The app\n\nHow it works.\n")
    if not a.no_kb:
        write(root, ".ai-knowledge-base.yaml", kb(a.entries, paths))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    git(root, "checkout", "-q", "-b", "feature")
    for p in paths[: a.changed]:
        write(root, p, f"def f():\n    return {p!r} + '!'\n")
    if not a.no_kb:
        write(root, ".ai-knowledge-base.yaml", kb(a.entries, paths, extra=1))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "change")
    size = os.path.getsize(os.path.join(root, ".ai-knowledge-base.yaml")) if not a.no_kb else 0
    print(f"generated {root}: {a.files} files, {0 if a.no_kb else a.entries} entries ({size} bytes), "
          f"{a.changed} changed")


if __name__ == "__main__":
    main()
