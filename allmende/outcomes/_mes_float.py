"""A floating-point run of the Method of Equal Shares that *certifies* its own decisions.

:func:`run_mes_float` does what :func:`._mes.run_mes` does (same budget classes, same lazy heap), but
with Python floats instead of exact rationals, which is 10–30 times faster. Next to every amount it
carries a rigorous bound on its absolute error (a running error analysis), and every decision is
taken only when it is certain for *all* values inside those bounds:

* a project is unaffordable only if its supporters' money plus the error is below the cost (and
  affordable only if the money minus the error reaches it);
* the affordability factor ``rho`` is computed with some split of the supporters into "pays all it
  has" / "pays rho * u"; the split is accepted only if every supporter is certainly on its side for
  every value in ``[rho - err, rho + err]``. Then the exact ``rho`` (the unique solution of
  ``sum min(money, rho * u) = cost``) lies in that interval;
* the winner of a round must have an interval strictly below the (fresh) lower bound of every other
  project (stale heap entries are lower bounds, as in the exact engine, because ``rho`` never
  decreases during a run);
* every supporter of the winner must certainly pay its share, or certainly pay everything it has.

If any decision is uncertain (a tie, or amounts too close for the error bounds) the run returns
``None`` and the caller uses the exact engine. A certified run therefore makes exactly the decisions
of the exact engine, and its order of purchases is identical.

Error model: with ``u = 2**-53`` every float operation ``x op y`` returns ``(x op y)(1 + d)``,
``|d| <= u``. Bounds below use ``EPS = 2**-50`` (eight times ``u``) per operation and ``k * EPS`` for
a sum of ``k`` terms, which over-covers the standard bound ``gamma_k = k u / (1 - k u)``. Integers
(costs, utilities, multiplicities) above ``2**53`` are not converted; such instances go to the exact
engine.
"""

from __future__ import annotations

import heapq
from collections import Counter
from itertools import chain

from .profile import Compiled

EPS = 2.0**-50
_BIG = 2**53


class FloatRun:
    __slots__ = ("initial", "order")

    def __init__(self, initial, order):
        self.initial = initial
        self.order = order


def _prepared(cp: Compiled) -> tuple:
    """Per instance, computed once: the largest integer a run uses apart from the budget (or -1 if
    some utility is not an integer), every project's initial histogram ``(class 0, u) -> voters``,
    and per group its ballot as indices into the list of ``(project, utility)`` ``pairs``."""
    cache = getattr(cp, "_float_cache", None)
    if cache is None:
        # One pass over the ballots: index the distinct (project, utility) pairs, count voters per pair.
        pair_index: dict = {}
        pair_count: list[int] = []
        gkeys = []
        for m, items in cp.groups:
            ks = []
            for item in items:
                i = pair_index.get(item)
                if i is None:
                    i = pair_index[item] = len(pair_count)
                    pair_count.append(0)
                pair_count[i] += m
                ks.append(i)
            gkeys.append(tuple(ks))
        pairs = list(pair_index)
        nv = max(cp.n_voters, 1)
        big = max((c * nv for c in cp.cost), default=0)
        hists: dict[int, dict] = {p: {} for p in range(len(cp.ids))}
        umax = [0] * len(cp.ids)
        for (p, u), cnt in zip(pairs, pair_count, strict=True):
            if type(u) is not int:
                big = -1
                break
            hists[p][(0, u)] = cnt
            umax[p] = max(umax[p], u)
        else:
            big = max([big, *(n * um for n, um in zip(cp.n_supporters, umax, strict=True))])
        cache = cp._float_cache = (big, hists, gkeys, pairs)
    return cache


def float_ok(cp: Compiled, b: int) -> bool:
    """Whether every integer the float run uses is exactly representable."""
    big = _prepared(cp)[0]
    return 0 <= big < _BIG and b < _BIG


