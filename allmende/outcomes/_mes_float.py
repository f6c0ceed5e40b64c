"""A floating-point run of the Method of Equal Shares that *certifies* its own decisions.

:func:`run_mes_float` computes what :func:`._mes.run_mes` computes (the order of purchases), with Python
floats instead of exact rationals. Next to every amount it carries a rigorous bound on its absolute
error (a running error analysis), and every decision is taken only when it is certain for *all* values
inside those bounds:

* a project is unaffordable only if its supporters' money plus the error is below the cost (and
  affordable only if the money minus the error reaches it);
* the affordability factor ``rho`` is computed with some split of the supporters into "pays all it
  has" / "pays rho * u"; the split is accepted only if every supporter is certainly on its side for
  every value in ``[rho - err, rho + err]``. Then the exact ``rho`` (the unique solution of
  ``sum min(money, rho * u) = cost``) lies in that interval;
* the winner of a round must have an interval strictly below the (fresh) lower bound of every other
  project (stale heap entries are lower bounds, as in the exact engine, because ``rho`` never
  decreases during a run).

A supporter of the winner keeps ``max(0, money - rho * u)``, whichever side of the split it is on; that
function is 1-Lipschitz, so the bound of the new amount is the bound of ``money - rho * u``.

Exact ties: where every supporter with money certainly pays its share ``rho * u`` (none is short of
it), the factor is exactly ``cost / sum(m * u)`` (with cost utilities ``n_voters / supporters``,
whatever the money), a rational known exactly (:func:`_pure`). Projects whose intervals overlap and
whose factors are all such equal rationals are exactly tied, and the tie-breaking key decides, as in
the exact engine (runs, single-budget checks, and range checks with :func:`_pure_range`). Small
instances have many such ties (projects with as many supporters).

If any other decision is uncertain (a tie of other factors, or amounts too close for the error
bounds) the run returns ``None`` and the caller uses the exact engine. A certified run therefore makes exactly the decisions
of the exact engine, and its order of purchases is identical.

Error model: with ``u = 2**-53`` every float operation ``x op y`` returns ``(x op y)(1 + d)``,
``|d| <= u``. Bounds below use ``EPS = 2**-50`` (eight times ``u``) per operation and ``k * EPS`` for
a sum of ``k`` terms, which over-covers the standard bound ``gamma_k = k u / (1 - k u)``. Integers
(costs, utilities, multiplicities) above ``2**53`` are not converted; such instances go to the exact
engine.

Representation (why it is fast)
-------------------------------
Voters with identical ballots form a group; every group is in one *budget class* (``gc[g]``), and all
groups of a class hold the same money. A project's histogram ``(class, utility) -> voters`` is not
kept up to date by moving voters around; it is counted afresh, in C, when the project is evaluated:
``Counter(map(gc.__getitem__, supporters))`` (a group of ``m`` voters appears ``m`` times in the list,
very large groups are added with their weight). A counted histogram is kept per instance under
``(order of purchases before it, project)`` (it is the same at every budget, see below), so the many
runs, checks and resumed runs of ``mes-add1`` that share a prefix count it once. Buying a project maps each of its supporters' classes
to a new class, again in C (``map`` + ``gc.__setitem__``). Only projects sharing supporters with the
bought one are marked stale; the heap of lower bounds decides which ones are evaluated at all.

Budget-independent records (for ``mes-add1``)
--------------------------------------------
Classes are created in a fixed sequence: every round gives *every* class of the winner's supporters a
new class (also those that pay everything and are left with 0). Hence, for a given order of purchases,
the classes, the groups in them and all histograms are the same at *every* budget; only the money of
the classes depends on it. A :class:`Record` keeps the histograms the run evaluated and the classes it
created. :func:`verify` re-does the arithmetic of a recorded run at another budget (or for a whole range
``[b1, b2]`` of budgets) using only the (small) histograms, and either certifies that the run there
buys the same projects in the same order, or names the first round where it may not. For a fixed order
the money of every class is non-decreasing in the budget and every ``rho`` non-increasing (induction
over the rounds: ``rho`` solves ``sum min(money, rho * u) = cost``, and the new money is
``max(0, money - rho * u)``), so for a range it suffices to compare the winner's ``rho`` at ``b1`` with
every competitor's lower bound at ``b2``. After a failure at a single budget, :func:`run_mes_float`
can *resume* from that round (the money of the classes at the new budget is known from the check; the
groups' classes from a snapshot), so the rounds before it are not repeated.

The same monotonicity carries an evaluation of a histogram at one budget to another: with more budget
its supporters' money grows by some ``Delta`` (at most what all voters gained, ``n_voters`` times the
difference of the budgets, since every purchase takes exactly its cost), and the factor falls by at
most ``Delta / D`` (``D``: ``u`` times the voters paying their share at the earlier budget). Every
evaluation at a single budget is kept per histogram, and the single-budget checks of ``mes-add1`` take
these lower bounds (and unaffordability) before evaluating a competitor again (:func:`verify`,
:func:`_from_other`).

On approval ballots a stale project is evaluated with a guess: its heap entry's lower bound (runs)
or its lower bound in a check. The entries with less money than the guessed level are summed in the
pass over the histogram, only the others are sorted (:func:`_rho_a_below`, the split certified as
before, or evaluated without the guess); and in a run, where the pass alone bounds the factor above
the best factor evaluated in the round, the project cannot win the round and keeps that bound as its
stale entry instead of being evaluated to the end. On histograms of at least ``_COLS_MIN`` entries
(Amsterdam's, about 2 000) that pass is done in C on the histogram's columns (:func:`_rho_a_cols`:
the money gathered by ``map``, ``sumprod`` over ``compress`` with a mask; every entry's error bounded by
the largest one of any class, where that stays small against the cost), and of the entries from the
guessed level on only those below an estimate of the split are sorted first. Where such a histogram
is not counted yet and its last one in the run had at least half as many entries as the project has
supporter groups (Amsterdam 621: nine entries per ten groups on average), a run takes
that bound from the project's supporter groups themselves (:func:`_low_groups`: the same pass over
the groups, a finer partition of the same voters with the same money), and the histogram is counted
only where something reads it later (the record keeps ``None`` for it; the checks reading the record
count it from the round's snapshot): on Amsterdam 621 about two thirds of such histograms were never
looked at again.

Ranges of budgets (:class:`RangeCheck`) enclose every class's money between affine functions of the
budget; where a check fails, the completion locates the budget where the order really changes by
*probes*: the money at single budgets recomputed from the certified rounds' winners alone, and the
two crossing factors compared there (:meth:`RangeCheck.probe`), in the spirit of "Streamlining Equal
Shares" (Kraiczy, Robinson and Elkind 2025: compute the next budget where the outcome changes instead
of stepping). The exact engine's tracked runs compute that budget exactly (:mod:`._mes`), but the
winners' splits change every few unit steps, so they jump only a few steps (on Budapest 2024 1-5, on
Dieppe, Assen and Veszprém 4-13, fewer than the range checks cover there); the completion uses them
only where a float run is uncertain.
"""

from __future__ import annotations

import heapq
from collections import Counter, deque
from itertools import compress, islice, repeat
from math import sumprod
from operator import ge, itemgetter, lt

from .profile import Compiled

EPS = 2.0**-50
_BIG = 2**53
_HEAVY = 16  # groups with more voters are counted with their weight instead of being repeated
INF = float("inf")
_TINY = 2.0**-900  # costs below are left to the exact engine (never in real instances)
_first = itemgetter(0)
_e_of = itemgetter(2)
_u_of = itemgetter(3)
_e_of1 = itemgetter(1)
_m_of = itemgetter(2)
_x_of = itemgetter(3)
_SHORT_MIN = 32  # histograms with more entries are first tested with _short (below: not worth its setup)
_SHORT_TRIES = 256  # ... and after that many tests only where at least a quarter of them settled it
_SL_MIN = 2.0**-500  # RangeCheck._line0 keeps results computed with class 0's slope above this
# the upper bound of the supporters' money where _rho_a last found a project unaffordable (read right
# after the call by the evaluations kept for other budgets, see verify)
_UNAFF = [0.0]


def _between(first, second, f, margin):
    """Bounds at fraction `f` of a range from the bounds at its ends, widened by `margin` per unit of
    magnitude (negative for lower bounds, positive for upper ones) to cover the rounding."""
    return [x1 + (x2 - x1) * f + margin * (abs(x1) + abs(x2)) for x1, x2 in zip(first, second, strict=True)]


def _between_up(first, second, f, margin):
    """:func:`_between` for upper bounds of money (never negative: their magnitude needs no abs)."""
    return [x1 + (x2 - x1) * f + margin * (x1 + x2) for x1, x2 in zip(first, second, strict=True)]


class Record:
    """A certified run: its order and, in terms of class ids (independent of the budget), what it did.

    ``rounds[t] = (winner, hist, trans)``: the winner's histogram ``[(class, u, voters), ...]`` and the
    new class of each of its entries; ``computes``: ``(state, project, hist)`` for every evaluation
    (``state`` = number of purchases before it; ``hist`` None where the run bounded the project from
    its supporter groups without counting it: a reader counts it from ``snaps[state]``);
    ``snaps[t]``: the groups' classes before round ``t``; ``gc``: the groups' classes at the end;
    ``caps[t]`` (with ``keep=2``): an upper bound of round ``t``'s factor at ``b``, hence at every
    larger budget with the same purchases before round ``t`` (see :class:`RangeCheck`).
    """

    __slots__ = ("b", "caps", "computes", "gc", "initial", "order", "rounds", "snaps")

    def __init__(self, b, initial):
        self.b = b
        self.initial = initial
        self.order: list[int] = []
        self.rounds: list[tuple] = []
        self.computes: list[tuple] = []
        self.snaps: list[list[int]] = []
        self.gc: list[int] = []
        self.caps: list[float] = []


# Backwards-compatible name: a run's result has ``initial`` and ``order``.
FloatRun = Record


def _prepared(cp: Compiled) -> tuple:
    """Per instance, computed once: the largest integer a run uses apart from the budget (or -1 if
    some utility is not an integer); per project its supporters by utility for counting
    ``[(u, repeated groups, [(heavy group, voters)])]`` and for moving ``[(u, groups)]``; and the
    projects sharing supporters with it."""
    cache = getattr(cp, "_float_cache", None)
    if cache is None:
        nproj = len(cp.ids)
        nv = max(cp.n_voters, 1)
        big = max((c * nv for c in cp.cost), default=0)
        groups = cp.groups
        mult = [m for m, _items in groups]
        single = [m == 1 for m in mult]
        several = [m > 1 for m in mult]
        first = itemgetter(0)
        count: list[list] = []
        move: list[list] = []
        init: list[list] = []  # the histograms before the first purchase (every group in class 0)
        for p in range(nproj):
            sup = cp.supporters[p]
            if cp.approval:  # one utility per project (its cost)
                byu = {cp.cost[p]: list(map(first, sup))} if sup else {}
            else:
                byu = {}
                for g, u in sup:
                    byu.setdefault(u, []).append(g)
            cl = []
            for u, gs in byu.items():
                if type(u) is not int:
                    big = -1
                elif big >= 0:
                    big = max(big, u * cp.n_supporters[p])
                rep = list(compress(gs, map(single.__getitem__, gs)))
                heavy = []
                for g in compress(gs, map(several.__getitem__, gs)):
                    m = mult[g]
                    if m <= _HEAVY:
                        rep.extend([g] * m)
                    else:
                        heavy.append((g, m))
                cl.append((u, rep, heavy))
            init.append([(0, u, len(rep) + sum(m for _g, m in heavy)) for u, rep, heavy in cl])
            count.append(cl)
            move.append(list(byu.items()))
        # Projects sharing supporters: one bit per group (an int parsed from a string of "0"/"1"),
        # one AND per pair of projects.
        ng = len(groups)
        gmask = []
        zeros = b"0" * ng
        for p in range(nproj):
            ba = bytearray(zeros)
            for _u, gs in move[p]:
                deque(map(ba.__setitem__, gs, repeat(49)), maxlen=0)  # 49 = ord("1")
            gmask.append(int(ba, 2) if ng else 0)
        nbr: list[list[int]] = [[] for _ in range(nproj)]
        for p in range(nproj):
            mp = gmask[p]
            if not mp:
                continue
            for q in range(p + 1, nproj):
                if mp & gmask[q]:
                    nbr[p].append(q)
                    nbr[q].append(p)
        nbrs = [tuple(x) for x in nbr]
        cache = cp._float_cache = (big, count, move, nbrs, init)
    return cache


def _count_hist(cl, gc) -> list:
    """A project's histogram ``[(class, u, voters), ...]`` counted from the groups' classes ``gc``."""
    gcget = gc.__getitem__
    h: list = []
    for u, rep, heavy in cl:
        cnt = Counter(map(gcget, rep)) if rep else Counter()
        for g, m in heavy:
            cnt[gc[g]] += m
        h.extend(zip(cnt.keys(), repeat(u), cnt.values()))
    return h


_HIST_CACHE = 4_000_000  # histogram entries kept per instance before the cache is emptied
_MONEY_KEEP = 8  # states of RangeCheck._money_at kept per instance


def _hist_cache(cp: Compiled) -> tuple:
    """Per instance: counted histograms by ``(order of purchases before, project)``, their size, the
    histograms' entries sorted by money (see :func:`_by_money`), their columns (see
    :func:`_columns`), the last states computed by :meth:`RangeCheck._money_at`, the evaluations
    kept for other budgets (see :func:`verify`) and per project its first-round line in range checks
    (see :meth:`RangeCheck._line0`)."""
    hc = getattr(cp, "_hist_cache", None)
    if hc is None:
        hc = cp._hist_cache = ({}, [0], {}, {}, {}, {}, [None] * len(cp.ids))
    return hc


def release(cp: Compiled) -> None:
    """Drop the instance's counted histograms and money-ordered views (:func:`_hist_cache`), at the
    end of a completion. They serve the runs and checks of one completion; kept on the instance, the
    millions of entries allocated while the collector was paused would be traversed by its first
    collection after it is resumed (0.41 s after Warszawa 2026's completion, their deallocation
    0.18 s), and they would hold memory as long as the instance lives."""
    if getattr(cp, "_hist_cache", None) is not None:
        del cp._hist_cache


def _by_money(bm: dict, h: list, ca: list) -> list:
    """The entries of ``h`` in the order of their money ``ca`` the second time it is asked for (the
    first time ``h`` itself: many histograms are evaluated only once), kept under ``id(h)`` (with
    ``h``, so that the id stays unique). :func:`_rho_a` sorts the entries by money at every
    evaluation; the same histogram is evaluated at many budgets and in many rounds, and the order of
    its classes by money hardly changes, so fed in this order the sort finds the entries (nearly)
    sorted, which Python's sort handles in about linear time. Only the order of the sums changes
    (covered by the error bounds); the split and its certification are the same."""
    v = bm.get(id(h))
    if v is None:
        if len(h) < 2:
            return h
        bm[id(h)] = (None, h)
        return h
    view = v[0]
    if view is None:
        keys = list(map(ca.__getitem__, map(_first, h)))
        view = list(map(h.__getitem__, sorted(range(len(h)), key=keys.__getitem__)))
        bm[id(h)] = (view, h)
    return view


