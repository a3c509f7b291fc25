#!/usr/bin/env python3
"""Generate the docgate benchmark repository (SPEC §10) with `git fast-import`.

    python3 bench/gen.py --out /tmp/bench-repo            # SPEC size
    python3 bench/gen.py --files 10000 --docs 500 --changed 1000 --out DIR

Layout (deterministic: fixed seed, fixed author/committer dates):

* `--files` source files in nested folders, 3-5 levels deep, e.g.
  `services/svc_0042/module_07/sub_01/file_0123.py`, a few hundred bytes each;
* `--docs` runbooks `docs/<area>/<id>.md` with valid frontmatter (SPEC §1.1):
  unique id, title, perspective, tags, `depends_on` naming 0-2 earlier ids,
  `last_updated: 2026-01-15` and 1-6 `key_files` entries (~60% exact paths,
  ~25% folders with a trailing `/`, ~15% quoted globs), every entry matching
  files of commit 1; then a body of ~20 lines;
* `.docgate.yml` requiring coverage of `services/**`.

Commit 1 (`refs/heads/main`) holds everything. Commit 2 (`refs/heads/feature`,
parent commit 1) changes exactly `--changed` source files: ~88% modified, ~5%
deleted, ~5% renamed within their folder (two thirds unchanged, one third
edited), ~2% added; plus ~1% of the docs get a new body line (half of them
bump `last_updated`, half do not). `main` stays at commit 1, so
`git diff main feature` and `docgate check --base main --head feature`
look at the same range.

The repository is repacked (as a clone would be) and, unless --bare, `feature`
is checked out. The total file count is files + docs + 1 (.docgate.yml).
A file `.git/docgate-bench.json` (or `docgate-bench.json` in a bare repo)
records the parameters and what was generated.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

GEN_VERSION = 1
SEED = 20260115
# 2026-01-15T00:00:00Z and a day later.
DATE_1 = 1768435200
DATE_2 = DATE_1 + 86400
AUTHOR = "Docgate Bench <bench@example.invalid>"

TOPS = [("services", "svc", 50), ("libs", "lib", 25), ("platform", "plat", 15), ("apps", "app", 10)]
EXTS = [("py", 80), ("ts", 8), ("go", 7), ("yaml", 5)]
AREAS = [
    "payments", "trading", "risk", "billing", "identity", "search", "ingest",
    "serving", "training", "storage", "network", "observability", "release",
    "security", "data-quality", "onboarding", "pricing", "ledger", "alerts",
    "scheduling",
]
PERSPECTIVES = ["architecture", "risk", "operations", "guide"]
WORDS = (
    "check the dashboard before restarting the worker and confirm the queue "
    "depth is back under the threshold then page the owner if the error rate "
    "stays above two percent for ten minutes roll back the last deploy when "
    "latency doubles and write down what you saw in the incident channel"
).split()


def weighted(rng: random.Random, choices):
    total = sum(w for *_, w in choices)
    x = rng.uniform(0, total)
    for c in choices:
        x -= c[-1]
        if x <= 0:
            return c
    return choices[-1]


class Source:
    __slots__ = ("path", "folder", "pkg", "num", "ext", "module_dir")

    def __init__(self, path, folder, pkg, num, ext, module_dir):
        self.path = path
        self.folder = folder
        self.pkg = pkg
        self.num = num
        self.ext = ext
        # True when the file sits directly in a `module_NN` folder.
        self.module_dir = module_dir


def layout(rng: random.Random, n_files: int):
    """Source files, packages and folders. Depth: top/pkg/module[/sub[/part]]/file."""
    files: list[Source] = []
    packages: list[dict] = []
    pkg_no = 0
    while len(files) < n_files:
        top, prefix, _ = weighted(rng, TOPS)
        pkg = f"{top}/{prefix}_{pkg_no:04d}"
        pkg_no += 1
        info = {"dir": pkg, "modules": [], "folders": [], "files": []}
        counter = 0

        def add(folder: str, count: int, module_dir: bool):
            nonlocal counter
            ext = weighted(rng, EXTS)[0]
            for _ in range(count):
                if len(files) >= n_files:
                    return
                # Mostly one language per folder, sometimes a stray config file.
                e = ext if rng.random() < 0.9 else weighted(rng, EXTS)[0]
                s = Source(f"{folder}/file_{counter:04d}.{e}", folder, pkg, counter, e, module_dir)
                counter += 1
                files.append(s)
                info["files"].append(s)

        for m in range(rng.randint(3, 10)):
            module = f"{pkg}/module_{m:02d}"
            info["modules"].append(module)
            info["folders"].append(module)
            add(module, rng.randint(5, 25), True)
            if rng.random() < 0.5:
                for s in range(rng.randint(1, 3)):
                    sub = f"{module}/sub_{s:02d}"
                    info["folders"].append(sub)
                    add(sub, rng.randint(5, 20), False)
                    if rng.random() < 0.3:
                        part = f"{sub}/part_{rng.randint(0, 9):02d}"
                        info["folders"].append(part)
                        add(part, rng.randint(5, 15), False)
        # The last package is cut at n_files: keep only folders that got files.
        used = {f.folder for f in info["files"]}
        info["modules"] = [m for m in info["modules"] if m in used]
        info["folders"] = [f for f in info["folders"] if f in used]
        if info["files"] and info["modules"]:
            packages.append(info)
    return files, packages


def source_text(path: str, num: int, ext: str, rev: int = 0) -> str:
    n = f"{num:04d}"
    if ext == "py":
        body = (
            f'"""{path}: generated by the docgate benchmark."""\n'
            "import logging\n\n"
            "LOG = logging.getLogger(__name__)\n"
            f"LIMIT_{n} = {num % 97 + 3}\n\n\n"
            f"def handle_{n}(event):\n"
            f'    value = event.get("k{n}", {num % 13})\n'
            f"    if value > LIMIT_{n}:\n"
            f'        LOG.warning("over limit %s", value)\n'
            f"        raise ValueError(value)\n"
            f"    return value * {num % 7 + 2}\n"
        )
    elif ext == "ts":
        body = (
            f"// {path}: generated by the docgate benchmark.\n"
            f"export const LIMIT_{n} = {num % 97 + 3};\n\n"
            f"export function handle{n}(event: Record<string, number>): number {{\n"
            f'  const value = event["k{n}"] ?? {num % 13};\n'
            f"  if (value > LIMIT_{n}) {{\n"
            f"    throw new Error(`over limit ${{value}}`);\n"
            "  }\n"
            f"  return value * {num % 7 + 2};\n"
            "}\n"
        )
    elif ext == "go":
        body = (
            f"// {path}: generated by the docgate benchmark.\n"
            "package bench\n\n"
            f"const Limit{n} = {num % 97 + 3}\n\n"
            f"func Handle{n}(event map[string]int) (int, error) {{\n"
            f'\tvalue := event["k{n}"]\n'
            f"\tif value > Limit{n} {{\n"
            f'\t\treturn 0, fmt.Errorf("over limit %d", value)\n'
            "\t}\n"
            f"\treturn value * {num % 7 + 2}, nil\n"
            "}\n"
        )
    else:
        body = (
            f"# {path}: generated by the docgate benchmark.\n"
            f"name: handler-{n}\n"
            f"limit: {num % 97 + 3}\n"
            "retries: 3\n"
            "timeouts:\n"
            f"  connect_ms: {100 + num % 50}\n"
            f"  read_ms: {1000 + num % 500}\n"
            "owners: [team-a, team-b]\n"
        )
    if rev:
        comment = "//" if ext in ("ts", "go") else "#"
        body = body.replace(f"{num % 7 + 2}", f"{num % 7 + 2 + rev}", 1)
        body += f"{comment} changed in revision {rev}\n"
    return body


def key_file_entries(rng: random.Random, pkg: dict, count: int) -> list[str]:
    """1-6 entries of one package: ~60% exact, ~25% folders, ~15% globs."""
    out: list[str] = []
    files = pkg["files"]
    for _ in range(count * 3):
        if len(out) >= count:
            break
        r = rng.random()
        if r < 0.60:
            entry = rng.choice(files).path
        elif r < 0.85:
            t = rng.random()
            if t < 0.10:
                folder = pkg["dir"]
            elif t < 0.75:
                folder = rng.choice(pkg["modules"])
            else:
                folder = rng.choice(pkg["folders"])
            entry = folder + "/"
        else:
            f = rng.choice(files)
            n = f"{f.num:04d}"
            t = rng.random()
            if t < 0.45:
                g = f"{f.pkg}/**/file_{n[:3]}*.{f.ext}"
            elif t < 0.70:
                g = f"{f.folder}/*.{f.ext}"
            elif t < 0.85 and f.module_dir:
                g = f"{f.pkg}/module_*/file_{n[:2]}*.{f.ext}"
            else:
                g = f"{f.pkg}/**/file_{n}.*"
            entry = f'"{g}"'
        if entry not in out:
            out.append(entry)
    return out


def doc_text(doc: dict, body_extra: str = "", last_updated: str = "2026-01-15") -> str:
    lines = ["---", f"id: {doc['id']}", f"title: {doc['title']}", f"perspective: {doc['perspective']}"]
    lines.append(f"tags: [{', '.join(doc['tags'])}]")
    if doc["depends_on"]:
        lines.append(f"depends_on: [{', '.join(doc['depends_on'])}]")
    lines.append("key_files:")
    lines.extend(f"  - {k}" for k in doc["key_files"])
    lines.append(f"last_updated: {last_updated}")
    lines.append("---")
    return "\n".join(lines) + "\n" + doc["body"] + body_extra


def doc_body(rng: random.Random, doc: dict, pkg: dict) -> str:
    def sentence(n: int) -> str:
        start = rng.randrange(len(WORDS) - n)
        s = " ".join(WORDS[start:start + n])
        return s[0].upper() + s[1:] + "."

    lines = [
        f"# {doc['title']}",
        "",
        f"This runbook describes `{pkg['dir']}` from the {doc['perspective']} perspective.",
        sentence(12),
        "",
        "## When to use it",
        "",
        f"- {sentence(9)}",
        f"- {sentence(8)}",
        f"- {sentence(10)}",
        "",
        "## Steps",
        "",
    ]
    for i in range(1, rng.randint(4, 7)):
        lines.append(f"{i}. {sentence(rng.randint(6, 12))}")
    lines += ["", "## Lessons", "", sentence(14), f"Owner: team-{doc['area']}."]
    return "\n".join(lines) + "\n"


def make_docs(rng: random.Random, n_docs: int, packages: list[dict]) -> list[dict]:
    docs = []
    per_area: dict[str, int] = {}
    for i in range(n_docs):
        area = AREAS[rng.randrange(len(AREAS))]
        k = per_area.get(area, 0)
        per_area[area] = k + 1
        doc_id = f"{area}-{k:04d}"
        pkg = packages[rng.randrange(len(packages))]
        perspective = PERSPECTIVES[rng.randrange(len(PERSPECTIVES))]
        name = pkg["dir"].split("/")[-1].replace("_", " ")
        deps = []
        if i > 0:
            for _ in range(rng.choice((0, 1, 1, 2))):
                dep = docs[rng.randrange(max(0, i - 200), i)]["id"]
                if dep not in deps:
                    deps.append(dep)
        doc = {
            "id": doc_id,
            "area": area,
            "path": f"docs/{area}/{doc_id}.md",
            "title": f"{area.replace('-', ' ').title()} {perspective} runbook {k} for {name}",
            "perspective": perspective,
            "tags": [area, pkg["dir"].split("/")[0]],
            "depends_on": deps,
            "key_files": key_file_entries(rng, pkg, rng.randint(1, 6)),
        }
        doc["body"] = doc_body(rng, doc, pkg)
        docs.append(doc)
    return docs


CONFIG = """\
# docgate benchmark repository (bench/gen.py)
version: 1
coverage:
  require: ["services/**"]
