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
used for a decision unless the decision is *certified* (see "certified float runs" below). The selected
sets are identical to pabutools 1.2.3 with exact rationals (tests: every file of pabulib's small files,
random instances, larger files).

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
* **Certified float runs** (``_mes_float``). Exact runs spend most of their time in
  :class:`fractions.Fraction` arithmetic (the remaining budgets get long denominators). A float run
  does the same work with Python floats, 10–30× faster, and carries next to every amount a rigorous
  bound on its absolute error (running error analysis: a generous ``2**-50`` per operation, ``k``
  times that for sums of ``k`` terms; integers above ``2**53`` are refused). A decision is taken only
  when it holds for every value within the bounds: a project is (un)affordable only with a margin,
  the split of a project's supporters into "pays everything" / "pays rho·u" is accepted only if each
  supporter is certainly on its side for the whole interval of rho (then the exact rho lies in that
  interval, being the unique root of ``sum min(money, rho·u) = cost``), a winner's interval must lie
  strictly below every other project's lower bound, and each supporter of the winner must certainly
  pay its share or certainly pay everything. Otherwise (ties, near-ties) the run gives up and the
  exact engine decides. A certified run hence buys exactly the same projects in the same order.
  ``mes`` uses it to find the order and then replays that order exactly (``run_mes(forced=...)``,
  which only evaluates each winner) for the exact numbers in the explanations. ``mes-add1`` uses
  certified float runs for unit steps and exact tracked runs (with derivatives) for jumps: a tracked
  run first and while its jumps are long (≥ 4 steps); after a short jump, float runs until the order
  of purchases has stayed the same for a few steps (doubling after every tracked run that did not pay
  off). The schedule affects only speed (every outcome used is exact or certified; every jump is
  exact); ``mes_add1(..., fast=False)`` uses the exact engine only, and the tests compare both.
* **Counting moves in C.** When a project is bought, the voters that move between budget classes
  are counted per (project, utility) for every other project; single-voter groups (most groups in
  large files) are counted with :class:`collections.Counter` over the chained ballots.

Considered and not used (not implemented; estimates only): integer numerators over a common
denominator instead of ``Fraction`` (the common denominator grows with every round, so it would gain
little over ``Fraction``, while the float runs avoid rationals altogether); voter bitsets with
``int.bit_count`` for the moves (about 0.5 µs per intersection at 6 600 voters, 2 µs at 29 000, and
the budget classes fragment into hundreds per round on large files, so it would cost more than it
saves).
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
