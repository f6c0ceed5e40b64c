"""CPU seconds of a rule: the working tree's allmende.outcomes against its code at a git commit.

    nice -n 19 .venv/bin/python benchmarks/outcomes/alternate.py REF FILE[,FILE...] \
        [--rule mes-add1] [--repeat 3]

``REF`` is any commit (``HEAD``, ``b4d5add``); its ``allmende/outcomes`` is extracted with ``git
archive`` into a temporary directory and imported as a separate package (the library uses relative
imports only). FILE is a name in ``../shared/pabulib`` (or ``ALLMENDE_PABULIB_DIR``) or a path. Per
repetition both versions run once each, their order alternating (old first in odd repetitions), each
on a freshly compiled instance (no per-instance cache survives); ``time.process_time`` around
``compute`` only (parsing and compiling excluded, as in ``run.py``). Prints every time, the medians, and whether the selections agree.
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
DATA = Path(os.environ.get("ALLMENDE_PABULIB_DIR", REPO.parent / "shared" / "pabulib"))


def load_ref(ref: str, tmp: str):
    """``allmende/outcomes`` at ``ref``, imported as the package ``outcomes_ref``."""
    blob = subprocess.run(
        ["git", "-C", str(REPO), "archive", ref, "allmende/outcomes"], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(tmp, filter="data")
    os.rename(os.path.join(tmp, "allmende", "outcomes"), os.path.join(tmp, "outcomes_ref"))
    sys.path.insert(0, tmp)
    return importlib.import_module("outcomes_ref")


def timed(mod, inst, rule: str) -> tuple[float, list[str]]:
    cp = importlib.import_module(mod.__name__ + ".profile").Compiled(inst)
    t0 = time.process_time()
    out = mod.compute(cp, rule)
    return time.process_time() - t0, out.selected


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ref")
    ap.add_argument("files")
    ap.add_argument("--rule", default="mes-add1")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    import allmende.outcomes as new

    with tempfile.TemporaryDirectory() as tmp:
        old = load_ref(args.ref, tmp)
        for name in args.files.split(","):
            path = Path(name) if os.sep in name else DATA / name
            times: dict[str, list[float]] = {"old": [], "new": []}
            sels = set()
            insts = {"old": old.read_pb(path), "new": new.read_pb(path)}
            for i in range(args.repeat):
                pair = [("old", old), ("new", new)] if i % 2 == 0 else [("new", new), ("old", old)]
                for label, mod in pair:
                    s, sel = timed(mod, insts[label], args.rule)
                    times[label].append(s)
                    sels.add(tuple(sel))
            o, n = (statistics.median(times[k]) for k in ("old", "new"))
            print(
                f"{path.name} {args.rule}: old ({args.ref}) {o:.4g} s {[round(x, 4) for x in times['old']]}, "
                f"new {n:.4g} s {[round(x, 4) for x in times['new']]}, new/old {n / o:.3f}"
                + ("" if len(sels) == 1 else "  SELECTIONS DIFFER"),
                flush=True,
            )


if __name__ == "__main__":
    main()
