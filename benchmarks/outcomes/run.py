"""Benchmark allmende.outcomes against pabutools 1.2.3 on every file of ../shared/pabulib/.

    python benchmarks/outcomes/run.py [--pabutools-timeout 120] [--repeat 3] [--rules mes,mes-add1]
                                      [--files PATTERN] [--reuse-pabutools]

For every file and rule: our time (median of ``--repeat`` runs, parsing excluded), pabutools' time in
a subprocess (parsing excluded, killed after the timeout: "did not finish in S s"), whether the selected
sets are identical, and the ratio. Writes ``RESULTS.md`` (with the machine) and ``results.json`` beside
this script. ``--reuse-pabutools`` keeps pabutools' numbers from an earlier ``results.json`` and only
re-measures ours.
"""

from __future__ import annotations

import argparse
import datetime
import fnmatch
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from allmende.outcomes import RULES, compute, read_pb  # noqa: E402
from allmende.outcomes.profile import Compiled  # noqa: E402

REF_SCRIPT = REPO / "tests" / "outcomes" / "pabutools_ref.py"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run_pabutools(path: Path, rule: str, timeout: float) -> dict:
    try:
        proc = subprocess.run(
            [sys.executable, str(REF_SCRIPT), str(path), rule, "equalshares"],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"finished": False}
    if proc.returncode != 0:
        return {"finished": False, "error": proc.stderr.strip().splitlines()[-1:]}
    data = json.loads(proc.stdout)
    return {"finished": True, "seconds": data["seconds"], "selected": data["selected"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--pabulib", default=os.environ.get("ALLMENDE_PABULIB_DIR", str(REPO.parent / "shared" / "pabulib"))
    )
    ap.add_argument("--pabutools-timeout", type=float, default=120)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rules", default=",".join(RULES))
    ap.add_argument("--files", default="*.pb", help="glob pattern(s) of file names, comma-separated")
    ap.add_argument("--reuse-pabutools", action="store_true")
    args = ap.parse_args()
    rules = args.rules.split(",")
    patterns = args.files.split(",")
    files = sorted(
        (p for p in Path(args.pabulib).glob("*.pb") if any(fnmatch.fnmatch(p.name, pat) for pat in patterns)),
        key=lambda p: p.stat().st_size,
    )
    out_json = HERE / "results.json"
    old = json.loads(out_json.read_text()) if out_json.exists() else {"rows": []}
    old_rows = {(r["file"], r["rule"]): r for r in old.get("rows", [])}
    rows = dict(old_rows)
    parse_times = dict(old.get("parse_seconds", {}))
    for path in files:
        t = time.perf_counter()
        inst = read_pb(path)
        parse_times[path.name] = round(time.perf_counter() - t, 4)
        cp = Compiled(inst)
        for rule in rules:
            if rule == "phragmen" and not inst.approval_like:
                continue
            if hasattr(os, "getloadavg"):
                LOADS.append(os.getloadavg()[0])
            times = []
            out = None
            for _ in range(args.repeat):
                cp = Compiled(inst)  # fresh: no per-instance cache survives between repetitions
                t = time.perf_counter()
                out = compute(cp, rule)
                times.append(time.perf_counter() - t)
            row = {
                "file": path.name,
                "rule": rule,
                "voters": len(inst.voters),
                "projects": len(inst.projects),
                "vote_type": inst.vote_type,
                "ours_seconds": statistics.median(times),
                "ours_selected": sorted(out.selected),
                "evaluations": out.details.get("evaluations"),
            }
            prev = old_rows.get((path.name, rule))
            if args.reuse_pabutools and prev and "pabutools" in prev:
                row["pabutools"] = prev["pabutools"]
            else:
                row["pabutools"] = run_pabutools(path, rule, args.pabutools_timeout)
            row["pabutools_timeout"] = (
                args.pabutools_timeout if not row["pabutools"].get("finished") else None
            )
            if prev and args.reuse_pabutools and prev.get("pabutools_timeout"):
                row["pabutools_timeout"] = prev["pabutools_timeout"]
            rows[(path.name, rule)] = row
            pb = row["pabutools"]
            status = f"{pb['seconds']:.3f}s" if pb.get("finished") else "dnf"
            print(
                f"{path.name:60s} {rule:16s} ours {row['ours_seconds']:.4f}s  pabutools {status}", flush=True
            )
            save(rows, parse_times, args)
    save(rows, parse_times, args)
    return 0


def save(rows: dict, parse_times: dict, args) -> None:
    data = {"machine": machine(), "rows": list(rows.values()), "parse_seconds": parse_times}
    (HERE / "results.json").write_text(json.dumps(data, indent=1))
    (HERE / "RESULTS.md").write_text(render(data, args))


LOADS: list[float] = []  # 1-minute load average, sampled before every measurement


def machine() -> dict:
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.date.today().isoformat(),
        "load": [min(LOADS), statistics.median(LOADS), max(LOADS)] if LOADS else None,
    }


def render(data: dict, args) -> str:
    m = data["machine"]
    lines = [
        "# allmende.outcomes benchmark",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, Python {m['python']} ({m['platform']}), {m['date']}.",
        "",
        *(
            [
                f"Load (1-minute average before each measurement of this run, min / median / max): "
                f"{m['load'][0]:.2f} / {m['load'][1]:.2f} / {m['load'][2]:.2f} on {m['cores']} cores "
                "(the machine is shared with other work).",
                "",
            ]
            if m.get("load")
            else []
        ),
        "Command: `python benchmarks/outcomes/run.py "
        f"--pabutools-timeout {args.pabutools_timeout:g} --repeat {args.repeat}"
        + (
            f' --rules {args.rules} --files "{args.files}"'
            if args.files != "*.pb" or args.rules != ",".join(RULES)
            else ""
        )
        + (" --reuse-pabutools" if args.reuse_pabutools else "")
        + "`"
        " (ours: median of the repetitions; pabutools 1.2.3 with exact fractions, one run in a subprocess;"
        " parsing excluded for both; tie-breaking `equalshares`).",
        "",
        "| file | voters | type | rule | ours (s) | pabutools (s) | speed-up | same set | MES runs |",
        "|---|---:|---|---|---:|---:|---:|---|---:|",
    ]
    rows = sorted(data["rows"], key=lambda r: (-r["voters"], r["file"], RULES.index(r["rule"])))
    for r in rows:
        pb = r["pabutools"]
        if pb.get("finished"):
            pt = f"{pb['seconds']:.3f}"
            ratio = f"{pb['seconds'] / max(r['ours_seconds'], 1e-9):.0f}×"
            same = "yes" if pb["selected"] == r["ours_selected"] else "**NO**"
        else:
            pt = f"did not finish in {r.get('pabutools_timeout') or args.pabutools_timeout:g} s"
            ratio = "–"
            same = "–"
        ev = r.get("evaluations")
        lines.append(
            f"| {r['file'].removesuffix('.pb')} | {r['voters']} | {r['vote_type']} | {r['rule']} | "
            f"{r['ours_seconds']:.4f} | {pt} | {ratio} | {same} | {ev if ev is not None else ''} |"
        )
    lines += ["", "Parsing (ours, seconds, incl. building the instance):", ""]
    for name, sec in sorted(data["parse_seconds"].items(), key=lambda kv: -kv[1])[:5]:
        lines.append(f"- {name}: {sec:.3f}")
    lines.append("")
    notes = HERE / "NOTES.md"
    if notes.exists():
        lines += [notes.read_text().rstrip(), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
