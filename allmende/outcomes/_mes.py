"""The Method of Equal Shares engine (exact rational arithmetic).

One run of MES at a given per-voter budget ``b`` (scaled integer money, see :class:`Compiled`).

State is kept per *budget class*: voters with identical ballots form a group, and for every candidate
project ``hist[p]`` maps ``(money_left, slope, utility)`` to the number of its supporters in that state.
Buying a project only touches the groups that support it, and only projects sharing supporters with it
are re-evaluated; every other project keeps its exactly known affordability (lazy heap).

With ``track=True`` the run also carries, for every budget, its derivative with respect to the
per-voter budget (``slope``): inside a region where no comparison made by the run changes its result
every quantity is *linear* in the per-voter budget. The run returns ``x_star``: the smallest increase
of the per-voter budget at which any comparison could change its result, i.e. a point before which
the run (and hence its outcome) is certainly the same.  Comparisons are:

* the winner of each round against every other project; for those the affordability computed with
  the current split into "pays all it has" / "pays the full share" is a lower bound valid for all
  budgets (a cheaper split never gives a larger factor), so only the winner's split must stay fixed;
* the split of the winner's supporters (who pays everything, who pays ``rho * u``);
* for projects dropped as unaffordable, the point where their supporters' money reaches the cost.

The exact engine decides where the certified float engine (:mod:`._mes_float`) cannot (ties and
near-ties). :func:`replay_exact` computes the exact numbers of a certified float run (for the
explanations) on its classes only, with integer numerators over a common denominator.
"""

from __future__ import annotations

import heapq
from collections import Counter
from fractions import Fraction
from math import gcd

from .profile import Compiled


class MesRun:
    __slots__ = ("initial", "leftover", "order", "rounds", "x_kind", "x_star")

    def __init__(self):
        self.order: list[int] = []
        self.initial: list[int] = []
        self.x_star = None  # None: no change point found (infinite)
        self.rounds: list[dict] = []
        self.leftover: dict[int, object] = {}


def mes_candidates(cp: Compiled) -> tuple[list[int], list[int]]:
    """Projects MES works on (cost > 0, positive total utility) and projects it takes for free.

    As in pabutools, a project of cost 0 is taken up front only if its supporters' total utility is
    positive; with cost utilities (approval-like ballots) a free project has utility 0 and is left out.
    """
    cands, free = [], []
    for p in range(len(cp.ids)):
        if cp.total_utility[p] > 0:
            (cands if cp.cost[p] > 0 else free).append(p)
    return cands, free


def _div(num, den):
    if isinstance(num, int) and isinstance(den, int):
        q, r = divmod(num, den)
        return q if r == 0 else Fraction(num, den)
    v = Fraction(num) / den
    return v.numerator if v.denominator == 1 else v