def _hist_at(hc, prefix: tuple, p: int, cl, gc) -> list:
    """Project ``p``'s histogram after the purchases ``prefix`` (the groups' classes then are ``gc``).

    For a given order of purchases the classes, and hence every histogram, are the same at every
    budget (see the module docstring), so a histogram counted once serves every run, check and
    resumed run that shares the prefix, at any budget (the add-one completion revisits the same
    prefixes many times). The lists are never modified."""
    d, size, bm, cc, _keep, tan, _l0 = hc
    key = (prefix, p)
    h = d.get(key)
    if h is None:
        if len(cl) == 1:  # one utility (approval ballots): the columns for _rho_a_cols come with it
            u, rep, heavy = cl[0]
            cnt = Counter(map(gc.__getitem__, rep)) if rep else Counter()
            for g, m in heavy:
                cnt[gc[g]] += m
            if len(cnt) >= _COLS_MIN:
                cids = list(cnt)
                ms = list(cnt.values())
                h = list(zip(cids, repeat(u), ms))
                cc[id(h)] = (ms, cids, h, sum(ms))
            else:
                h = list(zip(cnt.keys(), repeat(u), cnt.values()))
        else:
            h = _count_hist(cl, gc)
        if size[0] > _HIST_CACHE:
            d.clear()
            bm.clear()
            cc.clear()
            tan.clear()
            size[0] = 0
        d[key] = h
        size[0] += len(h) + 1
    return h


def _nbrsets(cp: Compiled) -> list[frozenset]:
    sets = getattr(cp, "_nbr_sets", None)
    if sets is None:
        sets = cp._nbr_sets = [frozenset(x) for x in _prepared(cp)[3]]
    return sets


def _group_cols(cp: Compiled) -> tuple:
    """For :func:`_low_groups`, per instance: per project the least number of entries of its last
    histogram in a run for which a run tries it (``_LOWG_SHARE`` times its supporter groups; INF for
    projects with fewer than ``_LOWG_MIN`` groups and for every project of instances with other than
    approval ballots), the voters of every group, and a dict of the projects' groups and their voters as two
    lists with the voters' sum and the utility, ``(gs, gm, voters, u)``, filled at a project's first
    use (:func:`_group_cols_of`)."""
    gq = getattr(cp, "_group_cols", None)
    if gq is None:
        least = [INF] * len(cp.ids)
        if cp.approval:
            for p, sup in enumerate(cp.supporters):
                if len(sup) >= _LOWG_MIN:
                    least[p] = len(sup) * _LOWG_SHARE
        mult = [m for m, _items in cp.groups] if min(least, default=INF) < INF else []
        gq = cp._group_cols = (least, mult, {})
    return gq


def _group_cols_of(cp: Compiled, gq: tuple, p: int) -> tuple:
    """Project ``p``'s entry of :func:`_group_cols`'s dict, made at its first use."""
    built = gq[2]
    v = built.get(p)
    if v is None:
        gs = list(map(_first, cp.supporters[p]))
        gm = list(map(gq[1].__getitem__, gs))
        v = built[p] = (gs, gm, sum(gm), cp.cost[p])
    return v


def _rho_floors(cp: Compiled) -> list[float]:
    """Per project a lower bound of its factor at every budget and in every round, with no evaluation:
    ``sum m min(a, rho u) <= rho sum m u`` over all its supporters, so ``rho >= cost / sum m u``
    (rounded down). Exact where no supporter is short of its share, as in the first round on approval
    ballots whenever the project is affordable. Single-budget checks start from these instead of
    evaluating every project at the first round; a project is evaluated only once its bound comes
    close to a winner. (Range checks evaluate every project at the first round: starting them from
    these bounds cost 9 % more instructions on Wieliczka 2023, projects being evaluated later on
    larger histograms.)"""
    fl = getattr(cp, "_rho_floor", None)
    if fl is None:
        nv = max(cp.n_voters, 1)
        fl = []
        for q, h in enumerate(_prepared(cp)[4]):
            tot = sum(u * m for _c, u, m in h)
            fl.append(float(cp.cost[q] * nv) / tot * (1 - 4 * EPS) if tot else INF)
        cp._rho_floor = fl
    return fl


def float_ok(cp: Compiled, b: int) -> bool:
    """Whether every integer the float run uses is exactly representable."""
    big = _prepared(cp)[0]
    return 0 <= big < _BIG and b < _BIG


def _rho(hist, ca, ce, c, guess=0.0, above=INF):
    """Certified affordability factor from a histogram: ``(lo, rho, hi, err)`` with the exact rho in
    ``[lo, hi]``; ``None`` if certainly unaffordable; ``False`` if uncertain. (``guess`` and ``above``
    are not used here; see :func:`_rho_a`.)"""
    items = []
    total = 0.0
    terr = 0.0
    denom = 0
    for cid, u, m in hist:
        a = ca[cid]
        e = ce[cid]
        if a == 0.0 and e == 0.0:
            continue
        items.append((a / u, a, e, u, m))
        total += m * a
        terr += m * e
        denom += m * u
    k = len(items)
    terr += 2 * (k + 1) * EPS * total
    if total + terr < c:
        return None
    if total - terr < c or c < _TINY:  # (a tiny cost: rounding near underflow is not bounded)
        return False
    items.sort()
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
    tau = items[i][0]
    # Certify the split for every value in [lo, hi]. The entries are sorted by a / u (rounded, relative
    # error 2**-53) and no entry's error per utility exceeds eb, so the two entries next to the split
    # suffice, with margins; only if that fails, every entry is checked with its own error.
    eb = max(map(_e_of, items)) / min(map(_u_of, items)) * (1 + 4 * EPS)
    if (
        lo > 0.0
        and tau * (1 - 4 * EPS) - eb * (1 + 4 * EPS) >= hi * (1 + 8 * EPS)
        and (i == 0 or items[i - 1][0] * (1 + 4 * EPS) + eb * (1 + 4 * EPS) <= lo * (1 - 8 * EPS))
    ):
        return lo, rho, hi, err, tau
    lo_m = lo * (1 - 4 * EPS)
    hi_m = hi * (1 + 4 * EPS)
    for j in range(k):
        _r, a, e, u, m = items[j]
        if j < i:
            if (a + e) * (1 + 4 * EPS) > lo_m * u:
                return False
        elif (a - e) * (1 - 4 * EPS) < hi_m * u:
            return False
    return lo, rho, hi, err, tau


def _pay(hist, r, ca, ce) -> bytes:
    """Append the new class of every entry of the winner's histogram; return per entry 1 if it pays
    everything it has, 0 if it pays ``rho * u`` (the split certified by :func:`_rho`: the entries
    with ``a / u`` below that of the first full payer are exactly the ones paying everything)."""
    _lo, wr, _hi, werr, tau = r
    flags = bytearray(len(hist))
    E2 = 2 * EPS
    cu = None  # the share and its error depend on the utility only (one utility for approval)
    share = k = 0.0
    for j, (cid, u, _m) in enumerate(hist):
        a = ca[cid]
        if a / u < tau:  # pays everything it has
            ca.append(0.0)
            ce.append(0.0)
            flags[j] = 1
        else:
            if u != cu:
                cu = u
                share = wr * u
                k = werr * u + E2 * share
            na = a - share
            if na > 0.0:
                ce.append(ce[cid] + k + E2 * na)
                ca.append(na)
            else:
                ce.append(ce[cid] + k - E2 * na)
                ca.append(0.0)
    return bytes(flags)


def _rho_a(hist, ca, ce, c, guess=0.0, above=INF):
    """:func:`_rho` for a histogram with one utility (approval ballots: the project's cost). The
    entries are sorted by their money itself (no division per entry, shorter tuples); the split and
    its certification are the same values as in :func:`_rho` (``a / u`` only for the two entries next
    to the split). Returns ``(lo, rho, hi, err, tau, a_split, denom, slo)``: ``a_split`` is the money of
    the first entry paying ``rho * u``; the certified entries paying everything are exactly those with
    less; ``denom`` is ``u`` times the voters paying their share (exact: integers), ``slo`` a lower
    bound of the supporters' money (both for :func:`_from_other`). Where unaffordable (None), the
    upper bound of their money is left in ``_UNAFF[0]``.

    ``guess``: a factor that the exact one is probably not below (a lower bound known to the caller,
    e.g. the project's factor earlier in the run: factors never fall during a run); then
    :func:`_rho_a_below` is tried first, which sorts only the entries with money from ``guess * u``
    on. With a guess, where the factor is certainly above ``above`` (a run: the upper end of the best
    factor evaluated in the round), a lower bound above it is returned instead (a float; no sort, see
    :func:`_rho_a_below`)."""
    if not hist:
        return None if c > 0.0 else False
    u = hist[0][1]
    if 0.0 < guess < INF and len(hist) >= _GUESS_MIN:
        r = _rho_a_below(hist, ca, ce, c, u, guess * u * _GUESS_SHY, above)
        if r is not _AGAIN:
            return r
    items = []
    total = 0.0
    terr = 0.0
    n = 0
    for cid, _u, m in hist:
        a = ca[cid]
        e = ce[cid]
        if a == 0.0 and e == 0.0:
            continue
        items.append((a, e, m))
        total += m * a
        terr += m * e
        n += m
    k = len(items)
    terr += 2 * (k + 1) * EPS * total
    if total + terr < c:
        _UNAFF[0] = total + terr
        return None
    if total - terr < c or c < _TINY:  # (a tiny cost: rounding near underflow is not bounded)
        return False
    items.sort()
    sa = 0.0
    saerr = 0.0
    i = 0
    for i, (a, e, m) in enumerate(items):  # noqa: B007
        if c - sa <= a * n:
            break
        sa += m * a
        saerr += m * e
        n -= m
    else:  # cannot happen for an affordable project, but stay safe
        return False
    denom = n * u
    rho = (c - sa) / denom
    err = (saerr + 2 * (i + 2) * EPS * (sa + c)) / denom + 2 * EPS * rho
    lo = rho - err
    hi = rho + err
    a_split = items[i][0]
    tau = a_split / u
    eb = max(map(_e_of1, items)) / u * (1 + 4 * EPS)
    if (
        lo > 0.0
        and tau * (1 - 4 * EPS) - eb * (1 + 4 * EPS) >= hi * (1 + 8 * EPS)
        and (i == 0 or items[i - 1][0] / u * (1 + 4 * EPS) + eb * (1 + 4 * EPS) <= lo * (1 - 8 * EPS))
    ):
        return lo, rho, hi, err, tau, a_split, denom, (total - terr) * (1 - 2 * EPS)
    lo_m = lo * (1 - 4 * EPS) * u
    hi_m = hi * (1 + 4 * EPS) * u
    for j in range(k):
        a, e, _m = items[j]
        if j < i:
            if (a + e) * (1 + 4 * EPS) > lo_m:
                return False
        elif (a - e) * (1 - 4 * EPS) < hi_m:
            return False
    return lo, rho, hi, err, tau, a_split, denom, (total - terr) * (1 - 2 * EPS)


_AGAIN = object()  # _rho_a_below: the guess did not work out, evaluate without it
_GUESS_MIN = 32  # histograms with fewer entries are evaluated without the guess (not worth its setup)
_GUESS_SHY = 1 - 2.0**-20  # the guessed level lowered a little: a factor unchanged since the guess
# (a neighbour bought whose supporters shared with this project had no money left) certifies again


def _rho_a_below(hist, ca, ce, c, u, xlo, above=INF):
    """:func:`_rho_a` where the level ``rho * u`` is expected at ``xlo`` or above: the entries with
    less money are summed in the pass over the histogram (as entries paying everything), only the
    others are made into tuples, sorted and walked to the split. Returns :data:`_AGAIN` where that
    does not certify (the caller evaluates the usual way: the guess only saves work).

    Why this is the same certified result: the sums and the split are those of :func:`_rho_a` with
    the entries below ``xlo`` placed first (they come before every other entry in the order of money,
    so the walk would pass them first if the split lies among the others); the sum of the money
    before the split has ``kb + i`` terms (``kb`` the entries below with money, ``i`` the sorted ones
    before the split; adding 0 is exact), which the error bound counts. The certification of the
    split is the one of :func:`_rho_a`: the entry at the split certainly above ``hi``, and the
    largest entry before it (the sorted one before the split, else the largest below ``xlo``),
    with the largest error of any entry, certainly below ``lo``. If the split is at the first sorted
    entry and the largest entry below ``xlo`` is not certainly below ``lo`` (the guess too high), or
    no split is found among the sorted entries, or that certification fails, :data:`_AGAIN`.
    Unaffordable and uncertain affordability are decided by the same sums as in :func:`_rho_a`.

    Before sorting, a lower bound of the factor from the pass alone: every entry from ``xlo`` on
    contributes at most ``x`` to ``F(x) = sum m min(A, x)`` (exact money ``A``) and every entry below
    at most its money, so ``F(x) <= S + n x`` (``S`` an upper bound of the exact money below ``xlo``
    with its errors and the rounding of its sum, ``n`` the voters from ``xlo`` on), and ``F`` stays
    below the cost under ``x = (c - S) / n``: the factor is at least ``(c - S) / (n u)`` (rounded
    down). Where that is above ``above`` it is returned (a float) instead of the factor: a run needs
    no more of a project that cannot win the round (see :func:`run_mes_float`)."""
    items = []
    sa = 0.0  # the money below xlo, and its error
    saerr = 0.0
    kb = 0
    amax = -1.0  # the largest money below xlo (-1: no entry there with money or an error)
    eb = 0.0  # the largest error of any entry
    su = 0.0  # the money from xlo on, its error and its voters
    suerr = 0.0
    n = 0
    for cid, _u, m in hist:
        a = ca[cid]
        if a < xlo:
            e = ce[cid]
            if a:
                sa += m * a
                kb += 1
                if a > amax:
                    amax = a
            elif not e:
                continue
            elif amax < 0.0:
                amax = 0.0
            if e:
                saerr += m * e
                if e > eb:
                    eb = e
        else:
            e = ce[cid]
            items.append((a, e, m))
            su += m * a
            suerr += m * e
            n += m
            if e > eb:
                eb = e
    total = sa + su
    k = kb + len(items)
    terr = saerr + suerr + 2 * (k + 1) * EPS * total
    if total + terr < c:
        _UNAFF[0] = total + terr
        return None
    if total - terr < c or c < _TINY:
        return False
    if above < INF and n:
        low = (c - (sa + saerr) * (1 + 2 * (kb + 2) * EPS)) / (n * u) * (1 - 8 * EPS)
        if low > above:
            return low
    items.sort()
    i = 0
    for i, (a, e, m) in enumerate(items):  # noqa: B007
        if c - sa <= a * n:
            break
        sa += m * a
        saerr += m * e
        n -= m
    else:
        return _AGAIN
    return _certified(
        c, u, sa, saerr, kb + i, n, eb, items[i][0], items[i - 1][0] if i else amax, total - terr
    )


