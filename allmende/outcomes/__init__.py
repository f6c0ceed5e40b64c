"""Fair outcome rules for participatory budgeting: exact, explained, checked against pabutools.

A pure-Python library (standard library only; nothing from Django or the rest of allmende)::

    from allmende.outcomes import read_pb, compute, explain
    instance = read_pb("Poland_Wieliczka_2023_Green_Budget.pb")
    outcome = compute(instance, "mes-add1")          # or greedy, mes, mes-add1-greedy, phragmen
    outcome.selected, outcome.total_cost, explain(outcome, "de")

Command line: ``python -m allmende.outcomes FILE.pb --rule RULE [--tie equalshares|id] [--explain]``.
See ``docs/outcomes.md`` for the rules, the tie-breaking and the file format.

Exactness
---------
All money is exact: costs and the budget are scaled to integers (by the lcm of their decimal
denominators, times the number of voters inside a Method of Equal Shares run so that the per-voter
share is an integer too), and every quantity a decision depends on (affordability factors, remaining
budgets, Phragmén loads) is an integer or a :class:`fractions.Fraction`. No floating point number is
used for any decision. The selected sets are identical to pabutools 1.2.3 with exact rationals
(tests: every file of pabulib's small files, random instances, larger files).

Speed techniques
----------------
* **Grouping identical ballots.** Voters with the same ballot always hold the same money in MES, so a
  run works on distinct ballots with multiplicities (Wrocław 2015: 131 778 voters, 197 groups).
* **Budget classes per project.** For each project a histogram ``(money left, utility) -> voters``
  replaces the list of supporters; the affordability factor is computed from the (few) distinct
  amounts instead of all supporters.
* **Reusing effective vote counts between steps** (lazy evaluation). Buying a project only changes
  the money of its supporters; only projects sharing supporters with it are re-evaluated, all others
  keep their exactly known affordability, and a heap of (stale) lower bounds – affordability never
  decreases during a run – finds the next project with few evaluations.
* **Jumping to the next change in the add-one completion** (after Kraiczy, Robinson and Elkind,
  "Streamlining Equal Shares", 2025). Instead of raising the per-voter budget by one currency unit
  and rerunning, each run also carries the derivative of every amount with respect to the per-voter
  budget. Inside a region where no comparison the run made changes its result, all amounts are
  linear in the per-voter budget, so the run computes the first budget at which a comparison could
  flip (winner versus every other project using a lower bound that is valid for all budgets; the
  split of the winner's supporters into "pays all it has" and "pays the share"; dropped projects
  becoming affordable). All unit steps before that point give the same outcome, and the stop rule of
  the completion ("exhaustive", or "the next one would overspend") depends only on the outcome, so
  jumping to the first unit step at or after that point gives exactly the result of plain stepping
  (``mes_add1(..., jump=False)`` does plain stepping; the tests compare both).
"""

from .explain import explain, render
from .pabulib import (
    Instance,
    PabulibError,
    Project,
    Voter,
    read_pb,
    read_pb_string,
    write_pb,
    write_pb_string,
)
from .profile import TIE_RULES, Compiled
from .rules import RULES, Outcome, compute, greedy, mes, mes_add1, mes_add1_greedy, phragmen

__all__ = [
    "RULES",
    "TIE_RULES",
    "Compiled",
    "Instance",
    "Outcome",
    "PabulibError",
    "Project",
    "Voter",
    "compute",
    "explain",
    "greedy",
    "mes",
    "mes_add1",
    "mes_add1_greedy",
    "phragmen",
    "read_pb",
    "read_pb_string",
    "render",
    "write_pb",
    "write_pb_string",
]
