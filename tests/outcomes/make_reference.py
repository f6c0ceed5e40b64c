"""Compute pabutools 1.2.3 reference outcomes for every file of ``<pabulib>/small`` and store them in
``tests/outcomes/data/pabutools_small.json`` (selected ids and pabutools' time per file, rule and tie).

pabutools' ``mes-add1`` takes minutes on some files, so the tests compare against this stored
result for all files and recompute a time-boxed part live (``test_vs_pabutools.py``).

    python tests/outcomes/make_reference.py [--timeout 120] [--pabulib DIR]
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pabutools_ref import reference  # noqa: E402

from allmende.outcomes.pabulib import read_pb  # noqa: E402

OUT = Path(__file__).resolve().parent / "data" / "pabutools_small.json"


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=int, default=30)
    ap.add_argument(
        "--pabulib", default=str(Path(__file__).resolve().parents[2].parent / "shared" / "pabulib")
    )
    args = ap.parse_args()
    files = sorted((Path(args.pabulib) / "small").glob("*.pb"))
    result = json.loads(OUT.read_text()) if OUT.exists() else {}
    signal.signal(signal.SIGALRM, _alarm)

    def timed(inst, rule, tie):
        t = time.perf_counter()
        signal.alarm(args.timeout)
        try:
            sel = reference(inst, rule, tie)
        except _Timeout:
            sel = None
        finally:
            signal.alarm(0)
        return sel, round(time.perf_counter() - t, 3)

    # First the fast rules with both tie-breakings, then mes-add1 (+ greedy completion, computed from
    # the same pabutools add1 run, exactly as completion_by_rule_combination does) with the default one.
    for phase in ("fast", "add1"):
        for i, f in enumerate(files):
            inst = read_pb(f)
            entry = result.setdefault(f.name, {})
            if phase == "fast":
                for rule in ("greedy", "mes", "phragmen"):
                    if rule == "phragmen" and not inst.approval_like:
                        continue
                    for tie in ("equalshares", "id"):
                        key = f"{rule}/{tie}"
                        if key not in entry:
                            sel, sec = timed(inst, rule, tie)
                            entry[key] = {"selected": sel, "seconds": sec}
            elif "mes-add1/equalshares" not in entry:
                sel, sec = timed(inst, "mes-add1+greedy", "equalshares")
                entry["mes-add1/equalshares"] = {"selected": sel and sel[0], "seconds": sec}
                entry["mes-add1-greedy/equalshares"] = {"selected": sel and sel[1], "seconds": sec}
            if i % 10 == 0 or i == len(files) - 1:
                OUT.write_text(json.dumps(result, indent=0, sort_keys=True))
                print(phase, i, f.name, flush=True)
    OUT.write_text(json.dumps(result, indent=0, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