def _certified(c, u, sa, saerr, k, n, eb, a_split, left, slo):
    """The end of :func:`_rho_a_below` and :func:`_rho_a_cols`: the factor from the split (``sa``: the
    money before it, with the error bound ``saerr`` and ``k`` terms in its sum; ``n`` the voters from
    the split on; ``a_split`` the money at the split, ``left`` the largest before it, -1 if none;
    ``eb`` the largest error bound of any entry; ``slo`` the supporters' money less its error bound)
    certified as in :func:`_rho_a`. Returns :func:`_rho_a`'s tuple, or :data:`_AGAIN`."""
    denom = n * u
    rho = (c - sa) / denom
    err = (saerr + 2 * (k + 2) * EPS * (sa + c)) / denom + 2 * EPS * rho
    lo = rho - err
    hi = rho + err
    tau = a_split / u
    eb = eb / u * (1 + 4 * EPS)
    if (
        lo > 0.0
        and tau * (1 - 4 * EPS) - eb * (1 + 4 * EPS) >= hi * (1 + 8 * EPS)
        and (left < 0.0 or left / u * (1 + 4 * EPS) + eb * (1 + 4 * EPS) <= lo * (1 - 8 * EPS))
    ):
        return lo, rho, hi, err, tau, a_split, denom, slo * (1 - 2 * EPS)
    return _AGAIN


_COLS_MIN = 1024  # histograms with fewer entries are evaluated in Python (_rho_a_below; see there)
# _rho_a_cols only while the largest error bound of any class times the voters stays below this share
# of the cost (the error bounds of a run's classes grow with its rounds; on Warszawa 2020
# Praga-Poludnie up to a quarter of the cost, which left the runs' intervals overlapping)
_COLS_ERR = 2.0**-30
_NEAR = 1.0  # _rho_a_cols: entries below x0 + _NEAR * (x0 - xlo) are sorted first
_FLIP = bytes.maketrans(b"\x00\x01", b"\x01\x00")
_EMAX: list = [None, 0, 0.0]  # the list of error bounds last asked for, how far it was scanned, its largest


def _emax(ce: list) -> float:
    """The largest error bound in ``ce`` (the classes' error bounds: lists that only grow, by appends
    in :func:`_pay_a` and :func:`_pay`), kept for the last list asked for and extended by the entries
    appended since (a run or check asks for the same list in every evaluation)."""
    k = _EMAX
    n = len(ce)
    if k[0] is ce:
        if n > k[1]:
            k[2] = max(k[2], max(islice(ce, k[1], None)))
            k[1] = n
        return k[2]
    k[0] = ce
    k[1] = n
    k[2] = m = max(ce) if ce else 0.0
    return m


def _rho_a_cols(cols, ca, ce, c, u, xlo, above=INF):
    """:func:`_rho_a_below` with the pass over the entries done in C on the histogram's columns
    ``cols`` (:func:`_columns`): the entries' money gathered by ``map``, those below and from ``xlo``
    on told apart by a mask of bytes and summed by ``sumprod`` over ``compress``; every entry's error
    bounded by the largest error bound of any class (:func:`_emax`) times its voters instead of summed
    one by one (only where that bound times the voters stays below ``_COLS_ERR`` times the cost: else,
    and where affordability is uncertain with it, :data:`_AGAIN`, and :func:`_rho_a` decides with the
    entries' own errors). Of the entries from ``xlo`` on, those below ``x0 + _NEAR (x0 - xlo)`` (``x0``
    the level of the split if all of them paid it, a lower bound of the true one) are sorted first
    (their indices by their money) and walked; the others only if the split is not among them. The
    same certification as :func:`_rho_a_below` with these (larger) error bounds: the number of terms
    of every sum is at most the number of entries ``k``, the largest money below ``xlo`` (the left
    neighbour where the split falls on the first sorted entry) is found by a pass in C only then.
    Returns what :func:`_rho_a_below` returns (:data:`_AGAIN` where it does not certify). On Amsterdam
    621 (about 2 000 entries) about two thirds of the Python pass's time per entry (sixteenth round,
    benchmarks/outcomes/NOTES.md); on histograms of a few hundred entries no gain."""
    ms, cids, _h, voters = cols
    eb = _emax(ce) * (1 + 4 * EPS)
    if eb * voters > c * _COLS_ERR:  # too loose (one class with a large error bound): in Python
        return _AGAIN
    A = list(map(ca.__getitem__, cids))
    mask = bytes(map(ge, A, repeat(xlo)))
    nmask = mask.translate(_FLIP)
    sa = sumprod(compress(ms, nmask), compress(A, nmask))
    n = sumprod(ms, mask)
    su = sumprod(compress(ms, mask), compress(A, mask))
    k = len(A)
    total = sa + su
    terr = eb * voters * (1 + 4 * EPS) + 2 * (k + 2) * EPS * total
    if total + terr < c:
        _UNAFF[0] = total + terr
        return None
    if total - terr < c or c < _TINY:  # (perhaps only by the looser error bounds: decided by _rho_a)
        return _AGAIN
    if above < INF and n:
        low = (
            (c - (sa + eb * (voters - n) * (1 + 4 * EPS)) * (1 + 2 * (k + 2) * EPS)) / (n * u) * (1 - 8 * EPS)
        )
        if low > above:
            return low
    As = list(compress(A, mask))
    Ms = list(compress(ms, mask))
    # Only the entries below an estimate of the split are sorted first (the walk passes few of them:
    # on Amsterdam 621 4 % of the entries from xlo on); the others only if the split lies among them.
    # ``(c - sa) / n`` is the level where the split would lie if every entry from xlo on paid it.
    x0 = (c - sa) / n if n else INF
    near = bytes(map(lt, As, repeat(x0 + _NEAR * (x0 - xlo))))
    i = 0
    found = False
    idx = range(len(As))
    for part in (near, near.translate(_FLIP)):
        for j in sorted(compress(idx, part), key=As.__getitem__):
            a = As[j]
            if c - sa <= a * n:
                found = True
                break
            m = Ms[j]
            sa += m * a
            n -= m
            i += 1
            left = a
        if found:
            break
    else:
        return _AGAIN
    if not i:
        left = max(compress(A, nmask), default=-1.0)
    return _certified(c, u, sa, eb * (voters - n) * (1 + 4 * EPS), k, n, eb, a, left, total - terr)


_LOWG_MIN = 1024  # projects with fewer supporter groups: no bounds from the groups (_low_groups)
_LOWG_SHARE = 0.5  # ... and only where the project's last histogram had this many entries per group


def _low_groups(gq, gc, ca, ce, c, xlo, above):
    """The lower bound of :func:`_rho_a_cols` (a float above ``above``) from the project's supporter
    groups ``gq`` (:func:`_group_cols`) and their classes ``gc``, without its histogram; None where
    the money with its errors cannot reach the cost (as there, the bound left in ``_UNAFF``); else
    :data:`_AGAIN`. The histogram's entries are the groups merged by class (the same money per class),
    so the groups are a finer partition of the same voters with the same money: the argument of
    :func:`_rho_a_below` for ``F(x) <= S + n x`` holds term by term, with the groups as the terms
    (their number ``k`` in the rounding of the sums, every group's error bounded by the largest one of
    any class). The bound does not need affordability: an unaffordable project's factor is infinite,
    above every bound (a run evaluates such a project in full before it ends: its entry stays stale).
    Used by runs where the histogram is not counted yet: a project that cannot win the round needs no
    histogram (on Amsterdam 621 most such histograms are never looked at again)."""
    gs, gm, voters, u = gq
    eb = _emax(ce) * (1 + 4 * EPS)
    if eb * voters > c * _COLS_ERR:
        return _AGAIN
    A = list(map(ca.__getitem__, map(gc.__getitem__, gs)))
    mask = bytes(map(ge, A, repeat(xlo)))
    n = sumprod(gm, mask)
    nmask = mask.translate(_FLIP)
    sa = sumprod(compress(gm, nmask), compress(A, nmask))
    k = len(A)
    total = sa + sumprod(compress(gm, mask), compress(A, mask))
    terr = eb * voters * (1 + 4 * EPS) + 2 * (k + 2) * EPS * total
    if total + terr < c:
        _UNAFF[0] = total + terr
        return None
    if not n:
        return _AGAIN
    low = (c - (sa + eb * (voters - n) * (1 + 4 * EPS)) * (1 + 2 * (k + 2) * EPS)) / (n * u) * (1 - 8 * EPS)
    return low if low > above else _AGAIN


def _pay_a(hist, r, ca, ce) -> bytes:
    """:func:`_pay` for a histogram with one utility and a split from :func:`_rho_a`."""
    wr, werr, a_split = r[1], r[3], r[5]
    flags = bytearray(len(hist))
    if not hist:
        return bytes(flags)
    E2 = 2 * EPS
    share = wr * hist[0][1]
    k = werr * hist[0][1] + E2 * share
    for j, (cid, _u, _m) in enumerate(hist):
        a = ca[cid]
        if a < a_split:  # pays everything it has
            ca.append(0.0)
            ce.append(0.0)
            flags[j] = 1
        else:
            na = a - share
            if na > 0.0:
                ce.append(ce[cid] + k + E2 * na)
                ca.append(na)
            else:
                ce.append(ce[cid] + k - E2 * na)
                ca.append(0.0)
    return bytes(flags)


def _from_other(v, ca, b, cc, gain, emax, c, lim, lev):
    """What an evaluation of the same histogram at another single budget tells at the budget ``b``
    (see :func:`verify`): ``(kind, value, lev)`` with kind 1 for a lower bound ``value`` of the factor
    above ``lim``, 2 for unaffordable (``value``: an upper bound of the supporters' money at ``b``),
    0 for nothing. ``v = (h, b0, lo0, denom, s0)``: at ``b0`` the lower end of the factor, the voters
    paying their share times ``u`` and a lower bound of the supporters' money (``lo0`` None: found
    unaffordable there, ``s0`` an upper bound of that money). ``lev`` 0: first with the money all
    voters gained (``gain * (b - b0)``: no look at the entries), then (and with ``lev`` 1 only) with
    the supporters' money at ``b`` summed in C (``ca`` and the largest error bound ``emax``); the
    returned ``lev`` is the stage reached."""
    h, b0, lo0, denom, s0 = v
    if b0 >= b:  # factors never rise with the budget, the money never falls
        if lo0 is None:
            return 2, s0, 2
        return (1 if lo0 > lim else 0), lo0, 2
    if lev == 0:
        g = float(gain * (b - b0))
        if lo0 is None:
            up = (s0 + g) * (1 + 4 * EPS)
            if up < c:
                return 2, up, 1
        else:
            q = g / denom * (1 + 4 * EPS)
            lo = lo0 - q - 4 * EPS * (lo0 + q)
            if lo > lim:
                return 1, lo, 1
    ms, cids, _h, voters = _columns(cc, h)
    up = (sumprod(ms, map(ca.__getitem__, cids)) + emax * voters) * (1 + 2 * (len(h) + 3) * EPS)
    if lo0 is None:
        return (2 if up < c else 0), up, 2
    d = (up - s0) * (1 + 4 * EPS)
    if d <= 0.0:
        lo = lo0
    else:
        q = d / denom * (1 + 4 * EPS)
        lo = lo0 - q - 4 * EPS * (lo0 + q)
    return (1 if lo > lim else 0), lo, 2


def _pure(hist, ca, ce, c) -> int:
    """``denom`` if every entry of ``hist`` with money certainly pays its share at ``rho = c / denom``
    (``denom``: the sum of ``m * u`` over the entries whose money is not exactly 0); else 0.

    Then the exact factor is the rational ``c / denom`` (``sum min(a, rho u) m = rho * denom = c``):
    with cost utilities it is ``n_voters / supporters`` whatever the money, so projects with as many
    supporters none of whom is short of its share are exactly tied, as often on small instances. Such
    ties are decided by the tie-breaking key, as in the exact engine, instead of by a fallback to it.
    0 for costs below ``_TINY`` (near underflow the rounding of ``c / denom`` is not relative)."""
    if c < _TINY:
        return 0
    denom = 0
    for cid, u, m in hist:
        if ca[cid] != 0.0 or ce[cid] != 0.0:
            denom += m * u
    if not denom:
        return 0
    lim = c / denom * (1 + 8 * EPS)
    for cid, u, _m in hist:
        a = ca[cid]
        e = ce[cid]
        if (a != 0.0 or e != 0.0) and (a - e) * (1 - 4 * EPS) < lim * u:
            return 0
    return denom


def _pure_range(hist, L1, L2, U1, U2, c) -> int:
    """:func:`_pure` on a range: ``denom`` if every entry whose upper money bounds are not both 0 has
    lower bounds at both ends (hence on the whole range: they are affine) above its share at
    ``rho = c / denom``; then ``c / denom`` is the exact factor at every budget of the range. Else 0
    (also for costs below ``_TINY``, as in :func:`_pure`)."""
    if c < _TINY:
        return 0
    denom = 0
    for cid, u, m in hist:
        if U1[cid] != 0.0 or U2[cid] != 0.0:
            denom += m * u
    if not denom:
        return 0
    lim = c / denom * (1 + 8 * EPS)
    for cid, u, _m in hist:
        if (U1[cid] != 0.0 or U2[cid] != 0.0) and min(L1[cid], L2[cid]) * (1 - 4 * EPS) < lim * u:
            return 0
    return denom


def _ties_first(cw: int, dw: int, kw, cq: int, dq: int, kq) -> bool:
    """With exact factors ``cw / dw`` (the winner) and ``cq / dq``: does the winner come first
    (smaller factor, or the same one and a smaller tie-breaking key)?"""
    x = cw * dq
    y = cq * dw
    return x < y or (x == y and kw < kq)


def _rho_pay(cp: Compiled) -> tuple:
    """The functions evaluating and paying for a histogram: with one utility per project (approval
    ballots) :func:`_rho_a` on the entries ordered by :func:`_by_money`, and :func:`_pay_a`."""
    if not cp.approval:
        return _rho, _pay
    hc = _hist_cache(cp)
    bm = hc[2]
    cc = hc[3]

    def rho(h, ca, ce, c, guess=0.0, above=INF):
        if 0.0 < guess < INF and len(h) >= _COLS_MIN:
            u = h[0][1]
            r = _rho_a_cols(_columns(cc, h), ca, ce, c, u, guess * u * _GUESS_SHY, above)
            if r is not _AGAIN:
                return r
        return _rho_a(_by_money(bm, h, ca), ca, ce, c, guess, above)

    return rho, _pay_a