def run_mes(
    cp: Compiled, b: int, track: bool = False, record: bool = False, forced: list[int] | None = None
) -> MesRun:
    """One exact MES run at per-voter budget ``b``.

    ``forced``: the order of purchases is already known (from a certified float run, see
    :mod:`._mes_float`); the run then only replays it exactly (for the explanations), computing the
    affordability factor of each winner instead of searching all projects every round.
    """
    res = MesRun()
    cands, free = mes_candidates(cp)
    res.initial = free
    nv = max(cp.n_voters, 1)
    C = [c * nv for c in cp.cost]  # money unit inside a run: 1 / (scale * n_voters)
    groups = cp.groups
    sup = cp.supporters
    tiekey = cp.tiekey
    approval = cp.approval
    s0 = 1 if track else 0
    ng = len(groups)
    # Budget classes: class id -> money left (ca) and its slope (cs). Every group is in one class
    # (gc[g], -1 once it has nothing left); class ids are ints so no Fraction is ever hashed.
    ca: list = [b]
    cs: list = [s0]
    gc: list = [0] * ng
    alive = set(cands)
    hist: dict[int, dict] = {}
    tot_a: dict[int, object] = {}
    tot_s: dict[int, object] = {}
    for p in cands:
        h: dict = {}
        for g, u in sup[p]:
            key = (0, u)
            h[key] = h.get(key, 0) + groups[g][0]
        hist[p] = h
        n = cp.n_supporters[p]
        tot_a[p] = n * b
        tot_s[p] = n * s0
    xs = [None]  # best change point found so far

    def event(x, kind=""):
        if x < 0:
            x = 0
        if xs[0] is None or x < xs[0]:
            xs[0] = x
            res.x_kind = kind

    def compute(p):
        """Exact affordability factor rho of p and its slope, or None when unaffordable."""
        c = C[p]
        if tot_a[p] < c:
            if track and tot_s[p] > 0:
                event(_div(c - tot_a[p], tot_s[p]), "afford")
            return None
        h = hist[p]
        if approval:
            items = sorted(((ca[cid], cs[cid], u, m) for (cid, u), m in h.items()), key=lambda t: t[0])
        else:
            items = sorted(
                ((ca[cid], cs[cid], u, m) for (cid, u), m in h.items()), key=lambda t: Fraction(t[0]) / t[2]
            )
        denom = 0
        for _a, _s, u, m in items:
            denom += m * u
        sa = 0
        ss = 0
        for a, s, u, m in items:
            if (c - sa) * u <= a * denom:
                break
            sa += m * a
            ss += m * s
            denom -= m * u
        return _div(c - sa, denom), (_div(-ss, denom) if track else 0)

    lin: dict[int, tuple] = {}
    version = dict.fromkeys(cands, 0)
    computed = dict.fromkeys(cands, 0)
    heap: list = []
    for p in cands if forced is None else ():
        r = compute(p)
        if r is None:
            alive.discard(p)
            continue
        lin[p] = r
        heap.append((r[0], tiekey[p], p, 0))
    heapq.heapify(heap)
    rnd = 0
    while True:
        w = None
        if forced is not None:
            if rnd == len(forced):
                break
            w = forced[rnd]
            # Only the winner's histogram is needed: build it from the groups' current classes.
            h = {}
            for g, u in sup[w]:
                cid = gc[g]
                if cid >= 0:
                    h[(cid, u)] = h.get((cid, u), 0) + groups[g][0]
            hist[w] = h
            tot_a[w] = C[w]  # certified affordable (the order comes from a certified run)
            lin[w] = compute(w)
        while heap:
            ra, tk, p, ver = heap[0]
            if p not in alive:
                heapq.heappop(heap)
                continue
            if ver != version[p]:
                heapq.heappop(heap)
                if computed[p] == version[p]:
                    continue
                computed[p] = version[p]
                r = compute(p)
                if r is None:
                    alive.discard(p)
                    continue
                lin[p] = r
                heapq.heappush(heap, (r[0], tk, p, version[p]))
                continue
            w = p
            heapq.heappop(heap)
            break
        if w is None:
            break
        rnd += 1
        wa, ws = lin[w]
        alive.discard(w)
        if track:
            for p in alive:
                la, ls = lin[p]
                if la > wa:
                    if ls < ws:
                        event((la - wa) / Fraction(ws - ls), "cmp")
                elif ls < ws:  # tied now, loses the tie; the other one gets cheaper faster
                    event(0, "tie")
        # Payments: every supporter pays rho * u, or everything it has if that is less.
        newcls: dict = {}
        paid_full = 0
        capped_n = 0
        capped_paid = 0
        for (cid, u), m in hist[w].items():
            a = ca[cid]
            s = cs[cid]
            share = wa * u
            if a < share:
                ncid = -1
                capped_n += m
                capped_paid += m * a
                if track and s - ws * u > 0:
                    event(_div(share - a, s - ws * u), "capped")
            else:
                na = _div(a - share, 1)
                ns = s - ws * u if track else 0
                if track and ns < 0:
                    event(_div(a - share, -ns), "uncapped")
                if na == 0 and ns == 0:
                    ncid = -1
                else:
                    ncid = len(ca)
                    ca.append(na)
                    cs.append(ns)
                paid_full += m
            newcls[(cid, u)] = ncid
        if record:
            res.rounds.append(
                {
                    "round": rnd,
                    "project": w,
                    "rho": wa,
                    "full_payers": paid_full,
                    "share": wa * cp.cost[w] if approval else wa,
                    "capped": capped_n,
                    "capped_paid": capped_paid,
                }
            )
        del hist[w]
        moves: dict = {}
        for g, u in sup[w]:
            cid = gc[g]
            if cid < 0:
                continue
            ncid = newcls[(cid, u)]
            gc[g] = ncid
            if forced is not None:
                continue
            m, items = groups[g]
            for q, uq in items:
                if q in alive:
                    key = (q, cid, ncid, uq)
                    moves[key] = moves.get(key, 0) + m
        for (q, cid, ncid, uq), cnt in moves.items():
            h = hist[q]
            ok = (cid, uq)
            left = h[ok] - cnt
            if left:
                h[ok] = left
            else:
                del h[ok]
            if ncid >= 0:
                k2 = (ncid, uq)
                h[k2] = h.get(k2, 0) + cnt
                tot_a[q] += cnt * (ca[ncid] - ca[cid])
                if track:
                    tot_s[q] += cnt * (cs[ncid] - cs[cid])
            else:
                tot_a[q] -= cnt * ca[cid]
                if track:
                    tot_s[q] -= cnt * cs[cid]
            version[q] += 1
        res.order.append(w)
    res.x_star = xs[0]
    if record:
        chosen = set(res.order)
        for p in cands:
            if p not in chosen:
                per_class: dict[int, int] = {}
                for g, _u in sup[p]:
                    if gc[g] >= 0:
                        per_class[gc[g]] = per_class.get(gc[g], 0) + groups[g][0]
                res.leftover[p] = sum(m * ca[cid] for cid, m in per_class.items())
    return res


