#!/usr/bin/env python3
"""Repositories for bench/code_rules.sh, the code-rules benchmark (issue 11)
(Python 3.11 stdlib only).

    gen_pymodules.py generated --out DIR [--modules 20000] [--inference 200] [--large 2000] [--seed N]
    gen_pymodules.py real --out DIR --venv .cache/venv

`generated`: a repository of `--modules` Python modules in packages, built
with `git fast-import`, with a working tree checked out at `main`:

- layers `common/` < `libs/` < `models/` < `training/`, `services/` <
  `inference/`, each `LAYER/PKG/SUB/m_NN.py` (25 modules per folder, every
  folder a regular package with an `__init__.py` that imports two of its
  modules). `inference/` has `--inference` modules (the forbidden-import
  and silent-fallback rules' paths).
- every module imports 3-8 modules of the repository: siblings (`from . import
  m_07`, `from .m_07 import helper_7`: sibling imports go both ways, so there
  are cycles), the parent's other folders (`from ..s_2 import m_05`), and
  lower layers (`import libs.p_03.s_1.m_04`, `from models.p_01.s_0 import
  m_12`), plus 1-3 imports of the standard library and third-party modules that
  the repository does not hold (`os`, `numpy`, ...), one in 10 modules an
  `if TYPE_CHECKING:` import, one in 20 an import inside a function.
- `import ray` in 6 modules deep in `training/` (also `from ray import serve`,
  `importlib.import_module("ray.tune")`, one inside a function) and one
  `models/` module that imports one of them (the accident the rule is for),
  so `lint` reports chains from `inference/`.
- bodies of ~40 lines: a class, functions, `try`/`except` that re-raise; one
  in 8 inference modules has a handler that returns a default (a silent
  fallback), one in 40 the same with a `# docgate: allow[silent-fallback]`
  reason.
- `.docgate.yml`: `no-ray-in-inference` on `inference/**/*.py`,
  `silent_fallback` on `inference/**/*.py`.
- `main`: everything. `small` (off main): 3 files: an inference module gains
  a function with a silent fallback, a libs module gains an import of a
  training module that imports ray, a common module gains a line.
  `large` (off main): `--large` modules across all layers (20 of them in
  inference/) each gain an import line and a changed function.

`real`: the `.py` files of this machine's CPython standard library (without
`site-packages` and `__pycache__`) under `stdlib/`, and numpy and pandas from
the venv under `site/numpy/` and `site/pandas/`, in one commit on `main`, with
the config of tests/it/real_code.rs (every file under both rules, source roots
`stdlib` and `site`).

Deterministic (fixed seed and dates). Parameters and counts go to
`docgate-bench.json` in the git dir.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import sysconfig
from pathlib import Path

SEED = 11
DATE = 1_780_272_000
AUTHOR = "bench <bench@example.invalid>"
PER_FOLDER = 25

GEN_CONFIG = """\
# docgate code-rules benchmark repository (bench/gen_pymodules.py)
version: 1
forbidden_imports:
  - id: no-ray-in-inference
    paths: ["inference/**/*.py"]
    modules: [ray]
    reason: "Ray in inference containers segfaults (post-mortem 2026-02-06)"
silent_fallback:
  paths: ["inference/**/*.py"]
"""

REAL_CONFIG = """\
# docgate code-rules benchmark on real code (bench/gen_pymodules.py real)
forbidden_imports:
  - id: no-ray
    paths: ["**/*.py"]
    modules: [ray]
    reason: test
  - id: no-socket-in-http
    paths: ["stdlib/http/client.py"]
    modules: [_socket]
    reason: test
silent_fallback:
  paths: ["**/*.py"]
python:
  source_roots: [stdlib, site]