class Resume:
    """Where a run continues after :func:`verify` failed at a single budget (see there)."""

    __slots__ = ("alive", "ca", "caps", "ce", "computes", "evals", "known", "lower", "rec", "rounds", "t")

    def __init__(self, rec, t, computes, ca, ce, alive, lower, rounds, known, caps, evals=None):
        self.known = known  # project -> (state, histogram) of its newest recorded evaluation
        # project -> (histogram, result): the check's evaluations at this budget (the run's money)
        self.evals = evals if evals is not None else {}
        self.caps = caps  # the rounds' caps (Record.caps), valid at this budget
        self.rec = rec
        self.rounds = rounds
        self.t = t
        self.computes = computes
        self.ca = ca
        self.ce = ce
        self.alive = alive
        self.lower = lower


def run_mes_float(
    cp: Compiled, b: int, cands: list[int], free: list[int], keep: int = 1, resume: Resume | None = None
) -> Record | None:
    """Order of purchases of MES at per-voter budget ``b`` (units as in ``run_mes``), or ``None``.

    ``keep``: 0 only the order; 1 also ``rounds`` and the final classes (for the exact replay of the
    explanations); 2 also every evaluation and a snapshot per round (for :func:`verify`).
    ``resume``: continue a recorded run at budget ``b`` from the round where :func:`verify` failed.
    """
    nv = max(cp.n_voters, 1)
    tiekey = cp.tiekey
    Ci = [c * nv for c in cp.cost]
    C = [float(c) for c in Ci]
    _big, count, move, nbrs, init = _prepared(cp)
    nbrsets = _nbrsets(cp)
    rho, pay = _rho_pay(cp)
    rec = Record(b, list(free))
    if resume is None:
        ca: list[float] = [float(b)]
        ce: list[float] = [0.0]
        gc: list[int] = [0] * len(cp.groups)
        alive = set(cands)
        t = 0
    else:
        old = resume.rec
        t = resume.t
        ca, ce = resume.ca, resume.ce
        gc = list(old.snaps[t])
        alive = set(resume.alive)
        rec.order = old.order[:t]
        rec.rounds = resume.rounds
        rec.caps = list(resume.caps)
        rec.computes = resume.computes
        rec.snaps = old.snaps[:t]
    gcget = gc.__getitem__
    gcset = gc.__setitem__
    computes = rec.computes

    hc = _hist_cache(cp)
    prefix = tuple(rec.order)

    def hist_of(p):
        return _hist_at(hc, prefix, p, count[p], gc)

    lin: dict[int, tuple] = {}
    hists: dict[int, list] = {}
    version = dict.fromkeys(cands, 0)

    # every evaluation kept for the single-budget checks at other budgets (see verify)
    tan = hc[5] if cp.approval else None

    gcols = _group_cols(cp)
    least = gcols[0]
    hcd = hc[0]
    # per project the entries of its last histogram looked at in this run (they only grow along the
    # purchases): groups instead of a histogram only where it has at least _LOWG_SHARE entries per group
    seen: dict[int, int] = {}
    if resume is not None:
        for q, (_tq, hq) in resume.known.items():
            seen[q] = len(hq)

    def evaluate(p, guess=0.0, above=INF):
        """``guess``: a lower bound of p's factor now (its stale heap entry); ``above``: the upper end
        of the best factor evaluated in this round; see :func:`_rho_a` (a float: a lower bound above
        ``above``). A histogram not counted yet is first tried for that bound from its supporter groups
        (:func:`_low_groups`); where that holds, it is not counted (``None`` in the record)."""
        if above < INF and t and 0.0 < guess < INF and seen.get(p, 0) >= least[p] and (prefix, p) not in hcd:
            gq = _group_cols_of(cp, gcols, p)
            r = _low_groups(gq, gc, ca, ce, C[p], guess * gq[3] * _GUESS_SHY, above)
            if r is not _AGAIN:
                if keep >= 2:
                    computes.append((t, p, None))
                return r
        h = hist_of(p) if t else init[p]
        seen[p] = len(h)
        if keep >= 2:
            computes.append((t, p, h))
        r = rho(h, ca, ce, C[p], guess, above)
        if r.__class__ is float:
            return r
        if r:
            hists[p] = h
            lin[p] = r
            if tan is not None:
                tan[id(h)] = (h, b, r[0], r[6], r[7])
        elif r is None and tan is not None:
            tan[id(h)] = (h, b, None, None, _UNAFF[0] * (1 + 2 * EPS))
        return r

    heap: list = []
    if resume is None:
        for p in cands:
            r = evaluate(p)
            if r is False:
                return None
            if r is None:
                alive.discard(p)
                continue
            heap.append((r[0], tiekey[p], p, 0))
    else:
        # A project none of whose neighbours was bought since its newest recorded evaluation has the
        # same histogram now: evaluate it from that (no counting). The others get their lower bound
        # at this budget from the check, as stale entries.
        # (Where the failed check evaluated that histogram at this budget, its result is taken: the
        # same histogram and the same money, hence a certified interval with the exact split.)
        touched = [nbrsets[w] for w in rec.order]
        evals = resume.evals
        for p in list(alive):
            tp, h = resume.known[p]
            if all(p not in touched[j] for j in range(tp, t)):
                if keep >= 2:  # the record must hold the histogram used from this round on
                    computes.append((t, p, h))
                v = evals.get(p)
                r = v[1] if v is not None and v[0] is h else rho(h, ca, ce, C[p])
                if r is None:
                    alive.discard(p)
                    continue
                if r:
                    hists[p] = h
                    lin[p] = r
                    heap.append((r[0], tiekey[p], p, 0))
                    continue
            heap.append((resume.lower[p], tiekey[p], p, -1))
    heapq.heapify(heap)

    def settle():
        """Drop dead and refresh stale heap tops until the top is fresh (False if uncertain)."""
        while heap:
            lo, tk, p, ver = heap[0]
            if p not in alive:
                heapq.heappop(heap)
                continue
            if ver != version[p]:
                heapq.heappop(heap)
                # (a bound only while p's entry lies below the best of the round: an entry above
                # it comes to the top only once that project was bought, and is then evaluated)
                r = evaluate(p, lo, best[0] if lo <= best[0] else INF)
                if r is False:
                    return False
                if r is None:
                    alive.discard(p)
                    continue
                if r.__class__ is float:
                    # above the best factor of the round so far: it cannot win the round; its
                    # entry stays stale, with this better lower bound
                    heapq.heappush(heap, (r, tk, p, -1))
                    continue
                heapq.heappush(heap, (r[0], tk, p, version[p]))
                if r[2] < best[0]:
                    best[0] = r[2]
                continue
            return True
        return True

    # the smallest upper end of the factors evaluated in this round (an upper bound of the round's
    # winning factor: projects certainly above it need no exact factor in this round)
    best = [INF]

    exact_lb: dict[int, int] = {}  # project -> denominator of an exact factor seen earlier in the run

    def tied(w, r):
        """The first of ``w`` and every project whose interval overlaps it, if all their factors are
        exact and equal (else None); the others stay in the heap, ``w`` goes back if it loses."""
        dw = _pure(hists[w], ca, ce, C[w])
        if not dw:
            return None
        cw = Ci[w]
        best = w
        others = []
        seen = {w}
        H = r[2]
        while heap and heap[0][0] <= H:
            item = heapq.heappop(heap)
            p = item[2]
            if p not in alive or p in seen:
                continue
            if item[3] != version[p]:
                dq = exact_lb.get(p)
                if dq and _ties_first(cw, dw, tiekey[best], Ci[p], dq, tiekey[p]):
                    # rho never decreases during a run: p's factor is at least its exact one seen
                    # earlier, and p comes after the best one so far; no need to evaluate it
                    seen.add(p)
                    others.append(item)
                    continue
                q = evaluate(p, item[0])
                if q is False:
                    return None
                if q is None:
                    alive.discard(p)
                else:
                    heapq.heappush(heap, (q[0], item[1], p, version[p]))
                continue
            q = lin[p]
            dq = _pure(hists[p], ca, ce, C[p])
            if not dq or cw * dq != Ci[p] * dw:
                return None
            exact_lb[p] = dq
            seen.add(p)
            others.append(item)
            H = max(H, q[2])
            if tiekey[p] < tiekey[best]:
                best = p
        if best != w:
            alive.add(w)
            alive.discard(best)
            others = [x for x in others if x[2] != best]
            others.append((r[0], tiekey[w], w, version[w]))
        for item in others:
            heapq.heappush(heap, item)
        return best

    order = rec.order
    while True:
        if settle() is False:
            return None
        if not heap:
            break
        w = heapq.heappop(heap)[2]
        alive.discard(w)
        r = lin[w]
        # Certify: every other project's (lower bound on) rho is above w's interval.
        if settle() is False:
            return None
        if heap and heap[0][0] <= r[2]:
            # A fresh competitor overlaps: too close to call, unless all the overlapping projects
            # are exactly tied (see _pure); then the tie-breaking key decides.
            w = tied(w, r)
            if w is None:
                return None
            r = lin[w]
        if keep >= 2:
            rec.snaps.append(list(gc))
        h = hists.pop(w)
        first = len(ca)
        flags = pay(h, r, ca, ce)
        if keep:
            rec.rounds.append((w, h, first, flags))
            if keep >= 2:
                rec.caps.append(r[2])
        # Every class of w's supporters gets its new class (first, first + 1, ... in hist order).
        mv = move[w]
        if len(h) == 1:
            for _u, gs in mv:
                deque(map(gcset, gs, [first] * len(gs)), maxlen=0)
        elif len(mv) == 1:  # one utility (approval ballots): the classes' new ones built in C
            gs = mv[0][1]
            tm = dict(zip(map(_first, h), range(first, first + len(h)), strict=True))
            deque(map(gcset, gs, map(tm.__getitem__, map(gcget, gs))), maxlen=0)
        else:
            new = {}
            for i, (cid, u, _m) in enumerate(h):
                new[(cid, u)] = first + i
            for u, gs in mv:
                tm = {cid: n for (cid, uu), n in new.items() if uu == u}
                deque(map(gcset, gs, map(tm.__getitem__, map(gcget, gs))), maxlen=0)
        for q in nbrs[w]:
            if q in version:
                version[q] += 1
        order.append(w)
        prefix += (w,)
        t += 1
        best[0] = INF
    if keep >= 2:
        rec.snaps.append(list(gc))
    if keep:
        rec.gc = gc
    return rec


def verify(cp: Compiled, rec: Record, b1: int, b2: int, cands: list[int]) -> tuple:
    """Is ``rec.order`` the order of MES at every per-voter budget in ``[b1, b2]`` (``b1 <= b2``)?

    Returns ``(True, None)`` when certified; otherwise ``(False, resume)`` where ``resume`` is a
    :class:`Resume` for :func:`run_mes_float` at ``b2`` when ``b1 == b2`` and the failure was the choice
    of a winner (else ``None``). Uses only the recorded histograms (needs ``keep=2``), and of those
    only the ones needed: a competitor's older (already evaluated) histogram gives a lower bound too,
    so its newest one is evaluated only when that bound does not clear the winner (lazy, as in the run).

    At a single budget ``b``, a competitor's histogram evaluated at another budget ``b0`` (by an
    earlier check or run: every evaluation at a single budget is kept per histogram, see
    :func:`_from_other`) gives a lower bound without evaluating it again. The histogram fixes the
    purchases before it, so for both budgets the money of every one of its classes comes from the same
    arithmetic, and it is non-decreasing in the budget (module docstring): with ``b0 < b`` the money
    ``A_i`` of its entries grows by ``delta_i >= 0``, ``Delta = sum m_i delta_i`` in all. Then
    ``F_b(rho) = sum m_i min(A_i + delta_i, rho u) <= F_b0(rho) + Delta``, and below the factor
    ``rho0`` at ``b0`` ``F_b0(rho) <= cost - D (rho0 - rho)``, ``D`` being ``u`` times the voters
    certainly paying their share at ``b0`` (money above ``rho0 u``); so ``F_b`` stays below the cost
    under ``rho0 - Delta / D``, which bounds the factor at ``b`` from below. ``Delta`` is bounded
    first by the money all voters gained (``n_voters (b - b0)``: every purchase takes exactly its cost
    from the voters, whatever the budget), then by the supporters' money at ``b`` summed in C (with
    the largest error bound of any class) minus the lower bound of their money at ``b0``. Likewise a
    histogram unaffordable at ``b0`` (upper money ``s0``) is unaffordable at ``b`` if ``s0`` plus that
    gain stays below the cost. A bound that did not clear a winner is not computed again for the same
    histogram; then, instead of the older histogram's evaluation, the competitor's histogram at the
    round is counted (its bound is better). On Warszawa 2023 Mokotów (a check at nearly every unit
    step) the evaluations in the checks fell from 63 700 (45.8 M entries) to 28 300 (19.5 M entries,
    12 700 of them the winners'), for 43 500 sums in C (32.8 M entries).
    """
    nv = max(cp.n_voters, 1)
    Ci = [c * nv for c in cp.cost]
    C = [float(c) for c in Ci]
    tiekey = cp.tiekey
    count = _prepared(cp)[1]
    floors = _rho_floors(cp)
    hc = _hist_cache(cp)
    rho, pay = _rho_pay(cp)
    same = b1 == b2
    # lower bounds from evaluations of the same histograms at other budgets (see above)
    tan = hc[5] if same and cp.approval else None
    cc = hc[3]
    tanned: dict = {}  # projects whose lower bound is such a bound for their pending histogram: stage
    evals: dict = {}  # project -> (histogram, result) of its evaluations at b2 (single budgets: a resumed
    # run takes them instead of evaluating the same histogram at the same budget again)
    emax = [0.0]  # the largest error bound of any class's money at b2 (single budgets only)
    ca1 = [float(b1)]
    ce1 = [0.0]
    ca2, ce2 = (ca1, ce1) if same else ([float(b2)], [0.0])
    latest: dict[int, list] = {}
    latest_t: dict[int, int] = {}
    pending: dict[int, list] = {}
    lower: dict[int, float] = {}
    heap: list = []
    alive = set(cands)
    computes = rec.computes
    nc = len(computes)
    ci = 0
    order = rec.order
    rounds: list[tuple] = []  # the rounds with their splits at b1
    caps: list[float] = []  # and the upper bounds of their factors there

    def refresh(p, lim=INF):
        """Evaluate p's newest histogram at b2: False if uncertain. Before, what an evaluation of it at
        another budget tells (:func:`_from_other`): unaffordable, or a lower bound above ``lim``."""
        h = pending[p]
        if tan is not None:
            lev = tanned.get(p, 0)
            v = tan.get(id(h)) if lev < 2 else None
            if v is not None and v[0] is h:
                kind, val, lev = _from_other(v, ca2, b1, cc, nv, emax[0], C[p], lim, lev)
                if kind == 1:
                    tanned[p] = lev
                    lower[p] = val
                    heapq.heappush(heap, (val, p))
                    return True
                if kind == 2:
                    del pending[p]
                    tanned.pop(p, None)
                    alive.discard(p)
                    tan[id(h)] = (h, b1, None, None, val)
                    return True
        del pending[p]
        tanned.pop(p, None)
        r = rho(h, ca2, ce2, C[p], lower.get(p, 0.0))
        if r is False:
            return False
        if r is None:
            alive.discard(p)
            if tan is not None:
                tan[id(h)] = (h, b1, None, None, _UNAFF[0] * (1 + 2 * EPS))
        else:
            if tan is not None:
                tan[id(h)] = (h, b1, r[0], r[6], r[7])
            if same:
                evals[p] = (h, r)
            lower[p] = r[0]
            heapq.heappush(heap, (r[0], p))
        return True

    for t in range(len(order) + 1):
        while ci < nc and computes[ci][0] == t:
            _t, p, h = computes[ci]
            ci += 1
            if h is None:  # not counted by the run (a bound from its groups): counted now
                h = _hist_at(hc, tuple(order[:t]), p, count[p], rec.snaps[t])
            latest[p] = h
            latest_t[p] = t
            if p in alive:
                pending[p] = h
                if t == 0:  # a lower bound without evaluating: refreshed only if it gets close
                    lower[p] = lo = floors[p]
                    heapq.heappush(heap, (lo, p))
        if t == len(order):
            for p in list(alive):
                if p not in pending or refresh(p) is False or p in alive:
                    return False, None
            return True, None
        w = order[t]
        h = latest[w]
        r1 = rho(h, ca1, ce1, C[w], lower.get(w, 0.0)) if w in alive else None
        if not r1:
            return False, None
        whi = r1[2]
        alive.discard(w)
        pending.pop(w, None)
        counted: set = set()
        dw = None
        deferred = []
        while heap:
            lo, p = heap[0]
            if p not in alive or lower[p] != lo:
                heapq.heappop(heap)
                continue
            if lo > whi:
                break
            fresh = p not in counted and rec.snaps
            if p in pending and not (fresh and tanned.get(p) == 2):
                heapq.heappop(heap)
                if refresh(p, whi) is False:
                    return False, None
                continue
            # (an older histogram whose bound from another budget did not clear the winner in this
            # round is not evaluated: the histogram now gives a better bound)
            if fresh:  # count its histogram now, from the round's snapshot
                counted.add(p)
                h2 = _hist_at(hc, tuple(order[:t]), p, count[p], rec.snaps[t])
                latest[p] = pending[p] = h2
                latest_t[p] = t
                tanned.pop(p, None)
                heapq.heappop(heap)
                if refresh(p, whi) is False:
                    return False, None
                continue
            if p in counted:  # exactly tied (or above) and after w by the tie-breaking key?
                if dw is None:
                    dw = _pure(h, ca1, ce1, C[w])
                dp = _pure(latest[p], ca2, ce2, C[p]) if dw else 0
                if dp and _ties_first(Ci[w], dw, tiekey[w], Ci[p], dp, tiekey[p]):
                    deferred.append(heapq.heappop(heap))
                    continue
            if same:
                alive.add(w)  # the resumed run decides round t itself
                evals[w] = (h, r1)
                for q in list(pending):  # newer lower bounds make the resumed run evaluate less
                    if q in alive and refresh(q) is False:
                        break
                known = {q: (latest_t[q], latest[q]) for q in alive}
                return False, Resume(
                    rec, t, computes[:ci], ca1, ce1, alive, lower, rounds, known, caps, evals
                )
            return False, None
        for item in deferred:
            heapq.heappush(heap, item)
        first = len(ca1)
        rounds.append((w, h, first, pay(h, r1, ca1, ce1)))
        caps.append(r1[2])
        if tan is not None:
            tan[id(h)] = (h, b1, r1[0], r1[6], r1[7])
            if len(ce1) > first:
                emax[0] = max(emax[0], max(ce1[first:]))
        if not same:
            r2 = rho(h, ca2, ce2, C[w])
            if not r2:
                return False, None
            pay(h, r2, ca2, ce2)
    return True, None  # not reached


