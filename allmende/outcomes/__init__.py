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
used for a decision unless the decision is *certified* (see "certified float runs" below): every
float carries a proven error bound (for a range of budgets: proven affine lower and upper bounds),
and a decision is taken only if it holds for all values within them. The selected
sets are identical to pabutools 1.2.3 with exact rationals (tests: every file of pabulib's small files,
random instances, larger files).

Speed techniques
----------------
* **Grouping identical ballots.** Voters with the same ballot always hold the same money in MES, so a
  run works on distinct ballots with multiplicities (Wrocław 2015: 131 778 voters, 197 groups).
* **Budget classes, histograms counted in C.** Groups holding the same money form a *class*; a
  project's affordability factor is computed from its histogram ``(class, utility) -> voters`` (a few
  hundred entries instead of thousands of supporters). The float engine does not keep histograms up
  to date by moving voters around: it counts a project's histogram afresh when it evaluates it,
  ``Counter(map(classes.__getitem__, supporters))``, and buying a project moves its supporters to
  their new classes with ``map`` as well, so no Python loop runs per voter. Before the first purchase
  every histogram is known without counting.
* **Reusing effective vote counts between steps** (lazy evaluation). Buying a project only changes
  the money of its supporters; only projects sharing supporters with it (precomputed, one AND of
  bit masks per pair of projects) become stale, and a heap of (stale) lower bounds – the
  affordability factor never decreases during a run – decides which ones are evaluated at all.
* **Certified float runs** (``_mes_float``). A float run carries a rigorous bound on the absolute
  error of every amount (running error analysis: a generous ``2**-50`` per operation, ``k`` times that
  for sums of ``k`` terms; integers above ``2**53`` are refused). A decision is taken only when it
  holds for every value within the bounds; otherwise (ties, near-ties) the exact engine decides. A
  certified run buys exactly the projects of the exact engine in the same order.
* **Exact numbers for the explanations, on classes.** The float run records, per round, the winner's
  histogram and which of its classes certainly pay everything they have. The exact replay
  (``_mes.replay_exact``) then needs no search and no comparison: ``rho = (cost - money of those) /
  (utility of the others)``, one new exact amount per class. Money is kept as integer numerators
  over a common denominator that only grows by a factor per round (``dens[t]``), so no gcd is taken
  per class (Warszawa 2026: 0.04 s instead of 0.76 s for the previous replay with ``Fraction``).
* **Add-one completion: checking instead of rerunning.** Classes are created in a fixed sequence, so
  for a given order of purchases the classes and all histograms are the same at every budget; only
  the money differs. A recorded run is *checked* at the next unit step with class arithmetic only
  (``_mes_float.verify``); where a round's winner may change, the run *resumes* from that round (the
  groups' classes from a per-round snapshot, the money from the check), so the rounds before are not
  repeated. Before giving up on a round the check counts the competitor's histogram from the
  snapshot.
* **Computing the next budget at which the outcome may change** (after Kraiczy, Robinson and Elkind,
  "Streamlining Equal Shares", 2025, whose ADD-OPT does this exactly for Exact Equal Shares; MES
  needs bounds). ``_mes_float.RangeCheck`` checks a whole range of unit steps at once: every class's
  money is enclosed between two affine functions of the budget; with affine money the affordability
  factor is a convex function of the budget, so the winner's factor lies below a chord and every
  competitor's above a tangent, and comparing those lines at the two ends of the range certifies the
  round for every budget in between. Where a winner's chord meets a competitor's tangent the
  crossing estimates the budget at which that round changes; the range is split there, the left part
  is checked on from that round, and the right part resumes the run at its first budget and is
  checked on with the new order. The next range starts right after the last piece, with its order
  (no check at a single budget in between: where the order changes there, the range check finds it
  at its start, where its bounds are tight); a range that fails only at its last round (a leftover
  project affordable somewhere in it) goes on with its left half from that round, the bounds
  recomputed from the winners alone. Competitors are first tested for being unaffordable with their
  money summed in C (``math.sumprod``), which settles about half of them on the largest files.
  Every piece has one order, hence one outcome, so the stop rule of
  the completion (exhaustive, or the next outcome overspends) is applied once per piece and the
  result is that of plain stepping (the tests compare with ``fast=False``, exact runs with exact
  jumps, and with ``jump=False``, plain stepping).
* **Exact jumps** where the float engine cannot decide, and on small approval instances whose range
  checks keep succeeding: exact runs carry the derivative of every amount with respect to the
  per-voter budget and return the smallest increase at which any comparison could change
  (``run_mes(track=True)``); all unit steps before it give the same outcome.
* **Phragmén: floats to choose the candidates, fractions to decide.** The loads are exact (a group's
  load is the new maximal load of the round in which a project it supports was last bought, one
  ``Fraction`` per round), but the projects' new loads are compared in floats kept up to date per
  round, with a proven error bound (``rules._phragmen_slack``); only the projects within it of the
  smallest estimate (nearly always one) are evaluated exactly, from their groups' rounds. Exact ties
  that the floats take apart are still found (test: ``test_phragmen_exact_tie_that_floats_split``).
  The Warszawa district files: 2.6-4.7 s with fractions throughout, 0.25-0.41 s now.

Considered and not used: voter bitsets with ``int.bit_count`` for the histograms (the classes
fragment into hundreds per round on large files, so one AND per class costs more than counting);
keeping histograms up to date by moving voters (the previous design: a Python loop per supporter
and round, three times slower than counting in C); treating orders as equal up to swaps of projects
without common supporters (on the large city files almost every pair of projects shares a voter).
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
