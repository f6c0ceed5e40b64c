"""Compiled form of an instance that the rules work on.

Projects get indices, money is scaled to integers and voters with identical ballots are grouped.
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm

from .pabulib import Instance

__all__ = ["TIE_RULES", "Compiled", "compile_instance", "id_sort_key"]

TIE_RULES = ("equalshares", "id")


def id_sort_key(pid: str) -> tuple:
    """Order ids numerically when they are numbers, else as strings (used for output only)."""
    return (0, int(pid), pid) if pid.isdigit() else (1, 0, pid)


class Compiled:
    """Instance data prepared for the rules.

    Money is scaled by ``scale`` = lcm of the denominators of the budget and the costs (so that every
    cost and the budget are integers), ``cost[p]`` and ``budget`` are those integers.

    ``groups`` holds one entry per distinct ballot: ``(multiplicity, ((p, utility), ...))`` where the
    utility is the project's (scaled) cost for approval-like ballots ("cost utilities") and the points
    for cumulative/scoring ballots. ``supporters[p]`` lists ``(group, utility)``.
    """

    def __init__(self, instance: Instance, tie: str = "equalshares"):
        if tie not in TIE_RULES:
            raise ValueError(f"unknown tie-breaking {tie!r}; expected one of {', '.join(TIE_RULES)}")
        self.instance = instance
        self.tie = tie
        self.ids: list[str] = list(instance.projects)
        self.index = {pid: i for i, pid in enumerate(self.ids)}
        orig_costs = [Fraction(p.cost) for p in instance.projects.values()]
        budget = Fraction(instance.budget)
        scale = 1
        for x in [budget, *orig_costs]:
            scale = lcm(scale, x.denominator)
        self.scale = scale
        self.cost: list[int] = [int(c * scale) for c in orig_costs]
        self.budget: int = int(budget * scale)
        self.orig_budget = budget
        self.n_voters = len(instance.voters)
        self.approval = instance.approval_like
        nproj = len(self.ids)
        index = self.index
        counts: dict[tuple, int] = {}
        if self.approval:
            for v in instance.voters:
                key = tuple(sorted({index[p] for p in v.vote}))
                counts[key] = counts.get(key, 0) + 1
            cost = self.cost
            self.groups = [(m, tuple((p, cost[p]) for p in key)) for key, m in counts.items()]
        else:
            for v in instance.voters:
                ballot: dict[int, object] = {}
                for pid, pts in zip(v.vote, v.points or (), strict=False):
                    ballot[index[pid]] = pts  # a repeated project: the last entry counts (as pabutools)
                key = tuple(sorted((p, u) for p, u in ballot.items() if u > 0))
                counts[key] = counts.get(key, 0) + 1
            self.groups = [(m, key) for key, m in counts.items()]
        self.supporters: list[list[tuple[int, object]]] = [[] for _ in range(nproj)]
        self.n_supporters = [0] * nproj
        self.total_utility: list[object] = [0] * nproj
        for g, (m, items) in enumerate(self.groups):
            for p, u in items:
                self.supporters[p].append((g, u))
                self.n_supporters[p] += m
                self.total_utility[p] += m * u
        # Total support: approvals for approval-like ballots, points for cumulative/scoring ballots.
        self.support = list(self.n_supporters) if self.approval else list(self.total_utility)
        if tie == "equalshares":
            self.tiekey = [(self.cost[p], -self.n_supporters[p], self.ids[p]) for p in range(nproj)]
        else:
            self.tiekey = [(self.ids[p],) for p in range(nproj)]

    def money(self, scaled) -> Fraction:
        """Scaled integer money back to currency units."""
        return Fraction(scaled) / self.scale


def compile_instance(instance: Instance, tie: str = "equalshares") -> Compiled:
    return Compiled(instance, tie)