"""


class Stream:
    """A buffered fast-import stream written straight into git's stdin."""

    def __init__(self, proc: subprocess.Popen):
        self.out = proc.stdin
        self.parts: list[bytes] = []
        self.size = 0

    def raw(self, b: bytes):
        self.parts.append(b)
        self.size += len(b)
        if self.size > 1 << 20:
            self.flush()

    def flush(self):
        self.out.write(b"".join(self.parts))
        self.parts.clear()
        self.size = 0

    def data(self, text: str):
        b = text.encode()
        self.raw(b"data %d\n" % len(b) + b + b"\n")

    def modify(self, path: str, text: str):
        self.raw(b"M 100644 inline " + path.encode() + b"\n")
        self.data(text)

    def delete(self, path: str):
        self.raw(b"D " + path.encode() + b"\n")

    def commit(self, ref: str, mark: int, when: int, message: str, parent: int | None):
        self.raw(f"commit {ref}\nmark :{mark}\n".encode())
        self.raw(f"author {AUTHOR} {when} +0000\ncommitter {AUTHOR} {when} +0000\n".encode())
        self.data(message)
        if parent:
            self.raw(f"from :{parent}\n".encode())


def git(repo: Path, *args: str, **kw):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, **kw)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=100_000, help="source files (default 100000)")
    ap.add_argument("--docs", type=int, default=5_000, help="runbooks under docs/ (default 5000)")
    ap.add_argument("--changed", type=int, default=10_000, help="source files changed by the feature commit (default 10000)")
    ap.add_argument("--out", required=True, type=Path, help="directory to create (must not exist or be empty)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--bare", action="store_true", help="no working tree (HEAD -> feature); docgate then reads .docgate.yml from the head commit")
    ap.add_argument("--no-repack", action="store_true", help="keep fast-import's pack as is")
    args = ap.parse_args()
    if args.files < 100 or args.docs < 1 or not 1 <= args.changed <= args.files // 2:
        ap.error("need --files >= 100, --docs >= 1 and 1 <= --changed <= files/2")

    out: Path = args.out
    if out.exists() and any(out.iterdir()):
        ap.error(f"{out} exists and is not empty")
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    rng = random.Random(args.seed)

    files, packages = layout(rng, args.files)
    docs = make_docs(rng, args.docs, packages)

    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    init = ["git", "init", "-q", "-b", "main"] + (["--bare"] if args.bare else []) + [str(out)]
    subprocess.run(init, check=True, env=env)
    git_dir = out if args.bare else out / ".git"
    proc = subprocess.Popen(
        ["git", "-C", str(out), "fast-import", "--quiet", "--done"],
        stdin=subprocess.PIPE,
        env=env,
    )
    s = Stream(proc)

    # Commit 1: everything.
    s.commit("refs/heads/main", 1, DATE_1, f"bench: {args.files} source files and {args.docs} runbooks\n", None)
    s.modify(".docgate.yml", CONFIG)
    for f in files:
        s.modify(f.path, source_text(f.path, f.num, f.ext))
    for d in docs:
        s.modify(d["path"], doc_text(d))

    # Commit 2: the feature change.
    n = args.changed
    n_add = max(0, round(n * 0.02))
    n_del = max(0, round(n * 0.05))
    n_ren = max(0, round(n * 0.05))
    n_mod = n - n_add - n_del - n_ren
    picked = rng.sample(range(len(files)), n_mod + n_del + n_ren)
    mods = picked[:n_mod]
    dels = picked[n_mod:n_mod + n_del]
    rens = picked[n_mod + n_del:]
    s.commit(
        "refs/heads/feature", 2, DATE_2,
        f"bench: change {n} files ({n_mod} modified, {n_del} deleted, {n_ren} renamed, {n_add} added)\n\n"
        "A mass refactor touching code across the repository.\n",
        1,
    )
    for i in mods:
        f = files[i]
        s.modify(f.path, source_text(f.path, f.num, f.ext, rev=1))
    for i in dels:
        s.delete(files[i].path)
    for j, i in enumerate(rens):
        f = files[i]
        new = f"{f.folder}/item_{f.num:04d}.{f.ext}"
        s.delete(f.path)
        # Two thirds pure renames, one third renamed and edited (still > 50% similar).
        s.modify(new, source_text(f.path, f.num, f.ext, rev=1 if j % 3 == 2 else 0))
    folders = sorted({f.folder for f in files})
    for k in range(n_add):
        folder = folders[rng.randrange(len(folders))]
        path = f"{folder}/new_{k:04d}.py"
        s.modify(path, source_text(path, 5000 + k, "py") + f"# added by the feature ({k})\n")
    n_doc_changes = max(1, round(len(docs) * 0.01))
    doc_changes = rng.sample(range(len(docs)), n_doc_changes)
    for j, i in enumerate(doc_changes):
        d = docs[i]
        extra = f"\nUpdated for the refactor: {' '.join(WORDS[j % 20:j % 20 + 8])}.\n"
        s.modify(d["path"], doc_text(d, extra, "2026-01-16" if j % 2 == 0 else "2026-01-15"))
    s.raw(b"done\n")
    s.flush()
    proc.stdin.close()
    if proc.wait() != 0:
        print("gen.py: git fast-import failed", file=sys.stderr)
        return 1
    t_import = time.monotonic() - t0

    if not args.no_repack:
        git(out, "repack", "-a", "-d", "-q", env=env)
    t_repack = time.monotonic() - t0 - t_import

    if args.bare:
        git(out, "symbolic-ref", "HEAD", "refs/heads/feature", env=env)
    else:
        git(out, "checkout", "-q", "feature", env=env)
    t_checkout = time.monotonic() - t0 - t_import - t_repack

    info = {
        "gen_version": GEN_VERSION,
        "seed": args.seed,
        "files": args.files,
        "docs": args.docs,
        "changed": n,
        "bare": args.bare,
        "packages": len(packages),
        "folders": len(folders),
        "key_files": sum(len(d["key_files"]) for d in docs),
        "key_files_exact": sum(1 for d in docs for k in d["key_files"] if not k.startswith('"') and not k.endswith("/")),
        "key_files_folders": sum(1 for d in docs for k in d["key_files"] if k.endswith("/")),
        "key_files_globs": sum(1 for d in docs for k in d["key_files"] if k.startswith('"')),
        "feature": {"modified": n_mod, "deleted": n_del, "renamed": n_ren, "added": n_add, "docs_changed": n_doc_changes},
        "seconds": {"import": round(t_import, 1), "repack": round(t_repack, 1), "checkout": round(t_checkout, 1)},
    }
    (git_dir / "docgate-bench.json").write_text(json.dumps(info, indent=2) + "\n")
    print(
        f"gen.py: {out}: {args.files} files, {args.docs} docs ({info['key_files']} key_files), "
        f"change of {n} files + {n_doc_changes} docs; import {t_import:.1f}s, "
        f"repack {t_repack:.1f}s, {'bare' if args.bare else 'checkout'} {t_checkout:.1f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
