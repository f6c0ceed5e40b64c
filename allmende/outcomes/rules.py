"""The rules: greedy, mes, mes-add1, mes-add1-greedy, phragmen.

Every rule returns an :class:`Outcome`: the selected project ids and, per project, an explanation
(a template code plus parameters, rendered in English or German by :mod:`.explain`).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction

from ._mes import mes_candidates, replay_exact, run_mes
from ._mes_float import RangeCheck, Record, at_budget, float_ok, release, run_mes_float, verify
from .pabulib import Instance
from .profile import Compiled, id_sort_key

__all__ = ["RULES", "Outcome", "compute", "greedy", "mes", "mes_add1", "mes_add1_greedy", "phragmen"]

RULES = ("greedy", "mes", "mes-add1", "mes-add1-greedy", "phragmen")


@dataclass
class Outcome:
    rule: str
    selected: list[str]
    total_cost: Fraction
    budget: Fraction
    tie: str = "equalshares"
    order: list[str] = field(default_factory=list)
    explanations: dict[str, dict] = field(default_factory=dict)
    details: dict = field(default_factory=dict)


def _prepare(instance: Instance | Compiled, tie: str) -> Compiled:
    if isinstance(instance, Compiled):
        if instance.tie != tie:
            return Compiled(instance.instance, tie)
        return instance
    return Compiled(instance, tie)


def _finish(cp: Compiled, rule: str, chosen: list[int], expl: dict, details: dict | None = None) -> Outcome:
    ids = cp.ids
    sel = sorted((ids[p] for p in chosen), key=id_sort_key)
    total = sum((cp.cost[p] for p in chosen), 0)
    return Outcome(
        rule=rule,
        selected=sel,
        total_cost=cp.money(total),
        budget=cp.orig_budget,
        tie=cp.tie,
        order=[ids[p] for p in chosen],
        explanations={ids[p]: e for p, e in expl.items()},
        details=details or {},
    )


# --------------------------------------------------------------------------------------------- greedy


def _greedy_fill(cp: Compiled, start: list[int], expl: dict, code_prefix: str = "greedy") -> list[int]:
    chosen = list(start)
    taken = set(start)
    spent = sum(cp.cost[p] for p in chosen)
    order = sorted(
        (p for p in range(len(cp.ids)) if p not in taken), key=lambda p: (-cp.support[p], cp.tiekey[p])
    )
    for rank, p in enumerate(order, 1):
        c = cp.cost[p]
        params = {
            "rank": rank,
            "support": cp.support[p],
            "cost": cp.money(c),
            "spent_before": cp.money(spent),
            "budget": cp.orig_budget,
            "points": not cp.approval,
        }
        if spent + c <= cp.budget:
            spent += c
            chosen.append(p)
            expl[p] = {"code": f"{code_prefix}_selected", **params, "spent_after": cp.money(spent)}
        else:
            expl[p] = {"code": f"{code_prefix}_rejected", **params}
    return chosen


def greedy(instance: Instance | Compiled, tie: str = "equalshares") -> Outcome:
    """Projects in order of total support (approvals, or points for cumulative ballots), each taken
    if it still fits in the budget (projects that do not fit are skipped, later ones may still fit)."""
    cp = _prepare(instance, tie)
    expl: dict = {}
    chosen = _greedy_fill(cp, [], expl)
    return _finish(cp, "greedy", chosen, expl)


# ------------------------------------------------------------------------------------------- phragmen


def phragmen(instance: Instance | Compiled, tie: str = "equalshares") -> Outcome:
    """Sequential Phragmén for approval-like ballots (as pabutools: it stops as soon as the next
    project, the one giving the smallest new maximal load, does not fit into the budget).

    Exact, and fast: the loads are exact (a group's load is 0 or the new maximal load of the round
    in which the last project it supports was bought, a :class:`~fractions.Fraction` per round), and
    each round compares the projects' new loads in floats first, with a proven bound on their error
    (`_phragmen_slack`); only the projects within it of the smallest are evaluated exactly, which
    decides the winner and its ties exactly as an evaluation of all of them would."""
    cp = _prepare(instance, tie)
    if not cp.approval:
        raise ValueError(
            "phragmen applies to approval-like ballots (approval, choose-1, ordinal), "
            f"not to {cp.instance.vote_type}"
        )
    groups = cp.groups
    sup = cp.supporters
    cost = cp.cost
    nproj = len(cp.ids)
    approvals = cp.n_supporters
    bests: list[Fraction] = []  # the new maximal load of each round
    load_round = [-1] * len(groups)  # the round whose load the group carries (-1: none yet)
    fload = [0.0] * len(groups)  # float(bests[load_round[g]])
    fsum = [0.0] * nproj  # the supporters' loads of each project, in floats, updated per round
    widest = max((len(sup[p]) for p in range(nproj)), default=0)
    fbmax = 0.0
    remaining = {p for p in range(nproj) if cost[p] <= cp.budget}
    spent = 0
    chosen: list[int] = []
    expl: dict = {}
    stop_reason = None
    while remaining:
        approved = [p for p in remaining if approvals[p]]
        if approved:
            est = {p: (fsum[p] + cost[p]) / approvals[p] for p in approved}
            lowest = min(est.values())
            limit = lowest + _phragmen_slack(len(bests), widest, lowest, fbmax)
            best = None
            tied: list[int] = []
            for p in approved:
                if est[p] > limit:
                    continue
                nl = _phragmen_new_load(p, sup, groups, load_round, bests, cost, approvals)
                if best is None or nl < best:
                    best, tied = nl, [p]
                elif nl == best:
                    tied.append(p)
        else:  # only projects nobody approved: their new load is undefined, all tie
            best, tied = None, list(remaining)
        over = [p for p in tied if spent + cost[p] > cp.budget]
        if over:
            stop_reason = min(over, key=lambda p: cp.tiekey[p])
            break
        w = min(tied, key=lambda p: cp.tiekey[p])
        expl[w] = {
            "code": "phragmen_selected",
            "round": len(chosen) + 1,
            "supporters": approvals[w],
            "cost": cp.money(cost[w]),
            "load": cp.money(best) if best is not None else None,
        }
        if best is not None:
            r = len(bests)
            bests.append(best)
            fb = float(best)
            fbmax = max(fbmax, fb)
            for g, _u in sup[w]:
                m, items = groups[g]
                d = m * (fb - fload[g])
                load_round[g], fload[g] = r, fb
                for q, _uq in items:
                    fsum[q] += d
        spent += cost[w]
        chosen.append(w)
        remaining.discard(w)
    for p in range(nproj):
        if p in expl:
            continue
        params = {
            "cost": cp.money(cp.cost[p]),
            "supporters": approvals[p],
            "budget": cp.orig_budget,
            "spent": cp.money(spent),
        }
        if cp.cost[p] > cp.budget:
            expl[p] = {"code": "phragmen_too_expensive", **params}
        elif p == stop_reason:
            expl[p] = {"code": "phragmen_stopper", **params}
        else:
            expl[p] = {
                "code": "phragmen_not_reached",
                **params,
                "stopper": cp.ids[stop_reason] if stop_reason is not None else None,
            }
    return _finish(cp, "phragmen", chosen, expl)


def _phragmen_slack(rounds: int, widest: int, lowest: float, fbmax: float) -> float:
    """How far above the smallest float estimate of a new load a project's estimate may lie and its exact
    new load still be the smallest. The estimate of project p is ``(fsum[p] + cost[p]) / approvals[p]``:
    ``fsum[p]`` sums at most ``rounds * widest`` float terms ``m * (fb - fload[g])``, each within
    ``4.1 u m B`` of its exact value (``u = 2**-53``, ``B`` the largest load so far), whose exact values
    add up to the supporters' load (at most ``approvals[p] * B``); with the sum's rounding (``1.01 u``
    per term), the cost's conversion and the division, the estimate lies within
    ``u (B (4.1 rounds + 1.01 rounds widest) + 3.1 N)`` of the exact new load ``N``. Two estimates,
    the smallest one's and a tied project's, are each that far off at most: twice that, taken generously
    as ``2**-50 (B (rounds (widest + 5) + 1) + 4 lowest)``."""
    return 2.0**-50 * (fbmax * (rounds * (widest + 5) + 1) + 4 * lowest)


def _phragmen_new_load(p, sup, groups, load_round, bests, cost, approvals) -> Fraction:
    """Project p's exact new maximal load: (its supporters' loads + its cost) / its supporters."""
    weights: dict[int, int] = {}
    for g, _u in sup[p]:
        r = load_round[g]
        if r >= 0:
            weights[r] = weights.get(r, 0) + groups[g][0]
    total = sum((bests[r] * w for r, w in weights.items()), Fraction(cost[p]))
    return total / approvals[p]


# ------------------------------------------------------------------------------------------------ MES


def _mes_explanations(cp: Compiled, run, per_voter_scaled: int, code: str = "mes") -> dict:
    """Explanations from a recorded MES run at per-voter budget ``per_voter_scaled / n_voters``."""
    expl: dict = {}
    n = max(cp.n_voters, 1)
    per_voter = Fraction(per_voter_scaled, n) / cp.scale
    for p in run.initial:
        expl[p] = {"code": "mes_free", "cost": cp.money(cp.cost[p]), "supporters": cp.n_supporters[p]}
    for r in run.rounds:
        p = r["project"]
        expl[p] = {
            "code": "mes_selected",
            "round": r["round"],
            "cost": cp.money(cp.cost[p]),
            "supporters": cp.n_supporters[p],
            "full_payers": r["full_payers"],
            "share": Fraction(r["share"], n) / cp.scale,
            "capped": r["capped"],
            "capped_paid": Fraction(r["capped_paid"], n) / cp.scale,
            "per_point": not cp.approval,
            "per_voter_budget": per_voter,
        }
    cands, _free = mes_candidates(cp)
    for p in cands:
        if p in expl:
            continue
        expl[p] = {
            "code": "mes_rejected",
            "cost": cp.money(cp.cost[p]),
            "supporters": cp.n_supporters[p],
            "had": Fraction(run.leftover.get(p, 0), n) / cp.scale,
            "per_voter_budget": per_voter,
        }
    for p in range(len(cp.ids)):
        if p not in expl:
            expl[p] = {
                "code": "mes_unsupported"
                if cp.total_utility[p] <= 0 and cp.n_supporters[p] == 0
                else "mes_free_cost_utility",
                "cost": cp.money(cp.cost[p]),
            }
    return expl


def mes(instance: Instance | Compiled, tie: str = "equalshares") -> Outcome:
    """Method of Equal Shares without completion: every voter gets ``budget / n_voters``; cost
    utilities for approval-like ballots, points for cumulative ballots."""
    cp = _prepare(instance, tie)
    b = cp.budget  # per voter: budget / n, in units of 1 / (scale * n)
    run = _record_run(cp, b)
    chosen = run.initial + run.order
    return _finish(
        cp,
        "mes",
        chosen,
        _mes_explanations(cp, run, b),
        {"per_voter_budget": cp.money(Fraction(b, max(cp.n_voters, 1)))},
    )


def _float_order(cp: Compiled, b: int, cands: list[int], free: list[int]) -> list[int] | None:
    """The order of purchases from a certified float run, or None (then the exact engine decides)."""
    if not float_ok(cp, b):
        return None
    run = run_mes_float(cp, b, cands, free, keep=0)
    return None if run is None else run.order


def _record_run(cp: Compiled, b: int, rec=None):
    """An exact recorded run (for the explanations): the exact replay of a certified float run, or the
    exact engine where the float run is uncertain. ``rec``: a record whose order is certified at ``b``
    (the completion's last one); it is replayed if it is at ``b`` and knows every round's split, else
    its rounds are evaluated at ``b`` for their splits (:func:`._mes_float.at_budget`: one evaluation
    per round instead of a whole float run; the last piece's record is often from an earlier budget
    of the piece, or resumed from a range check's state, which leaves the earlier rounds' splits
    unknown)."""
    if isinstance(rec, Record):
        if not (rec.b == b and all(x[3] is not None for x in rec.rounds)):
            rec = at_budget(cp, rec, b)
        if rec is not None:
            return replay_exact(cp, b, rec)
    cands, free = mes_candidates(cp)
    if float_ok(cp, b):
        rec = run_mes_float(cp, b, cands, free, keep=1)
        if rec is not None:
            return replay_exact(cp, b, rec)
    return run_mes(cp, b, record=True)


# Scheduling of the add-one completion with the exact engine only (``fast=False``). An exact run with
# derivatives (``track``) tells how far the outcome is certainly unchanged; a certified float run is
# cheaper but gives only one step. A tracked run is used first and as long as its jumps are long.
# After a short jump, unit steps are taken with float runs until the order of purchases has stayed the
# same for ``need`` consecutive steps; ``need`` doubles after every tracked run that does not pay off.
_JUMP_WORTH = 4


def _stops(cp: Compiled, cands: list[int], chosen: list[int]) -> tuple[bool, bool]:
    """(over budget, exhaustive) for an outcome of the completion."""
    cost = sum(cp.cost[p] for p in chosen)
    if cost > cp.budget:
        return True, False
    taken = set(chosen)
    return False, all(cost + cp.cost[p] > cp.budget for p in cands if p not in taken)


_RANGE_WORTH = 4  # unit steps a range check (or a run resumed in one) must cover on average
_COVER_CHECKS = 64  # range checks per attempt to cover a range before falling back to unit steps
_INF = float("inf")
_PROBES = 8  # probes of a crossing pair at single budgets (see locate)
# ballot entries (over distinct ballots) above which crossings are located by probes: below, they cost
# more than they save (callgrind: Zürich D10 +50 %, Dieppe +31 % instructions with them)
_PROBE_MIN = 20_000


def _add1_fast(cp: Compiled):
    """The add-one completion with certified float runs and checks of recorded runs.

    A recorded float run at one budget is *checked* at the next unit step (:func:`._mes_float.verify`,
    class arithmetic only); where the order changes, the run resumes from the first round that may
    differ. Then whole ranges of ``D`` unit steps are checked at once (:class:`._mes_float.RangeCheck`,
    ``D`` doubles after every covered range and halves otherwise). Where a range check meets a round
    whose winner changes inside the range, the crossing of the two bounds estimates the budget at which
    it changes; the range is split there, the left part is checked on from that round with the same
    order, and for the right part the run is resumed from that round at its first budget, giving the
    new order, which is checked on from that round too (the rounds before are certified for the whole
    range). Every piece has one order at all its unit steps, hence one outcome, so the stop rule is
    applied once per piece; the pieces are found from the left, and a run found at a single step
    inside a range is tested at once (``halts``): where its outcome ends the completion, nothing to
    its right is checked (on Zürich D10 a run resumed right after the last step, uncertain there;
    on Zürich S5R two range checks and a run). After ranges that moved on, the next ones start right after the last
    piece with its record (no check at the next unit step first), and where they lie inside the
    range of the last fresh range check that failed, from that check's round (``start``: the rounds
    before it are certified on its whole range); a check that fails at its last
    round (a leftover project affordable somewhere) goes on with its left half from that round
    (:meth:`._mes_float.RangeCheck.at_end`). The crossing estimated from the range's bounds is early
    (the bounds are loose inside the range), so the budget where the competitor really overtakes the
    winner is first located by *probes* (``locate``): the two factors at single budgets, from the
    money computed there as a run does (:meth:`._mes_float.RangeCheck.probe`), secant steps on their
    difference (or, where the competitor becomes affordable, on its supporters' money) until two
    neighbouring unit steps bracket the change. The range is split there (the
    left part with bounds recomputed for it, :meth:`._mes_float.RangeCheck.restricted` with
    ``replay``) and the run at the first step of the right part resumes from the probe's money
    (:meth:`._mes_float.RangeCheck.resume_tight`). The probes only choose where to split; the checks
    and runs decide as before. Where ranges cover fewer than four unit steps per check, resumed run
    and probe, the next few unit steps are checked one by one (:func:`._mes_float.verify`), unless the
    ranges have paid off on the whole so far; there, a run resumed at a range's start from
    interpolated bounds that is uncertain is resumed again from the money computed there as a run
    does, instead of a single-budget check of that step. Where the float arithmetic cannot decide, the exact
    engine takes the step (with its exact jump). (Exact tracked jumps where the float runs are
    certain, tried on small approval instances until the ninth round, jumped fewer unit steps than
    the range checks there cover: Dieppe 9, Assen 4-12, Veszprém 13.) Returns
    (outcome with ``initial``/``order``, per-voter budget, evaluations, increments)."""
    n = cp.n_voters
    cands, free = mes_candidates(cp)
    step = cp.scale * n
    b0 = cp.budget
    k = 0
    prev = None
    prev_b = b0
    evaluations = 0
    rec = None
    D = 1
    entries = sum(len(items) for _m, items in cp.groups)
    probing = entries > _PROBE_MIN
    range_at = 0  # next unit step at which range checks are tried
    rwait = 1
    work = 0  # range checks and resumed runs inside them
    steps = spent = 0  # unit steps covered by ranges and their work, over all attempts so far

    def bk(j):
        return b0 + j * step

    def resumed(chk, j):
        nonlocal work
        work += 1
        return run_mes_float(cp, bk(j), cands, free, keep=2, resume=chk.resume_at(bk(j)))

    def paying():
        """Whether the range checks have covered at least four unit steps per unit of work so far."""
        return steps > 0 and steps >= _RANGE_WORTH * spent

    def tight(chk, j):
        nonlocal work
        res = chk.resume_tight(bk(j))
        if res is None:
            return None
        work += 1
        return run_mes_float(cp, bk(j), cands, free, keep=2, resume=res)

    probes: dict = {}  # (purchases up to the failed round, rival) -> {unit step: probe}
    top = None  # the last failed fresh range check (its rounds before ``t`` certified on its range)

    def start(k1, k2, r):
        """The first check of the ranges ``[k1, k2]``: inside the range of the last failed fresh check,
        with a record sharing its certified rounds (one of the pieces found under it), that check
        restricted to it with its bounds recomputed (the rounds before its ``t`` need no new look at
        the competitors); else a fresh check from round 0."""
        nonlocal top
        c = top
        if (
            c is not None
            and c.t
            and c.b1 <= bk(k1)
            and bk(k2) <= c.b2
            and r.order[: c.t] == c.rec.order[: c.t]
            and r.computes[: c.ci] == c.rec.computes[: c.ci]
        ):
            return c.restricted(bk(k1), bk(k2), r, replay=True)
        c = RangeCheck(cp, r, bk(k1), bk(k2), cands, tight=probing)
        top = c
        return c

    def locate(chk, k1, k2, m):
        """The first unit step in ``[k1 + 2, k2]`` where the competitor that crossed the winner in a
        failed range check may beat it, by probes of the pair at single budgets (secant steps on
        their difference; where the competitor is unaffordable at the bracket's lower end, the
        budget where its supporters' money reaches its cost, interpolated), with the probe's state
        there; None if not found, or as soon as two probes right of the start show the winner
        gaining ground (no crossing in sight). The probes only choose where to split."""
        t = chk.t
        key = (tuple(chk.rec.order[: t + 1]), chk.rival)
        pts = probes.get(key)
        if pts is None:
            pts = probes[key] = {}

        def d(x):
            nonlocal work
            if x not in pts:
                work += 1
                pts[x] = chk.probe(bk(x))
            pr = pts[x]
            return None if pr is None else pr[0]

        # (a change bracketed by earlier probes of this pair: no new probes)
        for y in sorted(y for y, pr in pts.items() if pr is not None and pr[0] <= 0.0 and y - 1 in pts):
            pr0 = pts[y - 1]
            if pr0 is not None and pr0[0] > 0.0 and y > k1:
                if y > k2:
                    return None
                return y, pts[y][1], pr0[1]
        a = d(k1)
        if a is None or not a > 0.0:  # the winner must be ahead at the start
            return None
        lo, dlo = k1, a
        hi = dhi = None
        fin = [(k1, a)] if a < _INF else []  # (step, difference) where both are affordable
        x = m + 1
        for _ in range(_PROBES):
            v = d(x)
            if v is None:
                return None
            if v > 0.0:
                lo, dlo = x, v
                if v < _INF:
                    fin.append((x, v))
            else:
                hi, dhi = x, v
            if hi is not None:
                if hi == lo + 1:
                    break
                if dlo < _INF:
                    x = lo + min(max(1, int(dlo * (hi - lo) / (dlo - dhi))), hi - lo - 1)
                elif dlo == _INF:
                    # the rival unaffordable at lo: where its supporters' money reaches its cost,
                    # interpolated (the money grows about linearly with the budget; bisection took
                    # about six probes for the budgets where a rival becomes affordable and wins)
                    s1 = chk.rival_money(pts[lo][1])
                    s2 = chk.rival_money(pts[hi][1])
                    c = chk.C[chk.rival]
                    x = (lo + hi) // 2
                    if s1 < c <= s2:
                        x = lo + min(max(1, -int(-(c - s1) * (hi - lo) // (s2 - s1))), hi - lo - 1)
                else:  # (not a number)
                    x = (lo + hi) // 2
            else:
                if lo == k2:
                    return None
                if len(fin) >= 2 and fin[-1][0] == lo:
                    x0, v0 = fin[-2]
                    if v0 <= dlo:
                        # the winner is not losing ground: no crossing in sight (with probes
                        # doubling the step to the range's end, on Budapest 2024 they found
                        # none in such cases); the checks decide as without a located change
                        return None
                    x = lo + max(1, int(dlo * (lo - x0) / (v0 - dlo)) + 1)  # secant to the right
                else:
                    x = lo + 2 * (lo - k1) + 1
                x = min(x, k2)
        if hi is None or hi != lo + 1:
            return None
        return hi, pts[hi][1], pts[lo][1]

    def halts(r):
        """Whether the outcome of a new run ends the completion (over the budget or exhaustive)."""
        over, exhaustive = _stops(cp, cands, r.initial + r.order)
        return over or exhaustive

    def cover(k1, k2, r, chk, budget):
        """Pieces ``(first, last, record)`` covering ``[k1, k2]`` from the left, and whether all. The
        pieces are found from the left, so where a run found here at a single step ends the
        completion (``halts``: the stop rule), the pieces end with it (and the attempt with them, not
        complete): the steps to its right are never looked at (``done`` is applied to the pieces in
        order and ends the completion there)."""
        nonlocal evaluations, work
        if budget[0] <= 0:
            return [], False
        budget[0] -= 1
        work += 1
        if chk is None:
            chk = RangeCheck(cp, r, bk(k1), bk(k2), cands, tight=probing)
        evaluations += 1
        if chk.run():
            return [(k1, k2, r)], True
        f = chk.crossing
        if f is None:  # not a simple crossing: leave it to smaller ranges and unit steps
            mid = (k1 + k2) // 2
            if mid == k1:
                return [], False
            # (where it stopped at the last round, the left half goes on from there, its bounds
            # recomputed from the winners alone, instead of a fresh check from round 0)
            sub = chk.restricted(bk(k1), bk(mid), replay=True) if chk.at_end() else None
            left, _ok = cover(k1, mid, r, sub, budget)
            return left, False
        m = min(max(k1 + int(f * (k2 - k1)), k1), k2 - 1)  # last step where the old winner may win
        if probing and chk.rival is not None and k2 - k1 >= 4:
            found = locate(chk, k1, k2, m)
            if found is not None:
                x, st, st0 = found
                if x == k1 + 1:  # the start alone, by a run resumed there
                    res = chk.resume_tight(bk(k1), st0)
                    r1 = (
                        run_mes_float(cp, bk(k1), cands, free, keep=2, resume=res)
                        if res is not None
                        else None
                    )
                    if r1 is None:
                        return [], False
                    left = [(k1, k1, r1)]
                    if halts(r1):
                        return left, False
                else:
                    sub = chk.restricted(bk(k1), bk(x - 1), replay=True, end2=True)
                    left, ok = cover(k1, x - 1, r, sub, budget)
                    if not ok:
                        return left, False
                res = chk.resume_tight(bk(x), st)
                r2 = run_mes_float(cp, bk(x), cands, free, keep=2, resume=res) if res is not None else None
                if r2 is None:
                    r2 = resumed(chk, x)
                    if r2 is None:
                        return left, False
                if x == k2:
                    return left + [(k2, k2, r2)], True
                if x + 1 == k2 or halts(r2):
                    return left + [(x, x, r2)], False
                # (the right part's bounds recomputed for it: right after the change a new competitor
                # is often close to the winner, and interpolated bounds failed there at once)
                right, ok = cover(x + 1, k2, r2, chk.restricted(bk(x + 1), bk(k2), r2, replay=True), budget)
                return left + [(x, x, r2)] + right, ok
        if m == k1:
            r0 = r
            r1 = resumed(chk, k1)
            if r1 is None:
                # The interpolated bounds are too wide here. Where the range checks pay off on the
                # whole, the run at this step resumes from the money at the range's start as a run
                # computes it (kept from the winner's cap there), and the attempt ends with that
                # step, as it would after a single-budget check of the last order there (on Budapest
                # 2024 one such check cost 10-30 ms, about two range checks; the run from the failed
                # round a few). Elsewhere (Warszawa 2026, Łódź 2024) as before: the attempt ends here.
                r1 = tight(chk, k1) if paying() else None
                return ([(k1, k1, r1)] if r1 is not None else []), False
            left = [(k1, k1, r1)]
            if halts(r1):
                return left, False
            r, k1 = r1, k1 + 1
            if k1 == k2:
                r2 = resumed(chk, k2)
                return (left + [(k2, k2, r2)], True) if r2 is not None else (left, False)
            if r1.order == r0.order and k2 - k1 >= 8:
                # Still the same order: the bounds cross within one step of the start because the
                # winner's factor falls steeply there and flattens later (the chord over the whole
                # range is loose near its start). Cover a short range first, then the rest afresh.
                k3 = k1 + (k2 - k1) // 8
                more, ok = cover(k1, k3, r, chk.restricted(bk(k1), bk(k3), r), budget)
                if not ok:
                    return left + more, False
                # (the rest from the check's round, its bounds recomputed for it: the rounds before
                # are certified for the whole range, and every piece's record shares them)
                r3 = more[-1][2]
                rest, ok = cover(k3 + 1, k2, r3, chk.restricted(bk(k3 + 1), bk(k2), r3, replay=True), budget)
                return left + more + rest, ok
            more, ok = cover(k1, k2, r, chk.restricted(bk(k1), bk(k2), r), budget)
            return left + more, ok
        left, ok = cover(k1, m, r, chk.restricted(bk(k1), bk(m)), budget)
        if not ok:
            return left, False
        r2 = resumed(chk, m + 1)
        if r2 is None:
            return left, False
        if halts(r2):
            return left + [(m + 1, m + 1, r2)], False
        if m + 1 == k2:
            return left + [(k2, k2, r2)], True
        right, ok = cover(m + 1, k2, r2, chk.restricted(bk(m + 1), bk(k2), r2), budget)
        return left + right, ok

    def done(run, b, j):
        """The completion's result if the outcome of ``run`` (at the budget ``b``, unit step ``j``) ends
        it: over the budget (then the previous outcome) or exhaustive; else None."""
        over, exhaustive = _stops(cp, cands, run.initial + run.order)
        if over:
            return prev, prev_b, evaluations, j
        if exhaustive:
            return run, b, evaluations, j
        return None

    again = False  # the last ranges moved on and end where the next ones start (see below)
    while True:
        if not again:
            b = bk(k)
            inc = 1
            run = None
            if rec is not None:
                ok, resume = verify(cp, rec, b, b, cands)
                evaluations += 1
                if not ok:
                    rec = run_mes_float(cp, b, cands, free, keep=2, resume=resume) if resume else None
                    if rec is None and float_ok(cp, b):
                        rec = run_mes_float(cp, b, cands, free, keep=2)
                        evaluations += 1
            elif float_ok(cp, b):
                rec = run_mes_float(cp, b, cands, free, keep=2)
                evaluations += 1
            if rec is not None:
                run = rec
            else:
                run = run_mes(cp, b, track=True)
                evaluations += 1
                x = run.x_star
                inc = 1 if x is None else max(1, int(-(-x // step)))  # ceil
            end = done(run, b, k)
            if end is not None:
                return end
            if rec is None and run.x_star is None:
                raise RuntimeError("mes-add1: no change point found")
            prev, prev_b = run, bk(k + inc - 1)
            k += inc
            if rec is None or k < range_at:
                continue
        again = False
        # Jump: ranges of D unit steps, split where the order changes.
        D = max(D, 2)
        k0 = k
        work = 0
        while D >= 2:
            pieces, complete = cover(k, k + D - 1, rec, start(k, k + D - 1, rec), [_COVER_CHECKS])
            last_set = set(prev.initial + prev.order)
            for k1, k2, r in pieces:
                chosen = set(r.initial + r.order)
                if chosen != last_set:
                    end = done(r, bk(k1), k1)
                    if end is not None:
                        return end
                    last_set = chosen
                prev, prev_b = r, bk(k2)
                rec = r
                k = k2 + 1
            if complete:
                D *= 2
            else:
                D //= 2
                break
        # Where the order changes at almost every step (Warszawa 2026: the range checks found a new
        # order every second step), range checks and the runs resumed inside them cost more than
        # checking each unit step on its own: back off while they cover fewer than four steps each,
        # in this attempt and in all of them so far (where they have paid off on the whole, an
        # attempt that ends at a change of the order is no reason to check single steps: on Budapest
        # 2024 the single-budget checks after such attempts found the same order and each cost about
        # two range checks).
        steps += k - k0
        spent += work
        if k - k0 >= _RANGE_WORTH * work or paying():
            rwait = 1
        else:
            rwait = min(2 * rwait, 1 << 20)
            range_at = k + rwait
        # Ranges that moved on end at a failed check; the next ones start right after the last piece,
        # with its record, instead of a check of that record at the next unit step first (as costly as
        # a range check, and it found the same order in four of five cases on Budapest 2024; where the
        # order changes there, the range check finds it at its start, where its bounds are tight).
        again = k > k0 and k >= range_at


def _add1(cp: Compiled, jump: bool = True, fast: bool = True):
    """The add-one completion. Returns (run, per-voter budget used, evaluations, increment k).

    ``run`` has ``initial`` and ``order`` (it is not a recorded run); the per-voter budget is the
    last unit step with that outcome."""
    n = cp.n_voters
    if n == 0:
        return None, 0, 0, 0
    if jump and fast:
        return _add1_fast(cp)
    cands, free = mes_candidates(cp)
    step = cp.scale * n  # one currency unit per voter, in units of 1 / (scale * n)
    b0 = cp.budget
    k = 0
    prev = None
    prev_b = b0
    evaluations = 0
    tracked = jump  # next run: an exact tracked run?
    need = 2  # float steps with an unchanged order before the next tracked run
    streak = 0
    last_order = None
    while True:
        b = b0 + k * step
        order = None if tracked or not fast else _float_order(cp, b, cands, free)
        inc = 1
        if order is not None:
            run = FloatOutcome(free, order)
            streak = streak + 1 if order == last_order else 0
            last_order = order
            if jump and streak >= need:
                tracked = True
        else:
            run = run_mes(cp, b, track=jump)
            if jump:
                x = run.x_star
                # x None: the outcome never changes again (then the checks below end the loop)
                inc = 1 if x is None else max(1, int(-(-x // step)))  # ceil
                if x is None or inc >= _JUMP_WORTH:
                    need = 2
                else:
                    tracked = False
                    need = min(2 * need, 1024) if streak >= need else need
                    streak = 0
        evaluations += 1
        chosen = run.initial + run.order
        over, exhaustive = _stops(cp, cands, chosen)
        if over:
            return prev, prev_b, evaluations, k
        if exhaustive:
            return run, b, evaluations, k
        if jump and getattr(run, "x_star", 0) is None:
            raise RuntimeError("mes-add1: no change point found")
        prev, prev_b = run, b0 + (k + inc - 1) * step
        k += inc


@dataclass
class FloatOutcome:
    initial: list[int]
    order: list[int]


@contextmanager
def _gc_paused():
    """The cyclic garbage collector paused (restored afterwards, if it was on).

    The completion allocates millions of short-lived tuples (the entries of every evaluation), each
    counting towards the collector's thresholds, so it would run thousands of collections that find
    nothing (the computation makes no reference cycles, bar a recursive closure or two, collected
    after it) and, in its full collections, traverse every cached histogram; memory is still freed by
    reference counting. About a tenth of the time of the large add-one runs."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def mes_add1(
    instance: Instance | Compiled, tie: str = "equalshares", jump: bool = True, fast: bool = True
) -> Outcome:
    """MES with the add-one completion of equalshares.net: raise every voter's budget by one currency
    unit at a time until the outcome is exhaustive or the next one would exceed the budget (then the
    last feasible outcome is taken). ``jump=False`` does literally that; the default jumps straight to
    the next budget at which the outcome can change, which gives the same result. ``fast=False``
    uses only the exact engine (no certified float runs); the result is the same too."""
    cp = _prepare(instance, tie)
    with _gc_paused():
        run, b, evaluations, k = _add1(cp, jump, fast)
        release(cp)  # (before the collector resumes: see there)
    if run is None:
        expl = {}
        if cp.n_voters and b is not None:
            run = _record_run(cp, b)
            chosen = run.initial + run.order
            expl = _mes_explanations(cp, run, b)
        else:
            _c, free = mes_candidates(cp)
            chosen = free
        return _finish(cp, "mes-add1", chosen, expl, {"evaluations": evaluations})
    run = _record_run(cp, b, run)
    chosen = run.initial + run.order
    details = {
        "per_voter_budget": cp.money(Fraction(b, cp.n_voters)),
        "increments": k,
        "evaluations": evaluations,
    }
    return _finish(cp, "mes-add1", chosen, _mes_explanations(cp, run, b), details)


def mes_add1_greedy(instance: Instance | Compiled, tie: str = "equalshares") -> Outcome:
    """``mes-add1``, then the remaining money is filled greedily (equalshares.net's reference)."""
    cp = _prepare(instance, tie)
    first = mes_add1(cp, tie)
    chosen = [cp.index[pid] for pid in first.order]
    expl = {cp.index[pid]: e for pid, e in first.explanations.items()}
    spent = sum(cp.cost[p] for p in chosen)
    taken = set(chosen)
    if any(spent + cp.cost[p] <= cp.budget for p in range(len(cp.ids)) if p not in taken):
        fill_expl: dict = {}
        chosen = _greedy_fill(cp, chosen, fill_expl, "fill")
        for p, e in fill_expl.items():
            if e["code"] == "fill_selected":
                expl[p] = e
            else:
                expl[p] = {**expl.get(p, {}), "fill": e}
    return _finish(cp, "mes-add1-greedy", chosen, expl, first.details)


_FUNCS = {
    "greedy": greedy,
    "mes": mes,
    "mes-add1": mes_add1,
    "mes-add1-greedy": mes_add1_greedy,
    "phragmen": phragmen,
}


def compute(instance: Instance | Compiled, rule: str, tie: str = "equalshares") -> Outcome:
    """Run ``rule`` (one of :data:`RULES`) on an instance."""
    try:
        func = _FUNCS[rule]
    except KeyError:
        raise ValueError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}") from None
    return func(instance, tie=tie)