def run_mes_float(cp: Compiled, b: int, cands: list[int], free: list[int]) -> FloatRun | None:
    """Order of purchases of MES at per-voter budget ``b`` (units as in ``run_mes``), or ``None``."""
    nv = max(cp.n_voters, 1)
    groups = cp.groups
    sup = cp.supporters
    tiekey = cp.tiekey
    C = [float(c * nv) for c in cp.cost]
    ng = len(groups)
    # Budget classes: money (float) and its absolute error bound.
    ca: list[float] = [float(b)]
    ce: list[float] = [0.0]
    gc: list[int] = [0] * ng
    alive = set(cands)
    _big, init, gkeys, pairs = _prepared(cp)
    hist = {p: dict(init[p]) for p in cands}

    def compute(p):
        """(lo, rho, hi) with the exact rho in [lo, hi]; None if unaffordable; False if uncertain."""
        c = C[p]
        items = []
        total = 0.0
        terr = 0.0
        for (cid, u), m in hist[p].items():
            a = ca[cid]
            items.append((a / u, a, ce[cid], u, m))
            total += m * a
            terr += m * ce[cid]
        k = len(items)
        terr += 2 * (k + 1) * EPS * total
        if total + terr < c:
            return None
        if total - terr < c:
            return False
        items.sort()
        denom = 0
        for it in items:
            denom += it[4] * it[3]
        sa = 0.0
        saerr = 0.0
        i = 0
        for i, (_r, a, e, u, m) in enumerate(items):  # noqa: B007
            if (c - sa) * u <= a * denom:
                break
            sa += m * a
            saerr += m * e
            denom -= m * u
        else:  # cannot happen for an affordable project, but stay safe
            return False
        rho = (c - sa) / denom
        err = (saerr + 2 * (i + 2) * EPS * (sa + c)) / denom + 2 * EPS * rho
        lo = rho - err
        hi = rho + err
        # Certify the split for every value in [lo, hi].
        lo_m = lo * (1 - 4 * EPS)
        hi_m = hi * (1 + 4 * EPS)
        for j in range(k):
            _r, a, e, u, m = items[j]
            if j < i:
                if (a + e) * (1 + 4 * EPS) > lo_m * u:
                    return False
            elif (a - e) * (1 - 4 * EPS) < hi_m * u:
                return False
        return lo, rho, hi, err

    lin: dict[int, tuple] = {}
    version = dict.fromkeys(cands, 0)
    heap: list = []
    for p in cands:
        r = compute(p)
        if r is False:
            return None
        if r is None:
            alive.discard(p)
            continue
        lin[p] = r
        heap.append((r[0], tiekey[p], p, 0))
    heapq.heapify(heap)
    order: list[int] = []

    def settle():
        """Drop dead and refresh stale heap tops until the top is fresh (False if uncertain)."""
        while heap:
            _lo, tk, p, ver = heap[0]
            if p not in alive:
                heapq.heappop(heap)
                continue
            if ver != version[p]:
                heapq.heappop(heap)
                r = compute(p)
                if r is False:
                    return False
                if r is None:
                    alive.discard(p)
                    continue
                lin[p] = r
                heapq.heappush(heap, (r[0], tk, p, version[p]))
                continue
            return True
        return True

    while True:
        if settle() is False:
            return None
        if not heap:
            break
        w = heapq.heappop(heap)[2]
        alive.discard(w)
        wlo, wr, whi, werr = lin[w]
        # Certify: every other project's (lower bound on) rho is above w's interval.
        while True:
            if settle() is False:
                return None
            if not heap or heap[0][0] > whi:
                break
            return None  # a fresh competitor overlaps: a tie or too close to call
        whi_m = whi * (1 + 4 * EPS)
        wlo_m = wlo * (1 - 4 * EPS)
        # Transitions (old class, u) -> new class of w's supporters, numbered (index t).
        trans = []
        tindex: dict = {}
        for cid, u in hist[w]:
            a = ca[cid]
            e = ce[cid]
            if (a + e) * (1 + 4 * EPS) < wlo_m * u:
                ncid = -1  # pays all it has
            elif (a - e) * (1 - 4 * EPS) >= whi_m * u:
                share = wr * u
                na = a - share
                ne = e + werr * u + 2 * EPS * (share + abs(na))
                ncid = len(ca)
                ca.append(na)
                ce.append(ne)
            else:
                return None
            tindex[(cid, u)] = len(trans)
            trans.append((cid, ncid))
        del hist[w]
        # Count, per transition and (project, utility) pair, the voters that move. Single-voter groups
        # (most groups in large files) are counted by Counter in C; the others one by one.
        single: list[list] = [[] for _ in trans]
        multi: list[list] = [[] for _ in trans]
        for g, u in sup[w]:
            cid = gc[g]
            if cid < 0:
                continue
            t = tindex[(cid, u)]
            gc[g] = trans[t][1]
            m = groups[g][0]
            if m == 1:
                single[t].append(gkeys[g])
            else:
                multi[t].append((m, gkeys[g]))
        for t, (cid, ncid) in enumerate(trans):
            moves = Counter(chain.from_iterable(single[t]))
            get = moves.get
            for m, keys in multi[t]:
                for key in keys:
                    moves[key] = get(key, 0) + m
            for key, cnt in moves.items():
                q, uq = pairs[key]
                if q not in alive:
                    continue
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
                version[q] += 1
        order.append(w)
    return FloatRun(list(free), order)