def _factor_at_split(c, sa, saabs, i, denom, above, below):
    """The factor ``(c - sa) / denom`` with its error bounds ``(lo, hi)``, where the entries before the
    split (``i`` of them: ``sa`` their money, ``saabs`` its magnitude) pay everything and the others
    their share; None where the split is not certain for every value in ``[lo, hi]``. ``above``: the
    smallest money per utility of the entries from the split on, ``below``: the largest before it
    (None where there is none). The money is taken as exact and ``a / u`` rounded (relative error
    2**-53), so these two suffice (the entries are sorted, or the two are the extremes)."""
    rho = (c - sa) / denom
    err = (2 * (i + 2) * EPS * (saabs + c)) / denom + 2 * EPS * abs(rho)
    lo = rho - err
    hi = rho + err
    if above - abs(above) * (4 * EPS) < hi + abs(hi) * (4 * EPS):
        return None
    if below is not None and below + abs(below) * (4 * EPS) > lo - abs(lo) * (4 * EPS):
        return None
    return lo, hi


def _rho_line(hist, va, sl, c):
    """Like :func:`_rho` for money ``va`` taken as exact, plus the derivative of rho when the money of
    every class moves with slope ``sl`` (valid: the split is certified constant around this point).
    Returns ``(lo, hi, g, gerr)``, ``None`` (certainly unaffordable) or ``False`` (uncertain).

    The errors scale with the magnitudes of the money (lower bounds may be negative): the sums of
    ``m |a|`` are taken as the sums of ``m a`` less twice their negative terms, which are summed
    apart (no ``abs`` per entry; the entries before the split again only where the smallest one is
    negative, as in :func:`_rho_line_a`). That equals the sum of the magnitudes to a few ulps, far
    inside the margins of ``2 (k + 1) EPS`` per unit of it; on money never negative (the upper
    bounds of a range check, most calls) the negative sums stay 0.0 and the magnitudes are the sums
    themselves, bit for bit."""
    items = []
    total = 0.0
    neg = 0.0  # the negative terms of the money (rare): no abs per entry
    denom = 0
    for cid, u, m in hist:
        a = va[cid]
        s = sl[cid]
        if a == 0.0 and s == 0.0:
            continue
        items.append((a / u, a, s, u, m))
        total += m * a
        if a < 0.0:
            neg += m * a
        denom += m * u
    k = len(items)
    terr = 2 * (k + 1) * EPS * (total - 2 * neg)
    if total + terr < c:
        return None
    if total - terr < c or c < _TINY:  # (a tiny cost: rounding near underflow is not bounded)
        return False
    items.sort()
    sa = 0.0
    saneg = 0.0
    ss = 0.0
    sabs = 0.0
    i = 0
    for i, (_r, a, s, u, m) in enumerate(items):  # noqa: B007
        if (c - sa) * u <= a * denom:
            break
        sa += m * a
        ss += m * s
        sabs += abs(m * s)
        denom -= m * u
    else:
        return False
    # sorted by money per utility, ties by money: the negative ones come first (also one whose a / u
    # underflows to -0.0, which ties with 0.0)
    if i and items[0][1] < 0.0:
        for _r, a, _s, _u, m in items[:i]:
            if a < 0.0:
                saneg += m * a
    # the split certified for every value in [lo, hi] by the two entries next to it
    bounds = _factor_at_split(c, sa, sa - 2 * saneg, i, denom, items[i][0], items[i - 1][0] if i else None)
    if bounds is None:
        return False
    lo, hi = bounds
    g = -ss / denom
    # slopes carry a relative error of a few EPS (a difference of two bounds divided by the width)
    gerr = (2 * (i + 8) * EPS * sabs) / denom + 2 * EPS * abs(g) + _TINY  # (_TINY: underflow)
    return lo, hi, g, gerr


def _rho_line_a(hist, va, sl, c):
    """:func:`_rho_line` for a histogram with one utility (approval ballots: the project's cost): the
    entries sorted by their money itself (no division per entry, shorter tuples), the split searched
    with the money per voter; ``a / u`` only for the two entries next to the split, which certify it
    as in :func:`_rho_line` (a certified split is the exact one, however it was found)."""
    if not hist:
        return None if c > 0.0 else False
    u = hist[0][1]
    items = []
    total = 0.0
    neg = 0.0  # the negative terms (lower bounds of money may be negative; rarely): no abs per entry
    n = 0
    for cid, _u, m in hist:
        a = va[cid]
        s = sl[cid]
        if a == 0.0 and s == 0.0:
            continue
        items.append((a, s, m))
        total += m * a
        if a < 0.0:
            neg += m * a
        n += m
    k = len(items)
    terr = 2 * (k + 1) * EPS * (total - 2 * neg)  # (the sum of |m a|, to a few ulps)
    if total + terr < c:
        return None
    if total - terr < c or c < _TINY:
        return False
    if k == 1:
        # One entry with money (half the calls on Dieppe, Assen and Zurich SN: a fresh check's first
        # round, every supporter in the first class): the values of the general path below, which
        # splits before it (c <= a n, else uncertain) with nothing summed before the split: the
        # factor c / (n u), its slope -0.0 / denom = -0.0 and the slope's error bound _TINY.
        a = items[0][0]
        if c > a * n:
            return False
        bounds = _factor_at_split(c, 0.0, 0.0, 0, n * u, a / u, None)
        if bounds is None:
            return False
        return bounds[0], bounds[1], -0.0, _TINY
    items.sort()
    sa = 0.0
    saneg = 0.0
    ss = 0.0
    ssneg = 0.0
    i = 0
    for i, (a, s, m) in enumerate(items):  # noqa: B007
        if c - sa <= a * n:
            break
        sa += m * a
        ss += m * s
        if s < 0.0:
            ssneg += m * s
        n -= m
    else:
        return False
    if i and items[0][0] < 0.0:  # sorted by money: the negative ones come first
        for a, _s, m in items[:i]:
            if a < 0.0:
                saneg += m * a
    saabs = sa - 2 * saneg
    sabs = ss - 2 * ssneg
    denom = n * u
    bounds = _factor_at_split(c, sa, saabs, i, denom, items[i][0] / u, items[i - 1][0] / u if i else None)
    if bounds is None:
        return False
    lo, hi = bounds
    g = -ss / denom
    gerr = (2 * (i + 8) * EPS * sabs) / denom + 2 * EPS * abs(g) + _TINY  # (_TINY: underflow)
    return lo, hi, g, gerr


def _columns(cc: dict | None, h: list) -> tuple:
    """The voters and the classes of ``h``'s entries as two lists and the voters' sum, ``(ms, cids, h,
    voters)``, kept in ``cc`` under ``id(h)`` (with ``h``, so that the id stays unique): the sums in C
    over a histogram (:func:`_short`, :func:`_afford_from`, :func:`_from_other`) map its class ids
    to their money directly, instead of
    taking both apart again from its tuples at every evaluation (the same competitors' histograms
    are tested in many range checks). ``cc`` None: not kept."""
    if cc is None:
        ms = list(map(_m_of, h))
        return ms, list(map(_first, h)), h, sum(ms)
    v = cc.get(id(h))
    if v is None:
        ms = list(map(_m_of, h))
        v = cc[id(h)] = (ms, list(map(_first, h)), h, sum(ms))
    return v


def _rho_hi_a(hist, va, c):
    """:func:`_rho_line_a` without the slope (``(lo, hi, 0.0, 0.0)``), for a winner's chord end
    (only ``hi`` is used): entries without money are left out, the entries are pairs. The factor and
    its certification are those of :func:`_rho_line_a` on the entries with money (a split certified
    on them is the exact one: the others add nothing to ``sum m min(a, rho u)``)."""
    if not hist:
        return None if c > 0.0 else False
    u = hist[0][1]
    items = []
    total = 0.0
    neg = 0.0
    n = 0
    for cid, _u, m in hist:
        a = va[cid]
        if a == 0.0:
            continue
        items.append((a, m))
        total += m * a
        if a < 0.0:
            neg += m * a
        n += m
    k = len(items)
    terr = 2 * (k + 1) * EPS * (total - 2 * neg)
    if total + terr < c:
        return None
    if total - terr < c or c < _TINY:
        return False
    items.sort()
    sa = 0.0
    saneg = 0.0
    i = 0
    for i, (a, m) in enumerate(items):  # noqa: B007
        if c - sa <= a * n:
            break
        sa += m * a
        n -= m
    else:
        return False
    if i and items[0][0] < 0.0:
        for a, m in items[:i]:
            if a < 0.0:
                saneg += m * a
    saabs = sa - 2 * saneg
    denom = n * u
    bounds = _factor_at_split(c, sa, saabs, i, denom, items[i][0] / u, items[i - 1][0] / u if i else None)
    if bounds is None:
        return False
    lo, hi = bounds
    return lo, hi, 0.0, 0.0


def _rho_line_a2(hist, vl, vu, sl, c):
    """:func:`_rho_line_a` for the lower money ``vl`` and the upper money ``vu`` of a histogram at
    the same end of a range (a winner's chord end and its tangent there, :meth:`RangeCheck._winner`),
    with one pass over the histogram and one sort: ``(r_l, r_u)`` as the two calls return them, but
    ``r_l`` without its slope (``(lo, hi, 0.0, 0.0)``; the chords use ``hi`` only).

    The entries are sorted by the upper money, and ``r_u`` is computed exactly as by
    :func:`_rho_line_a` (also with entries whose upper money and slope are 0 but whose lower money is
    not: they pay everything, contribute nothing and only enlarge the error terms). The lower
    money's factor is computed with the *same* split (the entries before the upper money's split pay
    everything) and certified like any split (see :func:`_rho`): every such entry's ``vl / u`` is
    certainly below the interval of the factor (their maximum, kept in the loop) and every other
    entry's certainly above it (their minimum, in C), with the margins of :func:`_rho_line_a`; then
    ``sum m min(vl, rho u)`` is affine in ``rho`` on that interval and its root lies in it. Where the
    two splits differ (2 % of the winners' rounds on Budapest 2024) or anything is uncertain, the two
    are computed apart by :func:`_rho_line_a`."""
    if not hist or c < _TINY:
        return _rho_line_a(hist, vl, sl, c), _rho_line_a(hist, vu, sl, c)
    u = hist[0][1]
    items = []
    total = 0.0  # the upper money (never negative)
    totl = 0.0  # the lower money
    negl = 0.0  # its negative terms
    n = 0
    for cid, _u, m in hist:
        a = vu[cid]
        s = sl[cid]
        x = vl[cid]
        if a == 0.0 and s == 0.0 and x == 0.0:
            continue
        items.append((a, s, m, x))
        total += m * a
        totl += m * x
        if x < 0.0:
            negl += m * x
        n += m
    k = len(items)
    terr = 2 * (k + 1) * EPS * total
    terrl = 2 * (k + 1) * EPS * (totl - 2 * negl)
    if total - terr < c or totl - terrl < c:  # (unaffordable or uncertain: as the single calls say)
        return _rho_line_a(hist, vl, sl, c), _rho_line_a(hist, vu, sl, c)
    items.sort()
    sa = 0.0
    ss = 0.0
    ssneg = 0.0
    sx = 0.0
    sxneg = 0.0
    xmax = -INF
    i = 0
    for i, (a, s, m, x) in enumerate(items):  # noqa: B007
        if c - sa <= a * n:
            break
        sa += m * a
        ss += m * s
        if s < 0.0:
            ssneg += m * s
        sx += m * x
        if x < 0.0:
            sxneg += m * x
        if x > xmax:
            xmax = x
        n -= m
    else:
        return _rho_line_a(hist, vl, sl, c), _rho_line_a(hist, vu, sl, c)
    denom = n * u
    # the upper money's factor and slope, as in _rho_line_a (its money is never negative)
    bounds = _factor_at_split(c, sa, sa, i, denom, items[i][0] / u, items[i - 1][0] / u if i else None)
    if bounds is None:
        return _rho_line_a(hist, vl, sl, c), _rho_line_a(hist, vu, sl, c)
    lo, hi = bounds
    sabs = ss - 2 * ssneg
    g = -ss / denom
    gerr = (2 * (i + 8) * EPS * sabs) / denom + 2 * EPS * abs(g) + _TINY  # (_TINY: underflow)
    ru = (lo, hi, g, gerr)
    # the lower money's factor with the same split
    above = min(map(_x_of, items[i:])) / u
    bounds = _factor_at_split(c, sx, sx - 2 * sxneg, i, denom, above, xmax / u if i else None)
    if bounds is None:
        return _rho_line_a(hist, vl, sl, c), ru
    return (*bounds, 0.0, 0.0), ru


