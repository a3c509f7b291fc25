#!/usr/bin/env python3
"""Add runbooks generated from a real repository's CODEOWNERS (bench/run.sh --repo).

    gen_codeowners.py --repo GIT_DIR --base REV --head REV [--codeowners PATH]
                      [--depth 3] [--chunk 30] [--prefix docgate-bench]

A real repository has no docgate runbooks, so this stands them in the way a
team adopting docgate would write them: one runbook per folder of the
repository's own CODEOWNERS file (read at HEAD), the folder being the first
`--depth` segments of each pattern's parent, at most `--chunk` key_files per
runbook. Each CODEOWNERS pattern becomes one key_files entry:

    /a/b        -> a/b            (anchored; leading slash dropped)
    a/dir/      -> a/dir/         (a folder)
    a/dir       -> a/dir/         when it is a folder at HEAD
    a/dir/*     -> "a/dir/*"      (`*` stays in one segment, as in CODEOWNERS)
    *.c         -> "**/*.c"       (no slash: any depth, as in CODEOWNERS)

Entries that match no file at the head are dropped (a real team's lint would
make them fix those; they would be stale-key-file findings on every run), and
so are patterns docgate cannot take (`!`, `\\`, `[`), all counted on stderr.

It writes two commits with `git fast-import`, never touching the repository's
own branches:

    refs/heads/PREFIX/base   BASE + docs/codeowners/*.md
    refs/heads/PREFIX/head   HEAD + the same docs, a merge of HEAD and PREFIX/base
    refs/heads/PREFIX/small  PREFIX/head + one line appended to 3 files that
                             runbooks name (the small change on a large doc set)

so `git diff PREFIX/base PREFIX/head` lists exactly the changes of
`git diff BASE HEAD`, the merge-base of the two is PREFIX/base, and docgate's
three-dot range checks every commit of BASE..HEAD (plus the one merge) against
the runbooks. Python 3.11 stdlib only; deterministic (fixed dates).

Missing blobs: a snapshot fetched without its largest blobs lacks some
objects. `--placeholders` writes a small loose object under each missing id
(content "placeholder for a missing blob\\n"), so git and docgate can run; git
does not re-hash loose objects when it reads them. The ids are printed.
"""

from __future__ import annotations

import argparse
import collections
import fnmatch
import json
import os
import re
import subprocess
import sys
import zlib

PLACEHOLDER = b"placeholder for a missing blob\n"
DATE = 1767225600  # 2026-01-01T00:00:00Z


def git(repo: str, *args: str, input: bytes | None = None) -> bytes:
    p = subprocess.run(["git", "--git-dir", repo, *args], input=input, capture_output=True)
    if p.returncode != 0:
        sys.exit(f"gen_codeowners.py: git {' '.join(args)} failed ({p.returncode}):\n{p.stderr.decode(errors='replace')}")
    return p.stdout


def placeholders(repo: str, revs: list[str]) -> list[str]:
    out = git(repo, "rev-list", "--objects", "--missing=print", *revs)
    missing = [line[1:].split()[0] for line in out.decode().splitlines() if line.startswith("?")]
    for oid in missing:
        body = b"blob %d\0" % len(PLACEHOLDER) + PLACEHOLDER
        d = os.path.join(repo, "objects", oid[:2])
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, oid[2:]), "wb") as f:
            f.write(zlib.compress(body))
    return missing


def convert(pat: str, files: set[str], dirs: set[str]) -> str | None:
    """The key_files entry for one CODEOWNERS pattern, or None when docgate cannot take it."""
    if pat.startswith("!") or "\\" in pat or "[" in pat:
        return None
    p = pat.lstrip("/")
    if not p or p == "*":
        return None
    if "/" not in pat.rstrip("/") and any(c in p for c in "*?"):
        p = "**/" + p
    if p.endswith("/"):
        return p
    if not any(c in p for c in "*?") and p in dirs:
        return p + "/"
    return p


