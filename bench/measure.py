#!/usr/bin/env python3
"""Timing helper for bench/run.sh (Python 3.11 stdlib only).

    measure.py run --label L --cwd DIR --runs 5 --warmup 1 --ok 0,1 -- CMD...
        Runs CMD (stdout and stderr to /dev/null) warmup+runs times; prints one
        JSON line: wall seconds of each measured run (perf_counter around
        fork/exec/wait4) and the peak RSS of each (ru_maxrss from wait4, the
        child's own high-water mark). An exit code outside --ok aborts with
        exit 3 and the command's stderr.

    measure.py report FILE.jsonl
        The SPEC §10 table and verdict for one repository; exit 1 on a miss.

    measure.py size --files F --docs D --changed C REPORT.json
        One JSON line with the size of a docgate JSON report: findings and
        covering-doc references (the `docs` of every finding).

    measure.py repo FILE.jsonl
        The real-repository table (run.sh --repo): the large range against
        `git diff --name-status` (wall <= 1.5x, peak RSS <= 1.1x: exit 1 on a
        miss) and the small change against its floor (git diff + reading every
        doc blob; reported, RSS over 3x the floor is a miss).

    measure.py scale FILE.jsonl
        docgate time per size, the growth per series and the changed x docs
        interaction; exit 1 when growth is not linear.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

TIME_RATIO_MAX = 1.5
RSS_MAX_MB = 150.0


def run_once(cmd: list[str], cwd: str, ok: set[int]) -> tuple[float, float, int]:
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        try:
            proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        except OSError as e:
            print(f"\n*** BENCHMARK ABORTED: cannot run `{' '.join(cmd)}` in {cwd}: {e}", file=sys.stderr)
            sys.exit(3)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        code = proc.returncode
        if code not in ok:
            err.seek(0)
            msg = err.read().decode(errors="replace")
            print(
                f"\n*** BENCHMARK ABORTED: `{' '.join(cmd)}` exited {code} "
                f"(expected one of {sorted(ok)}) in {cwd}\n{msg}",
                file=sys.stderr,
            )
            sys.exit(3)
    return wall, usage.ru_maxrss / 1024.0, code


def cmd_run(a) -> int:
    ok = {int(x) for x in a.ok.split(",")}
    for _ in range(a.warmup):
        run_once(a.cmd, a.cwd, ok)
    walls, rss, codes = [], [], []
    for _ in range(a.runs):
        w, r, c = run_once(a.cmd, a.cwd, ok)
        walls.append(round(w, 4))
        rss.append(round(r, 1))
        codes.append(c)
    rec = {
        "label": a.label,
        "cmd": a.cmd,
        "files": a.files,
        "docs": a.docs,
        "changed": a.changed,
        "walls": walls,
        "rss_mb": rss,
        "codes": sorted(set(codes)),
        "median_s": round(statistics.median(walls), 4),
        "min_s": round(min(walls), 4),
        "max_rss_mb": max(rss),
    }
    print(json.dumps(rec), flush=True)
    print(
        f"  {a.label:<34} median {rec['median_s']:7.3f}s  min {rec['min_s']:7.3f}s  "
        f"max RSS {rec['max_rss_mb']:6.1f} MB  exit {','.join(map(str, rec['codes']))}",
        file=sys.stderr,
    )
    return 0


def cmd_size(a) -> int:
    with open(a.report) as f:
        r = json.load(f)
    findings = r.get("findings", [])
    rec = {
        "label": "report size",
        "files": a.files,
        "docs": a.docs,
        "changed": a.changed,
        "findings": len(findings),
        "doc_refs": sum(len(x.get("docs") or []) for x in findings),
        "bytes": os.path.getsize(a.report),
    }
    print(json.dumps(rec))
    return 0


def load(path: str) -> list[dict]:
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def cmd_report(a) -> int:
    recs = {r["label"]: r for r in load(a.file)}
    git = recs["git diff --name-status"]
    git3 = recs.get("git diff --name-status -M ...")
    dg = recs["docgate check"]
    size = f"{dg['files']} files, {dg['docs']} docs, {dg['changed']}-file change"
    n = len(dg["walls"])
    print(f"\nSPEC §10 benchmark: {size}; median of {n} runs after warm-up; peak RSS = max over runs\n")
    print(f"| {'command':<52} | {'median wall s':>13} | {'min s':>7} | {'max RSS MB':>10} |")
    print(f"|{'-' * 54}|{'-' * 15}|{'-' * 9}|{'-' * 12}|")
    for r, name in (
        (git, "git diff --name-status main feature"),
        (git3, "git diff --name-status -M main...feature"),
        (dg, "docgate check --base main --head feature (json)"),
    ):
        if r:
            print(f"| {name:<52} | {r['median_s']:>13.3f} | {r['min_s']:>7.3f} | {r['max_rss_mb']:>10.1f} |")
    ratio = dg["median_s"] / git["median_s"]
    print()
    print(f"time ratio docgate / git diff           : {ratio:6.2f}x  (target <= {TIME_RATIO_MAX}x)  {'PASS' if ratio <= TIME_RATIO_MAX else 'FAIL'}")
    if git3:
        print(f"time ratio docgate / git diff -M ...    : {dg['median_s'] / git3['median_s']:6.2f}x  (for reference)")
    rss_ok = dg["max_rss_mb"] < RSS_MAX_MB
    print(f"docgate peak RSS                        : {dg['max_rss_mb']:6.1f} MB (target < {RSS_MAX_MB:.0f} MB)  {'PASS' if rss_ok else 'FAIL'}")
    print(f"git diff peak RSS (for reference)       : {git['max_rss_mb']:6.1f} MB")
    ok = ratio <= TIME_RATIO_MAX and rss_ok
    print(f"\nverdict: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


REPO_RSS_RATIO_MAX = 1.1
SMALL_RSS_RATIO_MAX = 3.0


def cmd_repo(a) -> int:
    rows = {r["label"]: r for r in load(a.file)}
    need = ["git diff large", "docgate large", "git diff small", "floor small", "docgate small"]
    missing = [k for k in need if k not in rows]
    if missing:
        print(f"measure.py repo: no measurement for {', '.join(missing)}", file=sys.stderr)
        return 3
    print("| command | median wall s | min s | peak RSS MB |")
    print("|---|---:|---:|---:|")
    for k in need:
        r = rows[k]
        print(f"| {k}: {' '.join(r['cmd'][:2] if k.startswith('docgate') else r['cmd'][:3])} | {r['median_s']:.3f} | {r['min_s']:.3f} | {r['max_rss_mb']:.1f} |")
    g, d = rows["git diff large"], rows["docgate large"]
    f, s = rows["floor small"], rows["docgate small"]
    t = d["median_s"] / g["median_s"]
    m = d["max_rss_mb"] / g["max_rss_mb"]
    ms = s["max_rss_mb"] / f["max_rss_mb"]
    ok = t <= TIME_RATIO_MAX and m <= REPO_RSS_RATIO_MAX and ms <= SMALL_RSS_RATIO_MAX
    print()
    print(f"large range: time {t:.2f}x git diff (target <= {TIME_RATIO_MAX}x) {'PASS' if t <= TIME_RATIO_MAX else 'FAIL'}; "
          f"peak RSS {m:.2f}x (target <= {REPO_RSS_RATIO_MAX}x) {'PASS' if m <= REPO_RSS_RATIO_MAX else 'FAIL'}")
    print(f"small change: time {s['median_s'] / f['median_s']:.2f}x the floor, peak RSS {ms:.2f}x the floor "
          f"(target <= {SMALL_RSS_RATIO_MAX}x) {'PASS' if ms <= SMALL_RSS_RATIO_MAX else 'FAIL'}")
    print(f"verdict: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def slopes(points: list[tuple[int, float]]) -> list[float]:
    return [(t2 - t1) / (x2 - x1) for (x1, t1), (x2, t2) in zip(points, points[1:])]


# Scale mode compares small differences between sizes: use the best run.
STAT = "min_s"


def interaction(v: dict, C: int, D: int, c0: int, d0: int) -> tuple[float, float] | None:
    """v(C,D) - v(c0,D) - v(C,d0) + v(c0,d0), and its share of v(C,D) - v(c0,d0).

    0 when v = a + b*changed + c*docs; (C-c0)(D-d0)/(CD-c0*d0) (73% at 10x
    changed and 5x docs) when v = k*changed*docs."""
    corner = [(C, D), (c0, D), (C, d0), (c0, d0)]
    if not all(k in v for k in corner) or C <= c0 or D <= d0:
        return None
    inter = v[(C, D)] - v[(c0, D)] - v[(C, d0)] + v[(c0, d0)]
    span = v[(C, D)] - v[(c0, d0)]
    return inter, (inter / span if span > 0 else 0.0)


def cmd_scale(a) -> int:
    recs = load(a.file)

    def by(label: str) -> dict:
        return {(r["changed"], r["docs"]): r for r in recs if r["label"] == label}

    dg, mo, git, size = by("docgate check"), by("docgate check (matching only)"), by("git diff --name-status"), by("report size")
    cs = sorted({c for c, _ in dg})
    ds = sorted({d for _, d in dg})
    C, D, c0, d0 = cs[-1], ds[-1], cs[0], ds[0]
    files = recs[0]["files"]
    nan = float("nan")
    n = len(recs[0].get("walls", [])) or "?"
    print(
        f"\nscale mode: {files} source files; wall seconds, best of {n} runs (the minimum is the least disturbed by\n"
        "other work on the machine; medians are in the log above); 'matching only' = coverage.enforce off\n"
        "(bench/matching-only.yml)\n"
    )
    print(f"| {'changed':>7} | {'docs':>5} | {'docgate s':>9} | {'matching only s':>15} | {'git diff s':>10} | {'ratio':>5} | {'RSS MB':>6} | {'findings':>8} | {'doc refs':>8} |")
    print(f"|{'-' * 9}|{'-' * 7}|{'-' * 11}|{'-' * 17}|{'-' * 12}|{'-' * 7}|{'-' * 8}|{'-' * 10}|{'-' * 10}|")
    for key in sorted(dg, key=lambda k: (k[1], k[0])):
        r = dg[key]
        g = git[key][STAT] if key in git else nan
        m = mo[key][STAT] if key in mo else nan
        z = size.get(key, {})
        print(
            f"| {key[0]:>7} | {key[1]:>5} | {r[STAT]:>9.3f} | {m:>15.3f} | {g:>10.3f} | {r[STAT] / g:>5.1f} | "
            f"{r['max_rss_mb']:>6.1f} | {z.get('findings', 0):>8} | {z.get('doc_refs', 0):>8} |"
        )
    ok = True
    print()
    for name, pts in (
        (f"changed files (docs = {D})", [(c, dg[(c, D)][STAT]) for c in cs if (c, D) in dg]),
        (f"docs (changed = {C})", [(d, dg[(C, d)][STAT]) for d in ds if (C, d) in dg]),
    ):
        s = slopes(pts)
        if len(s) < 2:
            continue
        # Linear (with a fixed start-up cost) keeps the slope; quadratic growth
        # makes the upper slope ~2.8x the lower one at these sizes. Tiny
        # differences (< 30 ms) are noise.
        rise = pts[-1][1] - pts[-2][1]
        superlinear = s[1] > 2 * max(s[0], 0) and rise > 0.03
        ok &= not superlinear
        print(
            f"docgate growth with {name}: {s[0] * 1e6:.1f} then {s[1] * 1e6:.1f} ms per 1000  "
            f"{'SUPERLINEAR (FAIL)' if superlinear else 'linear (PASS)'}"
        )
    product_share = (C - c0) * (D - d0) / (C * D - c0 * d0) if C > c0 and D > d0 else 0
    print(
        f"\nchanged x docs interaction v({C},{D}) - v({c0},{D}) - v({C},{d0}) + v({c0},{d0}), as a share of "
        f"v({C},{D}) - v({c0},{d0}); ~0% when additive, ~{product_share:.0%} when a product:"
    )
    refs = interaction({k: v["doc_refs"] for k, v in size.items()}, C, D, c0, d0)
    if refs:
        print(f"  report size (covering-doc references) : {refs[0]:>8.0f} refs  {refs[1]:4.0%}  (the report itself grows with changed x coverage density)")
    full = interaction({k: v[STAT] for k, v in dg.items()}, C, D, c0, d0)
    if full:
        print(f"  docgate check                         : {full[0]:>8.3f} s     {full[1]:4.0%}  (includes building and writing that report)")
    match = interaction({k: v[STAT] for k, v in mo.items()}, C, D, c0, d0)
    if match:
        # Verdict on the run without doc-not-updated findings: what is left is
        # diff, doc loading and matching, whose cost must be additive.
        product = match[1] > 0.25 and match[0] > 0.05
        ok &= not product
        print(
            f"  docgate check, matching only          : {match[0]:>8.3f} s     {match[1]:4.0%}  "
            f"{'PRODUCT (FAIL)' if product else 'additive (PASS)'}"
        )
    print(f"\nscale verdict: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    r = sub.add_parser("run")
    r.add_argument("--label", required=True)
    r.add_argument("--cwd", required=True)
    r.add_argument("--runs", type=int, default=5)
    r.add_argument("--warmup", type=int, default=1)
    r.add_argument("--ok", default="0")
    r.add_argument("--files", type=int, default=0)
    r.add_argument("--docs", type=int, default=0)
    r.add_argument("--changed", type=int, default=0)
    r.add_argument("cmd", nargs=argparse.REMAINDER)
    for name in ("report", "scale", "repo"):
        p = sub.add_parser(name)
        p.add_argument("file")
    z = sub.add_parser("size")
    for k in ("files", "docs", "changed"):
        z.add_argument(f"--{k}", type=int, default=0)
    z.add_argument("report")
    a = ap.parse_args()
    if a.what == "run":
        if a.cmd and a.cmd[0] == "--":
            a.cmd = a.cmd[1:]
        if not a.cmd or a.runs < 1:
            ap.error("run needs --runs >= 1 and a command after --")
        return cmd_run(a)
    if a.what == "size":
        return cmd_size(a)
    return {"report": cmd_report, "scale": cmd_scale, "repo": cmd_repo}[a.what](a)


if __name__ == "__main__":
    sys.exit(main())