def _short(hist, va, c, cc: dict | None = None) -> bool:
    """Whether the money ``va`` (taken as exact; upper bounds, never negative) of the entries of
    ``hist`` certainly falls short of ``c`` (then the project is unaffordable). In C (``sumprod`` of the
    voters and their money, no Python code per entry), for the competitors in range checks: about half
    of their evaluations find them unaffordable, which this settles without building and sorting the
    entries. ``sumprod`` is at least as accurate as the summation in :func:`_rho_line` (it accumulates
    in extended precision, or falls back to plain float operations), so the same margin covers it."""
    ms, cids, _h, _v = _columns(cc, hist)
    total = sumprod(ms, map(va.__getitem__, cids))
    return total * (1 + 2 * (len(hist) + 1) * EPS) < c


def _short_stats(cp: Compiled) -> list[int]:
    """Per instance: how often :func:`_short` was tried in range checks and how often it settled the
    evaluation. Where it rarely does (Wieliczka 2023: the competitors are mostly affordable), the
    sums cost more than they save, and it is no longer tried."""
    st = getattr(cp, "_short_stats", None)
    if st is None:
        st = cp._short_stats = [0, 0]
    return st


def _line_fn(cp: Compiled):
    """The function evaluating a histogram for range checks: :func:`_rho_line_a` with one utility per
    project (approval ballots), else :func:`_rho_line`. (The money-ordered views of :func:`_by_money`
    did not pay off here: 6 000 recorded calls on Budapest 2024 took as long with them as without.)"""
    return _rho_line_a if cp.approval else _rho_line


def _afford_from(h, U1, U2, c, cc: dict | None = None) -> float:
    """A lower bound of the fraction of a range from which the upper money ``U1``..``U2`` (affine) of
    the entries of ``h`` may reach ``c``, for a project unaffordable at the range's start (before it,
    the project's factor is infinite). Sums in C, with the margin of :func:`_short`."""
    ms, cids, _h, _v = _columns(cc, h)
    k = 1 + 2 * (len(h) + 1) * EPS
    t1 = sumprod(ms, map(U1.__getitem__, cids)) * k
    t2 = sumprod(ms, map(U2.__getitem__, cids)) * k
    if t1 >= c or t2 <= t1 or c < _TINY:  # (near underflow the rounding is not relative: 0 is safe)
        return 0.0
    s = (c - t1) / (t2 - t1) * (1 - 8 * EPS)
    return s if s > _TINY else 0.0


def _reach(h, ca1, ca2, c) -> float:
    """Where in a range the money of ``h``'s entries (``ca1`` at its start, ``ca2`` at its end)
    reaches ``c``, interpolated (an estimate, for splitting the range)."""
    ms = list(map(_m_of, h))
    cids = list(map(_first, h))
    t1 = sumprod(ms, map(ca1.__getitem__, cids))
    t2 = sumprod(ms, map(ca2.__getitem__, cids))
    if t1 >= c or t2 <= t1:
        return 0.0
    return min((c - t1) / (t2 - t1), 1.0)


def _key(line) -> float:
    """A lower bound of max(T1, T2) on the range (for the heap)."""
    return max(min(line[0], line[1]), min(line[2], line[3]))


def _gaps(line, hi1, hi2, cap=INF):
    """None if max(T1, T2) lies above min(chord, cap) on the whole range (the chord through (b1, hi1),
    (b2, hi2); ``cap`` a constant upper bound of the winner's factor, see :class:`RangeCheck`); else
    the fraction of the range where it first meets it (0.0: already at b1). The difference is convex
    and piecewise linear (kinks where T1 = T2 and where the chord meets the cap), so b1, b2 and the
    kinks suffice."""
    t11, t12, t21, t22, s0 = line
    E = 8 * EPS
    if s0 >= 1.0:  # unaffordable on the whole range
        return None
    if s0 > 0.0:  # (unaffordable before s0: its factor is infinite there)
        v = max(
            t11 + (t12 - t11) * s0 - E * (abs(t11) + abs(t12)),
            t21 + (t22 - t21) * s0 - E * (abs(t21) + abs(t22)),
        )
        w = min(hi1 + (hi2 - hi1) * s0 + E * (abs(hi1) + abs(hi2)), cap)
        pts = [(s0, v - w)]
    else:
        pts = [(0.0, max(t11, t21) - min(hi1, cap))]
    den = (t12 - t11) - (t22 - t21)
    if den != 0.0:
        s = (t21 - t11) / den
        if s0 < s < 1.0:
            v = t11 + (t12 - t11) * s - E * (abs(t11) + abs(t12))
            w = min(hi1 + (hi2 - hi1) * s + E * (abs(hi1) + abs(hi2)), cap)
            pts.append((s, v - w))
    if min(hi1, hi2) < cap < max(hi1, hi2):
        s = (cap - hi1) / (hi2 - hi1)
        if s0 < s < 1.0:
            v = max(
                t11 + (t12 - t11) * s - E * (abs(t11) + abs(t12)),
                t21 + (t22 - t21) * s - E * (abs(t21) + abs(t22)),
            )
            pts.append((s, v - cap))  # (the winner's bound there is at most the cap)
            pts.sort()
    pts.append((1.0, max(t12, t22) - min(hi2, cap)))
    if all(d > 0.0 for _s, d in pts):
        return None
    if pts[0][1] <= 0.0:
        return pts[0][0]
    for (x0, d0), (x1, d1) in zip(pts, pts[1:], strict=False):
        if d1 <= 0.0:  # (the interpolation's rounding may step past x1, e.g. to 1 + 2^-52)
            return min(x1, x0 + (x1 - x0) * d0 / (d0 - d1))
    return pts[0][0]