"""

EXTERNAL = [
    "import os", "import sys", "import json", "import logging", "import time",
    "import numpy as np", "import pandas as pd", "from typing import Any, Optional",
    "from dataclasses import dataclass", "import torch", "from collections import defaultdict",
    "import requests", "from pathlib import Path",
]


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

    def modify(self, path: str, data: bytes):
        self.raw(b"M 100644 inline " + path.encode() + b"\n")
        self.raw(b"data %d\n" % len(data) + data + b"\n")

    def commit(self, ref: str, mark: int, when: int, message: str, parent: int | None):
        self.raw(f"commit {ref}\nmark :{mark}\n".encode())
        self.raw(f"author {AUTHOR} {when} +0000\ncommitter {AUTHOR} {when} +0000\n".encode())
        m = message.encode()
        self.raw(b"data %d\n" % len(m) + m + b"\n")
        if parent:
            self.raw(f"from :{parent}\n".encode())


def env() -> dict:
    return dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)


def git(repo: Path, *args: str, **kw):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, env=env(), **kw)


def fast_import(out: Path, commits) -> None:
    """commits: (ref, message, parent mark or None, [(path, bytes)]); marks 1.."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True, env=env())
    proc = subprocess.Popen(["git", "-C", str(out), "fast-import", "--quiet", "--done"],
                            stdin=subprocess.PIPE, env=env())
    s = Stream(proc)
    for mark, (ref, message, parent, files) in enumerate(commits, start=1):
        s.commit(ref, mark, DATE + 60 * mark, message, parent)
        for path, data in files:
            s.modify(path, data)
    s.raw(b"done\n")
    s.flush()
    proc.stdin.close()
    if proc.wait() != 0:
        sys.exit("gen_pymodules.py: git fast-import failed")
    git(out, "repack", "-a", "-d", "-q")
    git(out, "checkout", "-q", "-f", "main")


# ---------------------------------------------------------------- generated

LAYERS = ["common", "libs", "models", "training", "services", "inference"]
# Which layers each layer imports from (besides itself).
BELOW = {
    "common": [],
    "libs": ["common"],
    "models": ["libs", "common"],
    "training": ["models", "libs", "common"],
    "services": ["models", "libs", "common"],
    "inference": ["models", "libs", "common", "services"],
}
SHARE = {"common": 0.06, "libs": 0.40, "models": 0.12, "training": 0.20, "services": 0.22}


class Mod:
    def __init__(self, layer: str, pkg: int, sub: int, num: int):
        self.layer, self.pkg, self.sub, self.num = layer, pkg, sub, num
        self.folder = f"{layer}/p_{pkg:02d}/s_{sub}"
        self.name = f"m_{num:02d}"
        self.path = f"{self.folder}/{self.name}.py"
        self.dotted = self.folder.replace("/", ".") + "." + self.name
        self.imports: list[str] = []   # import statements at the top
        self.ray = ""                  # an extra ray import (training only)
        self.fallback = ""             # "", "plain" or "allowed"


def layout(modules: int, inference: int) -> list[Mod]:
    """Modules (not counting the packages' __init__.py) per layer and folder."""
    counts = {}
    folders_per_pkg = 4
    rest = modules - inference
    for layer, share in SHARE.items():
        counts[layer] = int(rest * share)
    counts["inference"] = inference
    # __init__.py files count as modules too: leave room for them.
    mods = []
    for layer in LAYERS:
        n = counts[layer]
        per_pkg = PER_FOLDER * folders_per_pkg
        made = 0
        pkg = 0
        while made < n:
            for sub in range(folders_per_pkg):
                for num in range(PER_FOLDER):
                    if made >= n:
                        break
                    mods.append(Mod(layer, pkg, sub, num))
                    made += 1
            pkg += 1
        assert made == n, per_pkg
    return mods


def packages(mods: list[Mod]) -> list[str]:
    """Every package folder (each gets an __init__.py)."""
    out = set()
    for m in mods:
        parts = m.folder.split("/")
        for i in range(1, len(parts) + 1):
            out.add("/".join(parts[:i]))
    return sorted(out)


