"""Callgrind instruction counts of a rule on a file (the whole computation, parsing and compiling excluded).

    nice -n 19 .venv/bin/python benchmarks/outcomes/callgrind.py FILE[,FILE...] [--rule mes-add1] [--ref REF]

Runs the process twice under ``valgrind --tool=callgrind``: once reading and compiling the instance and
computing the rule, once stopping after compiling; prints the difference (millions of instructions).
Unlike seconds, the counts do not depend on the machine's load; with string hashing fixed
(``PYTHONHASHSEED=0`` for the children unless it is set: some set or dict of strings is iterated on
the way) the same code gives the same count (without, they varied by up to about 1 %). ``--ref``: the
code of ``allmende/outcomes`` at that commit instead of the working tree (extracted as in
``alternate.py``). FILE as in ``alternate.py``.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from alternate import DATA, REPO, load_ref  # noqa: E402


def child(path: str, rule: str, compute: bool, ref_dir: str) -> None:
    if ref_dir:
        sys.path.insert(0, ref_dir)
        import outcomes_ref as mod
    else:
        sys.path.insert(0, str(REPO))
        import allmende.outcomes as mod
    cp = sys.modules[mod.__name__ + ".profile"].Compiled(mod.read_pb(path))
    if compute:
        mod.compute(cp, rule)


def instructions(path: Path, rule: str, compute: bool, ref_dir: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, __file__]
        cmd += ["--child", "1" if compute else "0", "--ref-dir", ref_dir, "--rule", rule, str(path)]
        env = {**os.environ, "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0")}
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        text = Path(out).read_text()
    return int(re.search(r"^(?:summary|totals): (\d+)", text, re.M).group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files")
    ap.add_argument("--rule", default="mes-add1")
    ap.add_argument("--ref", default="")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--ref-dir", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        child(args.files, args.rule, args.child == "1", args.ref_dir)
        return
    with tempfile.TemporaryDirectory() as tmp:
        ref_dir = ""
        if args.ref:
            load_ref(args.ref, tmp)
            ref_dir = tmp
        for name in args.files.split(","):
            path = Path(name) if os.sep in name else DATA / name
            full = instructions(path, args.rule, True, ref_dir)
            setup = instructions(path, args.rule, False, ref_dir)
            label = args.ref or "working tree"
            print(f"{path.name} {args.rule} ({label}): {(full - setup) / 1e6:.1f} M instructions", flush=True)


if __name__ == "__main__":
    main()