class RangeCheck:
    """Is ``rec.order`` the order of MES at every per-voter budget in ``[b1, b2]`` (``b1 < b2``)?

    Every class's money is enclosed between two affine functions of the budget ``b`` (kept as their
    values at ``b1`` and ``b2``). With money affine in ``b`` the affordability factor is a *convex*
    function of ``b`` (``sum min(money_i(b), rho u_i) >= cost`` is a convex set in ``(rho, b)``), so
    a project's rho lies below the chord of the rho computed from the lower money bounds and above the
    tangents (at ``b1`` and at ``b2``) of the rho computed from the upper money bounds. The winner's
    chord must lie below the larger of every competitor's two tangents on the whole range (checked at
    both ends and where the tangents cross); a supporter's new money ``max(0, a - rho u)`` is bounded
    below by ``lower - chord * u`` (affine) and above by the chord of ``max(0, upper - tangent * u)``
    (convex; the winner's tangent at ``b1``). Competitors are evaluated lazily as in :func:`verify`.
    The bounds are tight at the two ends of the range only; inside, where a supporter class switches
    between paying its share and paying everything, the tangent falls below the true factor.

    :meth:`run` goes on from the current round. When a winner's chord meets a competitor's tangent,
    the check stops *at the start of that round* and ``crossing`` estimates where in ``[b1, b2]`` the
    two lines cross (a fraction); :meth:`restricted` then gives the same state for a sub-range (the
    rounds before are not checked again) and :meth:`resume_at` the state of a run at one budget, to
    find the order there (:func:`run_mes_float` with ``resume``). A sub-range's money bounds for those
    rounds can be recomputed from the winners' histograms (``wh``, one per round checked, with the ends
    of the winner's chord, which serve again at an end the sub-range shares, see :meth:`_replay`): a
    range split off afresh then restarts at the round where the check stopped, with (about) the bounds
    a fresh check of it would have there, instead of at round 0 (also where a check stopped at the last round,
    :meth:`at_end`: a leftover project may be affordable somewhere in the range).

    A competitor with many entries is first tested with :func:`_short` (its upper money summed in C);
    about half the competitors' evaluations on Budapest 2024 find them unaffordable, which this settles
    without building and sorting the entries. A competitor unaffordable at ``b2`` is unaffordable on
    the whole range (the money before the round only grows with the budget, the order of the rounds
    before being certified on the range), with no look at ``b1``.

    A fresh check evaluates every project in its first round, where every supporter is in class 0
    with the budget's money. Where every supporter pays its share there, the result does not depend
    on the money and holds with more of it, and the completion's fresh checks move to larger
    budgets: such a result is kept per project and taken by the later checks (:meth:`_line0`, also
    for the first round's winner on general ballots; of the first-round evaluations on Zürich D10
    53 of 216 taken, Mechanical Turk Utilities_7 100 of 207, Assen 2024 122 of 182, Zürich SN 120
    of 144).

    Three bounds that do not depend on the affine enclosures (added where those are loose):

    * **The winner's cap.** For a fixed order of purchases every factor is non-increasing in the
      budget (module docstring), and the check has certified the rounds before ``t`` on the whole
      range, so the winner's factor on ``[b1, b2]`` is at most its factor at any smaller budget with
      the same purchases before ``t``: the record's ``caps[t]`` (its upper bound at the record's
      budget ``rec.b <= b1``). The winner's upper bound is ``min(chord, cap)``: where a supporter class
      pays everything at ``b1`` but not at ``b2`` its affine lower money bound is negative at ``b1``,
      and the chord there lies far above the factor. With ``tight`` (the completion sets it where it
      locates changes by probes), a round about to fail at a crossing first takes the winner's
      factor at ``b1`` itself as its cap, from the money at ``b1`` computed as a run there computes it
      (:meth:`_money_at`, one evaluation per earlier round, kept for a probe at ``b1``): after a
      change of the order the record's budget lies far to the left of the range, and its cap with it.
    * **The start of affordability.** A competitor unaffordable at ``b1`` (by its upper money) has an
      infinite factor until its supporters' upper money, affine in the budget, can reach its cost
      (:func:`_afford_from`); its tangent at ``b2`` is compared from there on only (the fifth entry
      of its line). Competitors becoming affordable inside a range were most of the crossings found
      at ``b1`` on Budapest XI Újbuda.
    * **The money at the end.** At the last round every remaining project must be unaffordable on the
      whole range; the money only grows with the budget for the certified order, so unaffordability at
      ``b2`` suffices, decided on the money at ``b2`` computed as a run at that one budget does
      (:meth:`_end_money`: one evaluation per round, tight, unlike the upper bounds at ``b2``). Where a
      project is affordable at ``b2``, ``crossing`` estimates where its money reaches the cost from
      the money at ``b1`` and at ``b2`` (:func:`_reach`), so the range is split there instead of halved.

    After a crossing, ``rival`` is the competitor that crossed the winner; :meth:`probe` compares the
    two at a single budget of the range from the money there computed as a run computes it (one
    evaluation per earlier round's winner, :meth:`_money_at`), and :meth:`resume_tight` resumes a run
    from that money instead of from the interpolated bounds (runs resumed from those were uncertain
    in 164 of 381 cases on Budapest 2024). The completion uses both to find the budget where the order
    really changes (``rules._add1_fast``).
    """

    __slots__ = (
        "C",
        "Ci",
        "L1",
        "L2",
        "SL",
        "U1",
        "U2",
        "W",
        "alive",
        "at1",
        "b1",
        "b2",
        "cands",
        "caps",
        "ci",
        "count",
        "crossing",
        "end2",
        "half",
        "hc",
        "init",
        "l0",
        "latest",
        "latest_t",
        "line",
        "lower",
        "pending",
        "rec",
        "rival",
        "rp",
        "short",
        "t",
        "tiekey",
        "tight",
        "wh",
    )

    def __init__(self, cp: Compiled, rec: Record, b1: int, b2: int, cands: list[int], tight: bool = False):
        nv = max(cp.n_voters, 1)
        self.Ci = [c * nv for c in cp.cost]
        self.C = [float(c) for c in self.Ci]
        self.tiekey = cp.tiekey
        self.line = _line_fn(cp)
        prep = _prepared(cp)
        self.count = prep[1]
        self.init = prep[4]
        self.hc = _hist_cache(cp)
        self.l0 = self.hc[6]
        self.short = _short_stats(cp)
        self.rp = _rho_pay(cp)
        self.rec = rec
        self.caps = _caps(rec, b1)
        self.cands = cands
        self.b1 = b1
        self.b2 = b2
        self.W = float(b2 - b1)
        self.L1 = [float(b1)]
        self.L2 = [float(b2)]
        self.U1 = [float(b1)]
        self.U2 = [float(b2)]
        self.SL = [1.0]  # slopes of the upper bounds
        # per round checked: the winner's histogram and cost, and its chord's ends (hi at b1, hi at b2;
        # None where not computed on this check's bounds at that end, see _replay)
        self.wh: list[tuple] = []
        self.latest: dict[int, list] = {}
        self.latest_t: dict[int, int] = {}
        self.pending: dict[int, list] = {}
        self.lower: dict[int, tuple] = {}
        # projects whose lower line is the tangent at b2 only: (histogram, that tangent if computed in
        # this check, see _refresh)
        self.half: dict[int, tuple] = {}
        self.alive = set(cands)
        self.ci = 0
        self.t = 0
        self.crossing = None
        self.rival = None
        self.end2 = False  # the winners' tangents at b2 instead of b1 (see _tangent)
        self.tight = tight  # a failing round's winner capped by its factor at b1 (see the docstring)
        self.at1 = None  # (round, money at b1 before it) where computed for that

    def restricted(
        self, c1: int, c2: int, rec: Record | None = None, replay: bool = False, end2: bool = False
    ) -> RangeCheck:
        """The same state for the sub-range ``[c1, c2]`` (``b1 <= c1 < c2 <= b2``), optionally with a
        record that shares the rounds before ``t`` (a resumed run).

        The money bounds of the rounds before ``t`` are either interpolated from this range's (loose
        inside it: the winners' factors are convex, their chords loose) or, with ``replay``, computed
        afresh for the sub-range from the winners' histograms (:meth:`_replay`; a few evaluations per
        round, no competitor): tight at its ends, as a fresh check of the sub-range would have them,
        without that check's competitors in every earlier round. (Recomputing them by default wherever
        the sub-range is at most half as wide cost more than it saved on most files.)"""
        new = object.__new__(RangeCheck)
        new.C = self.C
        new.Ci = self.Ci
        new.tiekey = self.tiekey
        new.line = self.line
        new.count = self.count
        new.init = self.init
        new.l0 = self.l0
        new.hc = self.hc
        new.short = self.short
        new.rp = self.rp
        new.rec = rec or self.rec
        new.caps = _caps(new.rec, c1)
        new.end2 = end2 or self.end2
        new.tight = self.tight
        new.at1 = None
        new.cands = self.cands
        new.b1, new.b2 = c1, c2
        new.W = float(c2 - c1)
        W = self.W
        f1 = (c1 - self.b1) / W
        f2 = (c2 - self.b1) / W
        E = 8 * EPS

        def lo_line(x1, x2):
            d = x2 - x1
            e = E * (abs(x1) + abs(x2))
            return x1 + d * f1 - e, x1 + d * f2 - e

        new.wh = self.wh
        if not (replay and self.t and new._replay(self)):
            # (a chord's end stays valid at a shared end only, where the bounds are copies of these)
            new.wh = [
                (h, c, hi1 if c1 == self.b1 else None, hi2 if c2 == self.b2 else None)
                for h, c, hi1, hi2 in self.wh
            ]
            # (zeros stay exactly zero: 0 + 0 * f - 0). At a shared end the bounds are the stored values
            # themselves (a copy: the checks append to their lists).
            if c1 == self.b1:
                L1 = list(self.L1)
                U1 = list(self.U1)
            else:
                L1 = _between(self.L1, self.L2, f1, -E)
                U1 = _between_up(self.U1, self.U2, f1, E)
            if c2 == self.b2:
                L2 = list(self.L2)
                U2 = list(self.U2)
            else:
                L2 = _between(self.L1, self.L2, f2, -E)
                U2 = _between_up(self.U1, self.U2, f2, E)
            new.L1, new.L2, new.U1, new.U2 = L1, L2, U1, U2
            nw = new.W
            new.SL = [(y2 - y1) / nw for y1, y2 in zip(U1, U2, strict=True)]
        g0 = (c1 - self.b1) / (c2 - c1)
        g1 = W / (c2 - c1)
        alive = self.alive
        new.lower = {
            p: lo_line(a1, a2)
            + lo_line(d1, d2)
            + (s0 and max((s0 * g1 * (1 - E) - g0 * (1 + E)) * (1 - E), 0.0),)
            for p, (a1, a2, d1, d2, s0) in self.lower.items()
            if p in alive  # (the lines of projects out of the check are never read again)
        }
        new.latest = dict(self.latest)
        new.latest_t = dict(self.latest_t)
        new.pending = dict(self.pending)
        new.half = {p: (h, None) for p, (h, _t2) in self.half.items()}  # (a tangent of this range's end)
        new.alive = set(self.alive)
        new.ci = self.ci
        new.t = self.t
        new.crossing = None
        new.rival = None
        return new

    def at_end(self) -> bool:
        """Whether the check stopped at the last round (a remaining project may be affordable somewhere
        in the range): then a sub-range can go on from here (:meth:`restricted`), the whole order but
        the end being certified for it."""
        return self.t == len(self.rec.order) and bool(self.rec.snaps)

    def _replay(self, src: RangeCheck | None = None) -> bool:
        """The money bounds of the rounds before ``t`` computed afresh for this range from the
        winners' histograms alone (the order of those rounds is certified for a range containing this
        one, so the competitors need no new look): the bounds a fresh check of this range would have
        there, tight at its ends instead of interpolated from the wider range's. False if a winner's
        factor is uncertain on the new bounds (the caller interpolates then).

        Without ``src``, exactly the bounds of a fresh check of this range. At an end shared with
        ``src`` (the check it is restricted from) that is not the tangent's, a
        winner's chord end is ``src``'s where the lower bounds there of the winner's classes are at
        least ``src``'s (compared after every round; the classes below them are kept in a set): it
        bounds the factor computed from ``src``'s values, and with more money the factor is not
        larger (``sum m min(a, rho u)`` grows with every ``a``), so it is not computed again. (The
        values at that end depend on the other end where a class's new lower bound is set to 0 or
        its upper one found 0 from both ends, and through the rounding of chord ends computed in
        different ways; on Budapest 2024 they were at least ``src``'s in all but one of 1.5 M
        comparisons.) About three quarters of the replayed rounds there share an end that is not the
        tangent's."""
        b1, b2 = self.b1, self.b2
        self.L1 = L1 = [float(b1)]
        self.L2 = L2 = [float(b2)]
        self.U1 = [float(b1)]
        self.U2 = [float(b2)]
        self.SL = [1.0]
        same1 = src is not None and b1 == src.b1
        same2 = src is not None and b2 == src.b2
        S1 = src.L1 if same1 else None
        S2 = src.L2 if same2 else None
        below: set[int] = set()  # classes whose lower bounds at the shared end are below src's
        cc = self.hc[3]
        first = 1
        wh = []
        for h, c, k1, k2 in self.wh:
            ok = not below or below.isdisjoint(_columns(cc, h)[1])
            r1, r2, tw = self._winner(h, c, k1 if same1 and ok else None, k2 if same2 and ok else None)
            if not r1 or not r2 or not tw:
                return False
            hi1 = r1[1]
            hi2 = r2[1]
            self._advance(h, hi1, hi2, tw)
            wh.append((h, c, hi1, hi2))
            nxt = first + len(h)
            if same1 and L1[first:] != S1[first:nxt]:
                below.update(compress(range(first, nxt), map(lt, L1[first:], S1[first:nxt])))
            elif same2 and L2[first:] != S2[first:nxt]:
                below.update(compress(range(first, nxt), map(lt, L2[first:], S2[first:nxt])))
            first = nxt
        self.wh = wh
        return True

    def resume_at(self, c: int, money=None) -> Resume:
        """The state at the start of round ``t`` of the run at the single budget ``c`` in ``[b1, b2]``;
        ``money``: the classes' ``(ca, ce)`` there if known (:meth:`resume_tight`), else interpolated
        from the range's bounds."""
        f = (c - self.b1) / self.W
        E = 8 * EPS
        if money is None:
            lo = [
                max(x1 + (x2 - x1) * f - E * (abs(x1) + abs(x2)), 0.0)
                for x1, x2 in zip(self.L1, self.L2, strict=True)
            ]
            hi = _between_up(self.U1, self.U2, f, E)
            ca = [(x + y) / 2 for x, y in zip(lo, hi, strict=True)]
            ce = [(y - x) / 2 + E * y for x, y in zip(lo, hi, strict=True)]
        else:
            ca, ce = money
        alive = self.alive
        lower = {
            p: max(x1 + (x2 - x1) * f - E * (abs(x1) + abs(x2)), y1 + (y2 - y1) * f - E * (abs(y1) + abs(y2)))
            for p, (x1, x2, y1, y2, _s0) in self.lower.items()
            if p in alive  # (the run reads those of the remaining projects only)
        }
        rounds = [(w, h, first, None) for w, h, first, _flags in self.rec.rounds[: self.t]]
        known = {q: (self.latest_t[q], self.latest[q]) for q in self.alive}
        # (the record's caps hold at c too if c is not below its budget: factors fall with the budget)
        caps = self.rec.caps[: self.t] if self.rec.b <= c else [INF] * self.t
        return Resume(
            self.rec, self.t, self.rec.computes[: self.ci], ca, ce, self.alive, lower, rounds, known, caps
        )

    def probe(self, c: int):
        """At the budget ``c`` in the range, after a crossing in round ``t`` with the competitor
        ``rival``: ``(d, state)`` with ``d`` an estimate of the rival's factor minus the winner's
        there (from the money at ``c`` as a run computes it, :meth:`_money_at`; 0.0 where either is
        uncertain, INF where the rival is unaffordable) and the state for :meth:`resume_tight`; or
        None. For locating the budget where the order changes: an estimate, the checks decide."""
        at1 = self.at1
        st = at1[1] if c == self.b1 and at1 is not None and at1[0] == self.t else self._money_at(c, self.t)
        if st is None:
            return None
        ca, ce = st[0], st[1]
        order = self.rec.order
        t = self.t
        w = order[t]
        p = self.rival
        rho = self.rp[0]
        rw = rho(self.latest[w], ca, ce, self.C[w])
        hp = (
            _hist_at(self.hc, tuple(order[:t]), p, self.count[p], self.rec.snaps[t])
            if self.rec.snaps
            else None
        )
        rq = rho(hp, ca, ce, self.C[p]) if hp is not None else False
        if rq is None:
            return INF, st
        if not rw or not rq:
            return 0.0, st
        return rq[1] - rw[1], st

    def rival_money(self, st) -> float:
        """The money of ``rival``'s supporters in a probe's state (an estimate, for locating the
        budget where it becomes affordable)."""
        t = self.t
        order = self.rec.order
        h = _hist_at(self.hc, tuple(order[:t]), self.rival, self.count[self.rival], self.rec.snaps[t])
        ca = st[0]
        return sumprod(map(_m_of, h), map(ca.__getitem__, map(_first, h)))

    def resume_tight(self, c: int, st=None) -> Resume | None:
        """:meth:`resume_at` with the classes' money computed at ``c`` as a run there computes it
        (:meth:`_money_at`: one evaluation of each earlier round's winner, whose order is certified on
        the range) instead of interpolated from the range's bounds, which are loose inside the range;
        None where a factor is uncertain at ``c``."""
        if st is None:
            st = self._money_at(c, self.t)
        if st is None:
            return None
        ca, ce, rounds, caps = st
        # (the interpolated money of resume_at is not built: it would be replaced; copies, since the
        # run appends to them and the state may be kept, see _money_at)
        res = self.resume_at(c, (list(ca), list(ce)))
        res.rounds, res.caps = rounds, caps
        return res

    def _winner(self, h, c, hi1=None, hi2=None, p0=-1):
        """A round's winner on the range: its factor from the lower money bounds at ``b1`` and at
        ``b2`` (the ends of its chord: only their upper values are used) and its tangent
        (:meth:`_tangent`), or a falsy value where uncertain. On approval ballots the chord's end at
        the tangent's end is evaluated together with the tangent (:func:`_rho_line_a2`: one pass and
        one sort; the two splits were the same in 98 % of the winners' rounds on Budapest 2024).
        ``hi1``, ``hi2``: a chord end known already (see :meth:`_replay`; on approval ballots used at
        the end that is not the tangent's only). ``p0``: the winner if ``h`` is its first-round
        histogram (then its lines on general ballots come from :meth:`_line0`), else -1."""
        lfn = self.line
        SL = self.SL
        if lfn is not _rho_line_a:
            if p0 >= 0:  # a first-round histogram (see _line0)
                return (
                    (None, hi1) if hi1 is not None else self._line0(p0, h, self.L1, c),
                    (None, hi2) if hi2 is not None else self._line0(p0, h, self.L2, c),
                    self._tangent(h, c, self._line0(p0, h, self.U1, c) if not self.end2 else None),
                )
            return (
                (None, hi1) if hi1 is not None else lfn(h, self.L1, SL, c),
                (None, hi2) if hi2 is not None else lfn(h, self.L2, SL, c),
                self._tangent(h, c),
            )
        if self.end2:
            r2, rt = _rho_line_a2(h, self.L2, self.U2, SL, c)
            return (None, hi1) if hi1 is not None else _rho_hi_a(h, self.L1, c), r2, self._tangent(h, c, rt)
        r1, rt = _rho_line_a2(h, self.L1, self.U1, SL, c)
        return r1, (None, hi2) if hi2 is not None else _rho_hi_a(h, self.L2, c), self._tangent(h, c, rt)

    def _tangent(self, h, c, r=None):
        """The winner's lower line (value at b1, value at b2) of rho from the upper money bounds: its
        tangent at ``b1``, or False. It sets the upper money bounds after the round, which are then
        tight at ``b1`` and loose towards ``b2``: a crossing found later is then estimated further
        right and the run resumed at the start of a range starts from tighter amounts (the tangent at
        ``b2`` did the opposite; Budapest 2024 47 s -> 43.5 s, Warszawa 2026 13.8 s -> 12.2 s).
        With ``end2`` (a range ending right before a located change, where the bounds at ``b2`` are
        what matters) the tangent at ``b2``. ``r``: the factor (with its slope) from the upper money at
        that end, if already computed."""
        W = self.W
        if self.end2:
            if r is None:
                r = self.line(h, self.U2, self.SL, c)
            if not r:
                return False
            lo, _hi, g, gerr = r
            at1 = lo - g * W - gerr * W
            at1 -= 4 * EPS * (abs(lo) + abs(g * W) + gerr * W)
            return at1, lo
        if r is None:
            r = self.line(h, self.U1, self.SL, c)
        if not r:
            return False
        lo, _hi, g, gerr = r
        at2 = lo + g * W - gerr * W
        at2 -= 4 * EPS * (abs(lo) + abs(g * W) + gerr * W)
        return lo, at2

    def _lower(self, h, c, full=True, t2=None, p0=-1):
        """Lower bound of a competitor's rho on the range: the maximum of its tangents at both ends
        ``(T1 at b1, T1 at b2, T2 at b1, T2 at b2, s0)``, or None (unaffordable) / False (uncertain);
        ``s0 > 0``: unaffordable before that fraction of the range (see the class docstring).
        With ``full=False`` the tangent at ``b2`` alone where it exists (it is a lower bound by
        itself; twice, as ``(T2, T2)``); the caller adds ``T1`` only if that does not suffice, passing
        ``T2`` as ``t2`` if it was computed on this range (then it is not computed again). ``p0``: the
        project if ``h`` is its first-round histogram (then evaluated by :meth:`_line0`), else -1."""
        W = self.W
        U2 = self.U2
        if t2 is not None:
            r1 = self.line(h, self.U1, self.SL, c) if p0 < 0 else self._line0(p0, h, self.U1, c)
            if r1 is False:
                return False
            return self._lines(h, c, r1, t2)
        r2 = False
        st = self.short
        if len(h) > _SHORT_MIN and (st[0] < _SHORT_TRIES or 4 * st[1] >= st[0]):
            st[0] += 1
            if _short(h, U2, c, self.hc[3]):
                st[1] += 1
                r2 = None
        if r2 is not None:
            r2 = self.line(h, U2, self.SL, c) if p0 < 0 else self._line0(p0, h, U2, c)
        if r2 is None:
            # short of the cost at b2, hence on the whole range: the money before this round only
            # grows with the budget, the order of the rounds before being certified on the range
            return None
        if not full and r2:
            lo, _hi, g, gerr = r2
            at1 = lo - g * W - gerr * W
            at1 -= 4 * EPS * (abs(lo) + abs(g * W) + gerr * W)
            return at1, lo, at1, lo, 0.0
        r1 = self.line(h, self.U1, self.SL, c) if p0 < 0 else self._line0(p0, h, self.U1, c)
        if r1 is False or r2 is False:
            return False
        lo, _hi, g, gerr = r2
        at1 = lo - g * W - gerr * W
        at1 -= 4 * EPS * (abs(lo) + abs(g * W) + gerr * W)
        return self._lines(h, c, r1, (at1, lo))

    def _lines(self, h, c, r1, t2):
        """:meth:`_lower`'s result from the evaluation ``r1`` at ``b1`` and the tangent ``t2`` at
        ``b2``."""
        W = self.W
        lines = [t2]
        if r1:
            lo, _hi, g, gerr = r1
            at2 = lo + g * W - gerr * W
            at2 -= 4 * EPS * (abs(lo) + abs(g * W) + gerr * W)
            lines.insert(0, (lo, at2))
        else:
            lines.append(lines[0])
        # Unaffordable at b1 (r1 None): not before its supporters' upper money can reach the cost
        s0 = _afford_from(h, self.U1, self.U2, c, self.hc[3]) if r1 is None else 0.0
        return lines[0] + lines[1] + (s0,)

    def _refresh(self, p, heap, full=False) -> bool:
        """Evaluate p's pending histogram (or, ``full``, its half-evaluated one with both tangents)."""
        t2 = None
        if full:
            h, t2 = self.half.pop(p)
        else:
            h = self.pending.pop(p)
            self.half.pop(p, None)
        r = self._lower(h, self.C[p], full, t2, p if h is self.init[p] else -1)
        if r is False:
            return False
        if r is None:
            self.alive.discard(p)
        else:
            if not full and r[0] is r[2]:  # the tangent at b2 only (kept for the full evaluation)
                self.half[p] = (h, r[:2])
            self.lower[p] = r
            heapq.heappush(heap, (_key(r), p, r))
        return True

    def _line0(self, p, h, va, c):
        """``line(h, va, SL, c)`` for the first-round histogram ``h`` of project ``p`` (every entry in
        class 0, whose money is ``va[0]``), taken from an earlier evaluation where it holds.

        Fresh checks evaluate every project in their first round, at the money of their budgets, and
        the completion's fresh checks move to larger budgets. Where every supporter pays its share
        (the split before the first entry; then the slope is ``-0.0``, and ``-0.0`` only then: the
        slopes of class 0 are positive), the factor ``c / sum m u``, its error bounds and the slope's
        bound ``_TINY`` do not depend on the money, and with more money that split holds again (the
        money per utility of the first entry only grows, and the test of the split and its
        certification are monotone in it), so the same result comes out, float for float. Kept per
        project (per instance): such a result with the least money it was computed at; used
        wherever the money of class 0 is at least that."""
        a = va[0]
        z = self.l0[p]
        if z is not None and a >= z[0]:
            return z[1]
        r = self.line(h, va, self.SL, c)
        if r and r[2] == 0.0 and self.SL[0] > _SL_MIN and (z is None or a < z[0]):
            self.l0[p] = (a, r)
        return r

    def _money_at(self, b, t):
        """The classes' money (and its error bounds) at the budget ``b`` in ``[b1, b2]`` before round
        ``t``, by the arithmetic of a run at that one budget (one evaluation per round: the rounds
        before ``t`` are certified on the range): ``(ca, ce, rounds, caps)`` with the rounds' splits
        and upper factors there, or None where a factor is uncertain there.

        The last few results are kept per instance under the budget and the purchases before ``t``
        (which fix the classes and the arithmetic): a check of a sub-range sharing ``b1`` that fails
        at the same round takes its winner's cap from the same money (on Budapest 2024 119 of 326
        such computations repeated an earlier one). Where a kept state at the same budget is for a
        shorter prefix of the same purchases (a sub-range sharing ``b1`` that fails at a later round
        than the probe or cap there), the rounds after it are computed from it (the classes are
        appended, so its lists are the prefix of the longer state's). The lists are only read (a run
        resumed from them gets copies, :meth:`resume_tight`)."""
        keep = self.hc[4]
        prefix = tuple(self.rec.order[:t])
        key = (b, prefix)
        if key in keep:
            return keep[key]
        base = None
        for (kb, kp), st in keep.items():
            if (
                kb == b
                and st is not None
                and (base is None or len(kp) > len(base[0]))
                and kp == prefix[: len(kp)]
            ):
                base = kp, st
        if base is None:
            st = _money_after(self.rp, self.C, self.rec.rounds[:t], b)
        else:
            st = _money_after(self.rp, self.C, self.rec.rounds[len(base[0]) : t], b, base[1])
        if len(keep) >= _MONEY_KEEP:
            del keep[next(iter(keep))]
        keep[key] = st
        return st

    def _end_money(self, b):
        """:meth:`_money_at` after the whole order: ``(ca, ce)``, or False."""
        st = self._money_at(b, len(self.rec.order))
        return st[:2] if st is not None else False

    def _advance(self, h, hi1, hi2, tw):
        """The money bounds after a round won by the project with histogram ``h`` (its chord ``hi1``,
        ``hi2`` and its tangent ``tw``): new classes appended in the order of ``h``."""
        L1, L2, U1, U2, SL = self.L1, self.L2, self.U1, self.U2, self.SL
        W = self.W
        E4 = 4 * EPS
        tw1, tw2 = tw
        # (per round: the margins folded into the constants, |tw| once, no max per entry; the products
        # with the utility once per utility, i.e. once per histogram on approval ballots; the upper
        # money is never negative, so it needs no abs)
        F = 1 + E4
        tw1m = tw1 * (1 - E4)
        tw2m = tw2 * (1 - E4)
        atw1 = abs(tw1)
        atw2 = abs(tw2)
        cu = None
        z1 = z2 = s1 = s2 = t1 = t2 = e1 = e2 = 0.0
        for cid, u, _m in h:
            if u != cu:
                cu = u
                z1 = tw1m * u
                z2 = tw2m * u
                s1 = hi1 * u
                s2 = hi2 * u
                t1 = tw1 * u
                t2 = tw2 * u
                e1 = atw1 * u
                e2 = atw2 * u
            a1 = U1[cid]
            a2 = U2[cid]
            if a1 * F < z1 and a2 * F < z2:
                L1.append(0.0)
                L2.append(0.0)
                U1.append(0.0)
                U2.append(0.0)
                SL.append(0.0)
                continue
            x1 = L1[cid]
            x2 = L2[cid]
            l1 = x1 - s1
            l1 -= E4 * (abs(x1) + s1)
            l2 = x2 - s2
            l2 -= E4 * (abs(x2) + s2)
            if (l1 < 0.0 or l2 < 0.0) and l1 + l2 <= 0.0:
                l1 = l2 = 0.0
            u1 = a1 - t1
            u1 += E4 * (a1 + e1)
            u2 = a2 - t2
            u2 += E4 * (a2 + e2)
            if u1 < 0.0:
                u1 = 0.0
            if u2 < 0.0:
                u2 = 0.0
            L1.append(l1)
            L2.append(l2)
            U1.append(u1)
            U2.append(u2)
            SL.append((u2 - u1) / W)

    def run(self) -> bool:
        """Check from the current round to the end; False when a round cannot be certified."""
        rec = self.rec
        order = rec.order
        computes = rec.computes
        nc = len(computes)
        C = self.C
        alive = self.alive
        pending = self.pending
        lower = self.lower
        L1, L2, U1, U2 = self.L1, self.L2, self.U1, self.U2
        count = self.count
        hc = self.hc
        half = self.half
        caps = self.caps
        ncaps = len(caps)
        heap = [(_key(line), p, line) for p, line in lower.items() if p in alive]
        heapq.heapify(heap)
        deferred: list = []
        while True:
            t = self.t
            while self.ci < nc and computes[self.ci][0] == t:
                _t, p, h = computes[self.ci]
                self.ci += 1
                if h is None:  # not counted by the run (a bound from its groups): counted now
                    h = _hist_at(hc, tuple(order[:t]), p, count[p], rec.snaps[t])
                self.latest[p] = h
                self.latest_t[p] = t
                if p in alive:
                    pending[p] = h
                    if t == 0 and self._refresh(p, heap) is False:
                        return False
            if t == len(order):  # every remaining project must be unaffordable everywhere
                end = None
                late = []  # projects affordable at b2 (by the money there)
                for p in list(alive):
                    h = pending.get(p)
                    if h is None:  # evaluated before (the run dropped it): its histogram now
                        if not rec.snaps:
                            return False
                        h = _hist_at(hc, tuple(order), p, count[p], rec.snaps[t])
                    if self._lower(h, C[p], False) is not None:
                        # The upper bounds are loose towards b2: the money at b2 itself decides
                        # (with the order certified on the range, the money only grows with the
                        # budget, so a project unaffordable at b2 is unaffordable on the range)
                        if end is None:
                            end = self._end_money(self.b2)
                        r = self.rp[0](h, end[0], end[1], C[p]) if end else False
                        if r is False:
                            # (uncertain; the state stays as it was, so a sub-range goes on from
                            # here, see at_end)
                            return False
                        if r is not None:
                            late.append((h, C[p]))
                            continue
                    pending.pop(p, None)
                    alive.discard(p)  # unaffordable on the whole range, hence on every sub-range
                    self.half.pop(p, None)
                if late:
                    # Some project becomes affordable inside the range: where its supporters' money
                    # reaches its cost, interpolated between the money at b1 and at b2 (an estimate;
                    # the checks of the pieces decide)
                    end1 = self._end_money(self.b1)
                    if end1:
                        self.crossing = min(_reach(h, end1[0], end[0], c) for h, c in late)
                    return False
                return True
            w = order[t]
            if w not in alive:
                return False
            h = self.latest[w]
            c = C[w]
            r1, r2, tw = self._winner(h, c, p0=w if not t and h is self.init[w] else -1)
            if not r1 or not r2 or not tw:
                return False
            hi1 = r1[1]
            hi2 = r2[1]
            cap = caps[t] if t < ncaps else INF
            alive.discard(w)
            wpend = pending.pop(w, None)
            top = min(max(hi1, hi2), cap)
            failed = False
            tight = self.tight
            counted: set = set()
            dw = None
            while heap:
                key, p, line = heap[0]
                if p not in alive or lower[p] is not line:
                    heapq.heappop(heap)
                    continue
                if key > top:
                    break
                if p in pending:
                    heapq.heappop(heap)
                    if self._refresh(p, heap) is False:
                        return False
                    continue
                gap = _gaps(line, hi1, hi2, cap)
                if gap is None:  # clears the winner's chord on the whole range
                    heapq.heappop(heap)
                    deferred.append((key, p, line))
                    continue
                if p in half:  # add the tangent at b1
                    heapq.heappop(heap)
                    if self._refresh(p, heap, full=True) is False:
                        return False
                    continue
                if p not in counted and rec.snaps:  # count its histogram now, from the snapshot
                    counted.add(p)
                    h2 = _hist_at(hc, tuple(order[:t]), p, count[p], rec.snaps[t])
                    self.latest[p] = pending[p] = h2
                    self.latest_t[p] = t
                    heapq.heappop(heap)
                    if self._refresh(p, heap) is False:
                        return False
                    continue
                if p in counted:  # exactly tied (or above) on the whole range, after w by the key?
                    if dw is None:
                        dw = _pure_range(h, L1, L2, U1, U2, c)
                    dp = _pure_range(self.latest[p], L1, L2, U1, U2, C[p]) if dw else 0
                    if dp and _ties_first(self.Ci[w], dw, self.tiekey[w], self.Ci[p], dp, self.tiekey[p]):
                        heapq.heappop(heap)
                        deferred.append((key, p, line))
                        continue
                if tight:  # first the winner's factor at b1 as its cap (see the class docstring)
                    tight = False
                    st = self._money_at(self.b1, t)
                    self.at1 = (t, st)
                    rw = self.rp[0](h, st[0], st[1], c) if st is not None else False
                    if rw and rw[2] < cap:
                        cap = rw[2]
                        top = min(max(hi1, hi2), cap)
                        continue
                self.crossing = gap
                self.rival = p
                failed = True
                break
            if failed:  # back to the start of round t
                alive.add(w)
                if wpend is not None:
                    pending[w] = wpend
                return False
            for item in deferred:
                heapq.heappush(heap, item)
            deferred.clear()
            self.wh.append((h, c, hi1, hi2))
            self._advance(h, hi1, hi2, tw)
            self.t = t + 1