def pick_imports(rng: random.Random, m: Mod, by_folder: dict, by_layer: dict) -> list[str]:
    lines = []
    n = rng.randint(3, 8)
    siblings = [x for x in by_folder[m.folder] if x is not m]
    parent = m.folder.rsplit("/", 1)[0]
    cousins = [f for f in by_folder if f.rsplit("/", 1)[0] == parent and f != m.folder]
    for _ in range(n):
        r = rng.random()
        if r < 0.35 and siblings:
            t = rng.choice(siblings)
            lines.append(rng.choice([f"from . import {t.name}", f"from .{t.name} import helper_{t.num}"]))
        elif r < 0.50 and cousins:
            f = rng.choice(cousins)
            t = rng.choice(by_folder[f])
            lines.append(f"from ..{f.rsplit('/', 1)[1]} import {t.name}")
        elif r < 0.65:
            t = rng.choice(by_layer[m.layer])
            if t is not m:
                lines.append(f"from {t.folder.replace('/', '.')} import {t.name}")
        elif BELOW[m.layer]:
            layer = rng.choice(BELOW[m.layer])
            t = rng.choice(by_layer[layer])
            lines.append(rng.choice([
                f"import {t.dotted}",
                f"from {t.folder.replace('/', '.')} import {t.name}",
                f"from {t.dotted} import helper_{t.num}",
            ]))
    for _ in range(rng.randint(1, 3)):
        lines.append(rng.choice(EXTERNAL))
    return list(dict.fromkeys(lines))


def module_text(rng_seed: int, m: Mod, extra: str = "", rev: int = 0) -> bytes:
    rng = random.Random(rng_seed)
    out = [f'"""{m.dotted}: generated by bench/gen_pymodules.py."""\n', "from __future__ import annotations\n\n"]
    out += [line + "\n" for line in m.imports]
    if m.ray:
        out.append(m.ray + "\n")
    if extra:
        out.append(extra + "\n")
    if rng.random() < 0.1:
        out.append("from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import ray\n    from ray import serve\n")
    out.append(f"\nLIMIT_{m.num} = {rng.randint(1, 999)}\n\n\n")
    out.append(
        f"def helper_{m.num}(value, scale={rev + 1}):\n"
        f'    """Scale a value (revision {rev})."""\n'
        f"    if value is None:\n"
        f"        raise ValueError('no value')\n"
        f"    return value * scale + LIMIT_{m.num}\n\n\n"
        f"class Handler{m.num}:\n"
        f"    def __init__(self, config):\n"
        f"        self.config = dict(config)\n"
        f"        self.calls = 0\n\n"
        f"    def run(self, batch):\n"
        f"        self.calls += 1\n"
        f"        try:\n"
        f"            return [helper_{m.num}(x) for x in batch]\n"
        f"        except (TypeError, ValueError) as exc:\n"
        f"            raise RuntimeError(f'batch {{self.calls}} failed') from exc\n\n"
        f"    def close(self):\n"
        f"        for key in list(self.config):\n"
        f"            if key.startswith('_'):\n"
        f"                continue\n"
        f"            self.config.pop(key)\n"
    )
    if rng.random() < 0.05:
        out.append(f"\n\ndef lazy_{m.num}():\n    import json\n    from . import {m.name}\n    return json, {m.name}\n")
    if m.fallback == "plain":
        out.append(
            f"\n\ndef predict_{m.num}(model, features):\n"
            f"    try:\n"
            f"        return model.predict(features)\n"
            f"    except Exception as exc:\n"
            f"        print('model failed, serving the heuristic', exc)\n"
            f"        return [0.5 for _ in features]\n"
        )
    elif m.fallback == "allowed":
        out.append(
            f"\n\ndef lookup_{m.num}(table, key):\n"
            f"    try:\n"
            f"        return table[key]\n"
            f"    except KeyError:  # docgate: allow[silent-fallback] a missing key selects the default model, by design\n"
            f"        return table['default']\n"
        )
    return "".join(out).encode()