def replay_exact(cp: Compiled, b: int, rec) -> MesRun:
    """The exact numbers of a certified float run (a :class:`._mes_float.Record` with ``keep >= 1``)
    at its own per-voter budget ``b``.

    Works on classes only: the float run certified, per round, which classes of the winner's
    supporters pay everything they have (``flags``), so the exact ``rho`` is ``(cost - money of
    those) / (utility of the others)``: no search, no comparison. Every class of the winner's
    supporters gets its exact new money, and the leftover money of the projects not bought is counted
    from the groups' final classes. Records what ``run_mes(record=True)`` records.
    """
    if rec.b != b:
        raise ValueError("replay_exact needs the record's own budget")
    from ._mes_float import _prepared

    res = MesRun()
    cands, free = mes_candidates(cp)
    res.initial = list(free)
    nv = max(cp.n_voters, 1)
    approval = cp.approval
    # Money as integer numerators: class ``cid`` holds ``num[cid] / dens[lev[cid]]``, where
    # ``dens[t]`` is the common denominator after round t (each a multiple of the one before), so no
    # gcd is taken per class; values are brought to the current denominator by one multiplication.
    num: list[int] = [b]
    lev: list[int] = [0]
    dens: list[int] = [1]
    for rnd, (w, hist, first, flags) in enumerate(rec.rounds, 1):
        if len(num) != first:
            raise AssertionError("record and replay disagree on the classes")
        c = cp.cost[w] * nv
        d = dens[-1]
        fac = [d // x for x in dens]
        S = 0
        denom = 0
        capped_n = 0
        for (cid, u, m), f in zip(hist, flags, strict=True):
            if f:
                a = num[cid]
                if a:
                    S += m * a * fac[lev[cid]]
                    capped_n += m
            else:
                denom += m * u
        X = c * d - S  # rho = X / (denom * d)
        g = gcd(X, denom)
        q = denom // g
        xg = X // g
        dn = d * q
        dens.append(dn)
        fac2 = [dn // x for x in dens]
        paid_full = 0
        nlev = len(dens) - 1
        append = num.append
        for (cid, u, m), f in zip(hist, flags, strict=True):
            if f:
                append(0)
            else:
                append(num[cid] * fac2[lev[cid]] - xg * u)
                paid_full += m
        lev.extend([nlev] * len(hist))
        rho = _div(X, denom * d)
        res.rounds.append(
            {
                "round": rnd,
                "project": w,
                "rho": rho,
                "full_payers": paid_full,
                "share": rho * cp.cost[w] if approval else rho,
                "capped": capped_n,
                "capped_paid": _div(S, d),
            }
        )
        res.order.append(w)
    chosen = set(res.order)
    gcget = rec.gc.__getitem__
    count = _prepared(cp)[1]
    d = dens[-1]
    fac = [d // x for x in dens]
    for p in cands:
        if p not in chosen:
            per_class: Counter = Counter()
            for _u, rep, heavy in count[p]:
                per_class.update(map(gcget, rep))
                for g, m in heavy:
                    per_class[gcget(g)] += m
            res.leftover[p] = _div(sum(m * num[cid] * fac[lev[cid]] for cid, m in per_class.items()), d)
    return res