def matches(entry: str, files: list[str], fileset: set[str], dirs: set[str]) -> bool:
    if entry.endswith("/"):
        return entry[:-1] in dirs
    if not any(c in entry for c in "*?"):
        return entry in fileset
    # `*` stays in one segment; `**/` is any number of folders.
    rx = re.escape(entry).replace(r"\*\*/", "(?:.*/)?").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
    r = re.compile(rx + r"\Z")
    return any(r.match(f) for f in files)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", required=True, help="git dir (bare) or work tree")
    ap.add_argument("--base", required=True)
    ap.add_argument("--head", required=True)
    ap.add_argument("--codeowners", default=None, help="path of CODEOWNERS in HEAD (default: .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS)")
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=30)
    ap.add_argument("--prefix", default="docgate-bench")
    ap.add_argument("--placeholders", action="store_true")
    a = ap.parse_args()
    repo = git(a.repo if os.path.isdir(os.path.join(a.repo, "objects")) else os.path.join(a.repo, ".git"), "rev-parse", "--absolute-git-dir").decode().strip()
    base = git(repo, "rev-parse", "--verify", a.base + "^{commit}").decode().strip()
    head = git(repo, "rev-parse", "--verify", a.head + "^{commit}").decode().strip()
    if a.placeholders:
        missing = placeholders(repo, [base, head])
        print(f"gen_codeowners.py: {len(missing)} missing objects stood in by placeholders: {' '.join(missing) or '-'}", file=sys.stderr)

    files = git(repo, "ls-tree", "-r", "-z", "--name-only", head).decode(errors="surrogateescape").split("\0")
    files = [f for f in files if f]
    fileset = set(files)
    dirs = {f[:i] for f in files for i in [m.start() for m in re.finditer("/", f)]}
    candidates = [a.codeowners] if a.codeowners else [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]
    text = None
    for c in candidates:
        if c in fileset:
            text = git(repo, "show", f"{head}:{c}").decode()
            source = c
            break
    if text is None:
        sys.exit(f"gen_codeowners.py: no CODEOWNERS in {a.head} (looked for {', '.join(candidates)})")

    groups: dict[str, list[str]] = collections.defaultdict(list)
    seen: set[str] = set()
    stats = collections.Counter()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pat = line.split()[0]
        stats["patterns"] += 1
        entry = convert(pat, fileset, dirs)
        if entry is None:
            stats["not convertible"] += 1
            continue
        if entry in seen:
            stats["duplicate"] += 1
            continue
        if not matches(entry, files, fileset, dirs):
            stats["match no file at head"] += 1
            continue
        seen.add(entry)
        parent = entry.rstrip("/").split("/")[:-1]
        groups["/".join(parent[: a.depth]) or "root"].append(entry)

    docs: dict[str, str] = {}
    for folder in sorted(groups):
        entries = groups[folder]
        for k in range(0, len(entries), a.chunk):
            part = entries[k : k + a.chunk]
            slug = re.sub(r"[^a-z0-9]+", "-", folder.lower()).strip("-") or "root"
            if len(entries) > a.chunk:
                slug += f"-{k // a.chunk + 1}"
            lines = [
                "---",
                f"id: {slug}",
                f"title: Runbook for {folder} ({len(part)} paths from {source})",
                "perspective: operations",
                "tags: [codeowners]",
                "last_updated: 2026-01-01",
                "key_files:",
            ]
            lines += [f'  - "{e}"' if any(c in e for c in "*?") else f"  - {e}" for e in part]
            lines += ["---", "", f"# {folder}", "", f"What to check when changing `{folder}`; owners are in `{source}`.", ""]
            docs[f"docs/codeowners/{slug}.md"] = "\n".join(lines)
    stats["runbooks"] = len(docs)
    stats["key_files"] = sum(len(v) for v in groups.values())

    stream = []

    def commit(ref: str, mark: int, parent: str, merge: str | None, msg: str) -> None:
        m = msg.encode()
        stream.append(f"commit refs/heads/{ref}\nmark :{mark}\ncommitter docgate bench <bench@example.invalid> {DATE} +0000\ndata {len(m)}\n".encode() + m + b"\n")
        stream.append(f"from {parent}\n".encode())
        if merge:
            stream.append(f"merge {merge}\n".encode())
        for path, body in docs.items():
            b = body.encode()
            stream.append(f"M 100644 inline {path}\ndata {len(b)}\n".encode() + b + b"\n")
        stream.append(b"\n")

    commit(f"{a.prefix}/base", 1, base, None, f"bench: {len(docs)} runbooks from {source} on {a.base}")
    commit(f"{a.prefix}/head", 2, head, ":1", f"bench: {len(docs)} runbooks from {source} on {a.head}")
    # The small change: 3 files named literally by runbooks, one line each.
    small = [e for e in sorted(seen) if e in fileset][:3]
    if len(small) < 3:
        sys.exit("gen_codeowners.py: fewer than 3 key_files name a file; no small change")
    m = b"bench: a small change to 3 covered files"
    stream.append(f"commit refs/heads/{a.prefix}/small\nmark :3\ncommitter docgate bench <bench@example.invalid> {DATE + 60} +0000\ndata {len(m)}\n".encode() + m + b"\n")
    stream.append(b"from :2\n")
    for path in small:
        body = git(repo, "cat-file", "blob", f"{head}:{path}") + b"\n/* docgate bench: a small change */\n"
        stream.append(f"M 100644 inline {path}\ndata {len(body)}\n".encode() + body + b"\n")
    stream.append(b"\n")
    git(repo, "fast-import", "--quiet", "--force", input=b"".join(stream))
    stats["small change"] = small
    print(json.dumps({"base": f"{a.prefix}/base", "head": f"{a.prefix}/head", "small": f"{a.prefix}/small", **stats}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
