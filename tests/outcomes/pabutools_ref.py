"""Reference outcomes computed with pabutools 1.2.3 (a test dependency only).

Our :class:`Instance` is converted into pabutools objects directly (ordinal ballots become approval
ballots of every ranked project, as our rules treat them). Exact arithmetic (gmpy2 rationals) is
pabutools' default.

Usage as a script (the benchmark runs it in a subprocess with a timeout)::

    python tests/outcomes/pabutools_ref.py FILE.pb RULE TIE   # prints JSON {"selected": [...], "seconds": s}
"""

from __future__ import annotations

import json
import sys
import time
from fractions import Fraction
from pathlib import Path

from pabutools.election import (
    Additive_Cardinal_Sat,
    AdditiveSatisfaction,
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    CumulativeBallot,
    CumulativeProfile,
)
from pabutools.election import Instance as PInstance
from pabutools.election import Project as PProject
from pabutools.fractions import frac
from pabutools.rules import (
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
    sequential_phragmen,
)
from pabutools.tiebreaking import TieBreakingRule, lexico_tie_breaking

if __name__ == "__main__":  # allow running as a script from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from allmende.outcomes.pabulib import Instance  # noqa: E402
from allmende.outcomes.profile import Compiled  # noqa: E402


def _mpq(x):
    x = Fraction(x)
    return frac(x.numerator, x.denominator)


def _points_times_cost(instance, profile, ballot, project, precomputed_values):
    return ballot.get(project, 0) * project.cost


class PointsTimesCostSat(AdditiveSatisfaction):
    """Satisfaction ``points * cost``: pabutools' greedy (satisfaction per cost) then ranks projects by
    total points, which is what our ``greedy`` does for cumulative ballots."""

    def __init__(self, instance, profile, ballot):
        AdditiveSatisfaction.__init__(self, instance, profile, ballot, _points_times_cost)


def to_pabutools(inst: Instance):
    projects = {pid: PProject(pid, _mpq(p.cost)) for pid, p in inst.projects.items()}
    pinst = PInstance(projects.values(), budget_limit=_mpq(inst.budget))
    if inst.approval_like:
        ballots = [ApprovalBallot([projects[x] for x in v.vote]) for v in inst.voters]
        prof = ApprovalProfile(ballots)
    else:
        ballots = []
        for v in inst.voters:
            b = CumulativeBallot()
            for x, pts in zip(v.vote, v.points or (), strict=False):
                b[projects[x]] = _mpq(pts)
            ballots.append(b)
        prof = CumulativeProfile(ballots)
    return pinst, prof


def tie_rule(inst: Instance, tie: str):
    if tie == "id":
        return lexico_tie_breaking
    cp = Compiled(inst, "equalshares")
    keys = {cp.ids[p]: cp.tiekey[p] for p in range(len(cp.ids))}
    return TieBreakingRule(lambda i, prof, proj: keys[proj.name])


def reference(inst: Instance, rule: str, tie: str = "equalshares") -> list[str]:
    """Selected project ids (sorted as strings) according to pabutools."""
    pinst, prof = to_pabutools(inst)
    tb = tie_rule(inst, tie)
    mes_sat = Cost_Sat if inst.approval_like else Additive_Cardinal_Sat
    greedy_sat = Cost_Sat if inst.approval_like else PointsTimesCostSat
    if rule == "greedy":
        out = greedy_utilitarian_welfare(pinst, prof, sat_class=greedy_sat, tie_breaking=tb)
    elif rule == "mes":
        out = method_of_equal_shares(pinst, prof, sat_class=mes_sat, tie_breaking=tb)
    elif rule == "mes-add1":
        out = method_of_equal_shares(
            pinst, prof, sat_class=mes_sat, tie_breaking=tb, voter_budget_increment=1
        )
    elif rule == "mes-add1-greedy":
        out = completion_by_rule_combination(
            pinst,
            prof,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [
                {"sat_class": mes_sat, "tie_breaking": tb, "voter_budget_increment": 1},
                {"sat_class": greedy_sat, "tie_breaking": tb},
            ],
        )
    elif rule == "mes-add1+greedy":  # both at once: pabutools' add1 outcome and its greedy completion
        first = method_of_equal_shares(
            pinst, prof, sat_class=mes_sat, tie_breaking=tb, voter_budget_increment=1
        )
        second = first
        if not pinst.is_exhaustive(first):
            second = greedy_utilitarian_welfare(
                pinst, prof, sat_class=greedy_sat, tie_breaking=tb, initial_budget_allocation=first
            )
        return [sorted(p.name for p in first), sorted(p.name for p in second)]
    elif rule == "phragmen":
        out = sequential_phragmen(pinst, prof, tie_breaking=tb)
    else:
        raise ValueError(rule)
    return sorted(p.name for p in out)


def main(argv: list[str]) -> int:
    from allmende.outcomes.pabulib import read_pb

    path, rule, tie = argv[0], argv[1], (argv[2] if len(argv) > 2 else "equalshares")
    inst = read_pb(path)
    t = time.perf_counter()
    sel = reference(inst, rule, tie)
    print(json.dumps({"selected": sel, "seconds": time.perf_counter() - t}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