def _money_after(rp, C, rounds, b, start=None):
    """The classes' money (and its error bounds) at the per-voter budget ``b`` after the recorded
    ``rounds`` (their winners certified to be bought in this order at ``b``), by the arithmetic of a
    run at ``b``, one evaluation per round: ``(ca, ce, rounds, caps)`` with the rounds' splits and
    upper factors at ``b``, or None where a factor is uncertain there. ``start``: such a result for
    the rounds before ``rounds`` (copied, not changed), else from the first round."""
    rho, pay = rp
    if start is None:
        ca = [float(b)]
        ce = [0.0]
        out = []
        caps = []
    else:
        ca, ce, out, caps = (list(x) for x in start)
    for w, h, first, _flags in rounds:
        r = rho(h, ca, ce, C[w]) if len(ca) == first else False
        if not r:
            return None
        out.append((w, h, first, pay(h, r, ca, ce)))
        caps.append(r[2])
    return ca, ce, out, caps


def at_budget(cp: Compiled, rec: Record, b: int) -> Record | None:
    """``rec`` at another per-voter budget ``b`` at which its order is certified (a step of a piece
    of the add-one completion): its rounds with their splits at ``b`` (one evaluation of each round's
    winner, no competitor), for the exact replay of the explanations; None where a factor is uncertain
    there. The groups' final classes are those of ``rec`` (the same at every budget)."""
    nv = max(cp.n_voters, 1)
    st = _money_after(_rho_pay(cp), [float(c * nv) for c in cp.cost], rec.rounds, b)
    if st is None:
        return None
    out = Record(b, rec.initial)
    out.order = rec.order
    out.rounds = st[2]
    out.gc = rec.gc
    return out


def _caps(rec: Record, b1: int) -> list[float]:
    """The record's caps if they hold on a range starting at ``b1`` (not below the record's budget)."""
    return rec.caps if rec.b <= b1 else []


def verify_range(cp: Compiled, rec: Record, b1: int, b2: int, cands: list[int]) -> bool:
    """Is ``rec.order`` the order of MES at every per-voter budget in ``[b1, b2]``? (See
    :class:`RangeCheck`.)"""
    return RangeCheck(cp, rec, b1, b2, cands).run()