def init_text(pkg: str, children: list[Mod]) -> bytes:
    lines = [f'"""Package {pkg.replace("/", ".")}."""\n']
    for c in children[:2]:
        lines.append(f"from .{c.name} import helper_{c.num}\n")
    return "".join(lines).encode()


def generated(args) -> dict:
    rng = random.Random(args.seed)
    mods = layout(args.modules, args.inference)
    pkgs = packages(mods)
    # Room for the __init__.py files: drop the fewest modules from the end of
    # the biggest layer that bring modules + packages down to --modules.
    libs = [i for i, m in enumerate(mods) if m.layer == "libs"]

    def without(k: int) -> list[Mod]:
        drop = set(libs[len(libs) - k:]) if k else set()
        return [m for i, m in enumerate(mods) if i not in drop]

    lo, hi = 0, len(libs) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        kept = without(mid)
        if len(kept) + len(packages(kept)) <= args.modules:
            hi = mid
        else:
            lo = mid + 1
    mods = without(lo)
    pkgs = packages(mods)
    by_folder: dict[str, list[Mod]] = {}
    by_layer: dict[str, list[Mod]] = {layer: [] for layer in LAYERS}
    for m in mods:
        by_folder.setdefault(m.folder, []).append(m)
        by_layer[m.layer].append(m)
    for m in mods:
        m.imports = pick_imports(rng, m, by_folder, by_layer)
    # ray, deep in training/.
    training = by_layer["training"]
    ray_forms = ["import ray", "from ray import serve", "import ray.data as rd",
                 "import importlib\ntune = importlib.import_module('ray.tune')",
                 "import ray", "from ray.util import ActorPool"]
    ray_mods = [training[i] for i in rng.sample(range(len(training)), len(ray_forms))]
    for m, form in zip(ray_mods, ray_forms):
        m.ray = form
    ray_mods[-1].ray = "def _start():\n    import ray\n    return ray.init()"
    bridge = rng.choice(by_layer["models"])
    bridge.imports.append(f"from {ray_mods[0].folder.replace('/', '.')} import {ray_mods[0].name}")
    for i, m in enumerate(by_layer["inference"]):
        m.fallback = "allowed" if i % 40 == 7 else "plain" if i % 8 == 3 else ""

    index = {m.path: i for i, m in enumerate(mods)}
    texts = {m.path: module_text(args.seed * 100_000 + i, m) for i, m in enumerate(mods)}
    for p in pkgs:
        texts[f"{p}/__init__.py"] = init_text(p, by_folder.get(p, []))
    base = [(".docgate.yml", GEN_CONFIG.encode())] + sorted(texts.items())

    # small: 3 files.
    inf = by_layer["inference"][5]
    lib = by_layer["libs"][len(by_layer["libs"]) // 2]
    com = by_layer["common"][3]
    small = [
        (inf.path, texts[inf.path] + (
            "\n\ndef score_fallback(model, x):\n    try:\n        return model(x)\n"
            "    except Exception:\n        return 0.0\n").encode()),
        (lib.path, module_text(args.seed * 100_000 + index[lib.path], lib,
                               extra=f"from {ray_mods[1].folder.replace('/', '.')} import {ray_mods[1].name}")),
        (com.path, texts[com.path] + b"\nVERSION = 2\n"),
    ]
    # large: --large modules, 20 of them in inference/.
    others = [m for m in mods if m.layer != "inference"]
    chosen = rng.sample(by_layer["inference"], min(20, len(by_layer["inference"])))
    chosen += rng.sample(others, args.large - len(chosen))
    large = []
    for m in chosen:
        t = rng.choice(by_layer[rng.choice(BELOW[m.layer] or [m.layer])])
        extra = f"from {t.folder.replace('/', '.')} import {t.name} as _refactor"
        large.append((m.path, module_text(args.seed * 100_000 + index[m.path], m, extra=extra, rev=1)))
    large.sort()

    fast_import(args.out, [
        ("refs/heads/main", f"bench: {len(texts)} Python modules\n", None, base),
        ("refs/heads/small", "bench: a 3-file change\n", 1, small),
        ("refs/heads/large", f"bench: a {len(large)}-file change\n", 1, large),
    ])
    lines = sum(t.count(b"\n") for t in texts.values())
    imports = sum(len(m.imports) for m in mods)
    return {
        "mode": "generated", "seed": args.seed, "modules": len(texts), "module_files": len(mods),
        "packages": len(pkgs), "inference": len(by_layer["inference"]), "lines": lines,
        "imports_at_top": imports, "ray_modules": [m.path for m in ray_mods], "bridge": bridge.path,
        "small": [p for p, _ in small], "large": len(large),
    }


# --------------------------------------------------------------------- real

def python_files(src: Path, dest: str) -> list[tuple[str, bytes]]:
    out = []
    for root, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "__pycache__")
                         and not os.path.islink(os.path.join(root, d)))
        for f in sorted(files):
            p = os.path.join(root, f)
            if f.endswith(".py") and not os.path.islink(p) and os.path.isfile(p):
                rel = os.path.relpath(p, src)
                with open(p, "rb") as fh:
                    out.append((f"{dest}/{rel}", fh.read()))
    return out


def venv_package(venv: Path, name: str) -> Path:
    py = venv / "bin" / "python"
    code = (f"import importlib.util, os; s = importlib.util.find_spec('{name}'); "
            "print(os.path.dirname(s.origin) if s and s.origin else '')")
    try:
        out = subprocess.run([str(py), "-c", code], check=True, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out = ""
    if not out:
        sys.exit(f"gen_pymodules.py: {name} is not installed in {venv}: run `bash scripts/test-deps.sh`")
    return Path(out)


def real(args) -> dict:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = python_files(stdlib, "stdlib")
    n_std = len(files)
    numpy = venv_package(args.venv, "numpy")
    pandas = venv_package(args.venv, "pandas")
    files += python_files(numpy, "site/numpy")
    n_np = len(files) - n_std
    files += python_files(pandas, "site/pandas")
    versions = subprocess.run(
        [str(args.venv / "bin" / "python"), "-c",
         "import importlib.metadata as m; print(m.version('numpy'), m.version('pandas'))"],
        check=True, capture_output=True, text=True).stdout.split()
    fast_import(args.out, [("refs/heads/main", "bench: real Python code\n", None,
                            [(".docgate.yml", REAL_CONFIG.encode())] + files)])
    return {
        "mode": "real", "stdlib": str(stdlib), "python": sys.version.split()[0],
        "numpy": versions[0], "pandas": versions[1],
        "files": {"stdlib": n_std, "numpy": n_np, "pandas": len(files) - n_std - n_np},
        "bytes": sum(len(b) for _, b in files),
        "lines": sum(b.count(b"\n") for _, b in files),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    g = sub.add_parser("generated")
    g.add_argument("--out", required=True, type=Path)
    g.add_argument("--modules", type=int, default=20_000)
    g.add_argument("--inference", type=int, default=200)
    g.add_argument("--large", type=int, default=2_000)
    g.add_argument("--seed", type=int, default=SEED)
    r = sub.add_parser("real")
    r.add_argument("--out", required=True, type=Path)
    r.add_argument("--venv", type=Path, default=Path(".cache/venv"))
    args = ap.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        ap.error(f"{args.out} exists and is not empty")
    if args.mode == "generated" and not (1000 <= args.modules and 20 <= args.inference
                                         and 20 < args.large < args.modules // 2):
        ap.error("need --modules >= 1000, --inference >= 20, 20 < --large < modules/2")
    args.out.mkdir(parents=True, exist_ok=True)
    info = generated(args) if args.mode == "generated" else real(args)
    (args.out / ".git" / "docgate-bench.json").write_text(json.dumps(info, indent=1) + "\n")
    print(json.dumps({k: v for k, v in info.items() if k not in ("ray_modules",)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
