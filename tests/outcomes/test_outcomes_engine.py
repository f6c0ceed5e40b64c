"""The engine's fast paths against plain runs: checks of recorded runs at other budgets (single budgets
and affine ranges), resuming a run from the round where a check failed, the exact replay on classes,
and the exact fallback where the float bounds are uncertain."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from allmende.outcomes import _mes_float as float_mod
from allmende.outcomes import rules as rules_mod
from allmende.outcomes._mes import mes_candidates, replay_exact, run_mes
from allmende.outcomes._mes_float import (
    RangeCheck,
    _by_money,
    _count_hist,
    _hist_cache,
    _pay,
    _pay_a,
    _prepared,
    _pure,
    _pure_range,
    _rho,
    _rho_a,
    _rho_floors,
    _rho_line,
    _rho_line_a,
    _short,
    float_ok,
    run_mes_float,
    verify,
)
from allmende.outcomes.pabulib import Instance, Project, Voter, read_pb
from allmende.outcomes.profile import Compiled
from allmende.outcomes.rules import mes, mes_add1

from .conftest import data_files
from .test_outcomes_rules import TIES, elections

FILES = [p for p in data_files() if "Veszprem" not in p.name]


def _exact_order(cp, b):
    return run_mes(cp, b).order


def _check_point(cp, rec, b, cands, free):
    """verify() at b: certified means the exact order at b is the record's; a failure with a resume
    point must resume into exactly the plain run's order."""
    ok, resume = verify(cp, rec, b, b, cands)
    exact = _exact_order(cp, b)
    if ok:
        assert exact == rec.order
        return rec
    if resume is not None:
        assert exact[: resume.t] == rec.order[: resume.t]  # the rounds before were certified
        new = run_mes_float(cp, b, cands, free, keep=2, resume=resume)
        if new is not None:
            assert new.order == exact
            plain = run_mes_float(cp, b, cands, free, keep=2)
            assert plain is None or plain.order == new.order
            return new
    return None


def _check_range(cp, rec, k1, k2, cands, free, tight=False):
    """A certified RangeCheck over [k1, k2] (unit steps) means the exact order at every step in it is
    the record's; a crossing gives a state that restricts and resumes correctly. ``tight``: failing
    rounds capped by the winner's factor at the range's start first."""
    step = cp.scale * cp.n_voters
    b1, b2 = cp.budget + k1 * step, cp.budget + k2 * step
    chk = RangeCheck(cp, rec, b1, b2, cands, tight=tight)
    if chk.run():
        for k in range(k1, k2 + 1):
            assert _exact_order(cp, cp.budget + k * step) == rec.order, k
        return True
    if chk.crossing is not None:
        t = chk.t
        for k in (k1, (k1 + k2) // 2, k2):
            b = cp.budget + k * step
            exact = _exact_order(cp, b)
            assert exact[:t] == rec.order[:t]  # the rounds before t hold on the whole range
            new = run_mes_float(cp, b, cands, free, keep=2, resume=chk.resume_at(b))
            if new is not None:
                assert new.order == exact
                if k < k2:  # the rest of the range, checked on from round t with the new order
                    sub = chk.restricted(b, b2, new)
                    if sub.run():
                        for j in range(k, k2 + 1):
                            assert _exact_order(cp, cp.budget + j * step) == new.order
    elif chk.at_end():  # stopped at the last round: sub-ranges go on from there
        for c1, c2 in ((k1, (k1 + k2) // 2), ((k1 + k2) // 2, k2), (k1 + 1, k2)):
            if not k1 <= c1 < c2 <= k2:
                continue
            for replay in (True, False):
                sub = chk.restricted(cp.budget + c1 * step, cp.budget + c2 * step, replay=replay)
                if sub.run():
                    for j in range(c1, c2 + 1):
                        assert _exact_order(cp, cp.budget + j * step) == rec.order, j
    return False


def _recorded(inst, tie):
    """The compiled instance, its candidates and a certified float run at its budget (with its
    record); None where the float engine does not apply or cannot certify."""
    cp = Compiled(inst, tie)
    if cp.n_voters == 0 or not float_ok(cp, cp.budget):
        return None
    cands, free = mes_candidates(cp)
    rec = run_mes_float(cp, cp.budget, cands, free, keep=2)
    return None if rec is None else (cp, cands, free, rec)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_voters=12, max_projects=7), st.sampled_from(TIES), st.integers(1, 6), st.booleans())
def test_checks_and_resume_random(inst, tie, width, tight):
    recorded = _recorded(inst, tie)
    if recorded is None:
        return
    cp, cands, free, rec = recorded
    step = cp.scale * cp.n_voters
    cur = rec
    for k in range(1, 8):
        nxt = _check_point(cp, cur, cp.budget + k * step, cands, free)
        cur = nxt or cur
    _check_range(cp, rec, 1, 1 + width, cands, free, tight)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_checks_and_resume_files(path):
    cp = Compiled(read_pb(path))
    if cp.n_voters == 0:
        return
    cands, free = mes_candidates(cp)
    rec = run_mes_float(cp, cp.budget, cands, free, keep=2)
    if rec is None:
        return
    step = cp.scale * cp.n_voters
    cur = rec
    for k in (1, 2, 3, 5, 8, 13):
        cur = _check_point(cp, cur, cp.budget + k * step, cands, free) or cur
    for k1, k2 in ((1, 2), (1, 4), (2, 9), (5, 20)):
        _check_range(cp, rec, k1, k2, cands, free)


def _check_replay(cp, rec, k1, k2, cands):
    """A range check stopped at round t > 0 at a crossing: the sub-ranges' money bounds recomputed from
    the winners alone (``_replay`` without a source) are exactly those a fresh check of the sub-range
    computes for the same rounds; recomputed with the chord ends of the check they are restricted from
    at a shared end (``restricted`` with ``replay``), they enclose the money at both ends and inside
    (as a run there computes it, with its error bounds); and a certified sub-range holds at every step
    in it."""
    step = cp.scale * cp.n_voters
    chk = RangeCheck(cp, rec, cp.budget + k1 * step, cp.budget + k2 * step, cands)
    if chk.run() or chk.crossing is None or chk.t == 0:
        return 0
    for j1, j2 in ((k1, (k1 + k2) // 2), ((k1 + k2) // 2, k2), (k1 + 1, k2), (k1, k1 + 1)):
        if j1 >= j2:
            continue
        c1, c2 = cp.budget + j1 * step, cp.budget + j2 * step
        sub = chk.restricted(c1, c2, replay=False)
        if not sub._replay():
            continue
        assert len(sub.L1) == len(chk.L1) == len(sub.SL)
        fresh = RangeCheck(cp, rec, c1, c2, cands)
        fresh.run()
        n = min(len(sub.L1), len(fresh.L1))
        for a, b in ((sub.L1, fresh.L1), (sub.L2, fresh.L2), (sub.U1, fresh.U1), (sub.U2, fresh.U2)):
            assert a[:n] == b[:n]
        assert sub.SL[:n] == fresh.SL[:n]
        sub = chk.restricted(c1, c2, replay=True)
        _check_enclosure(cp, rec, sub)
        if sub.run():
            for j in range(j1, j2 + 1):
                assert _exact_order(cp, cp.budget + j * step) == rec.order, j
    return 1


def _check_enclosure(cp, rec, chk):
    """The money bounds of ``chk`` (before its round ``t``) at its ends and in the middle overlap the
    money a run at that budget computes, with its error bounds (interpolation and the run's rounding
    covered by a few units of the last place)."""
    t = chk.t
    E = 2.0**-40
    for b in (chk.b1, (chk.b1 + chk.b2) // 2, chk.b2):
        st = float_mod._money_after(chk.rp, chk.C, rec.rounds[:t], b)
        if st is None:
            continue
        ca, ce = st[0], st[1]
        f = (b - chk.b1) / chk.W
        assert len(ca) == len(chk.L1)
        for i, (x1, x2, y1, y2) in enumerate(zip(chk.L1, chk.L2, chk.U1, chk.U2, strict=True)):
            lo = x1 + (x2 - x1) * f
            hi = y1 + (y2 - y1) * f
            tol = E * (abs(x1) + abs(x2) + abs(y1) + abs(y2) + abs(ca[i]))
            assert lo <= ca[i] + ce[i] + tol, (b, i)
            assert hi >= ca[i] - ce[i] - tol, (b, i)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_voters=12, max_projects=7), st.sampled_from(TIES), st.integers(2, 12))
def test_replayed_bounds_random(inst, tie, width):
    cp = Compiled(inst, tie)
    if cp.n_voters == 0 or not float_ok(cp, cp.budget):
        return
    cands, free = mes_candidates(cp)
    rec = run_mes_float(cp, cp.budget, cands, free, keep=2)
    if rec is not None:
        _check_replay(cp, rec, 0, width, cands)


def test_replayed_bounds_files():
    """On the test files, where range checks stop inside the run (t > 0) at a crossing."""
    done = 0
    for path in FILES:
        cp = Compiled(read_pb(path))
        if cp.n_voters == 0:
            continue
        cands, free = mes_candidates(cp)
        rec = run_mes_float(cp, cp.budget, cands, free, keep=2)
        if rec is None:
            continue
        for k2 in (4, 16, 64):
            done += _check_replay(cp, rec, 0, k2, cands)
    assert done  # the path is exercised


def test_range_check_certifies_long_stretch():
    """On a file whose outcome stays put for many steps the affine range check certifies long ranges
    (otherwise the completion could not jump)."""
    path = next(p for p in data_files() if "Zabrze" in p.name)
    cp = Compiled(read_pb(path))
    cands, free = mes_candidates(cp)
    rec = run_mes_float(cp, cp.budget, cands, free, keep=2)
    step = cp.scale * cp.n_voters
    assert RangeCheck(cp, rec, cp.budget + step, cp.budget + 64 * step, cands).run()
    for k in (1, 17, 40, 64):
        assert _exact_order(cp, cp.budget + k * step) == rec.order


@pytest.mark.parametrize("path", data_files(), ids=lambda p: p.name)
def test_replay_on_classes_equals_full_exact_run(path):
    """The exact replay of a float record (classes, integer numerators) records the same numbers as a
    full exact run."""
    cp = Compiled(read_pb(path))
    cands, free = mes_candidates(cp)
    for b in (cp.budget, cp.budget + 3 * cp.scale * max(cp.n_voters, 1)):
        rec = run_mes_float(cp, b, cands, free, keep=1)
        if rec is None:
            continue
        full = run_mes(cp, b, record=True)
        replay = replay_exact(cp, b, rec)
        assert replay.order == full.order
        assert replay.rounds == full.rounds
        assert replay.leftover == full.leftover


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_voters=12, max_projects=7), st.sampled_from(TIES))
def test_replay_on_classes_random(inst, tie):
    cp = Compiled(inst, tie)
    if cp.n_voters == 0 or not float_ok(cp, cp.budget):
        return
    cands, free = mes_candidates(cp)
    rec = run_mes_float(cp, cp.budget, cands, free, keep=1)
    if rec is None:
        return
    full = run_mes(cp, cp.budget, record=True)
    replay = replay_exact(cp, cp.budget, rec)
    assert (replay.order, replay.rounds, replay.leftover) == (full.order, full.rounds, full.leftover)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_voters=12, max_projects=7), st.sampled_from(TIES))
def test_record_run_reuses_a_record_at_its_budget(inst, tie):
    """The completion's last record is replayed for the explanations: at its own budget where it knows
    every split (a run resumed from a check), else at the final budget where its order is certified
    there, with the splits evaluated there (``at_budget``): the same numbers as the exact engine."""
    recorded = _recorded(inst, tie)
    if recorded is None:
        return
    cp, cands, free, rec = recorded
    full = run_mes(cp, cp.budget, record=True)
    b2 = cp.budget + cp.scale * cp.n_voters
    ok, resume = verify(cp, rec, b2, b2, cands)
    for b in (cp.budget, b2) if ok else (cp.budget,):  # a record's order must be certified at b
        out = rules_mod._record_run(cp, b, rec)
        ref = full if b == cp.budget else run_mes(cp, b, record=True)
        assert (out.order, out.rounds, out.leftover) == (ref.order, ref.rounds, ref.leftover)
    if resume is not None:
        new = run_mes_float(cp, b2, cands, free, keep=2, resume=resume)
        if new is not None:
            out = rules_mod._record_run(cp, b2, new)
            ref = run_mes(cp, b2, record=True)
            assert (out.order, out.rounds, out.leftover) == (ref.order, ref.rounds, ref.leftover)


def _tied_instance() -> Instance:
    """Two projects with the same cost and the same number of supporters: an exact tie in rho that no
    float bound can separate, so the exact engine must decide (tie-breaking by id here)."""
    projects = {"1": Project("1", 30), "2": Project("2", 30), "3": Project("3", 50)}
    voters = [Voter(str(i), ("1",)) for i in range(3)] + [Voter(str(i), ("2",)) for i in range(3, 6)]
    voters += [Voter("6", ("3", "1")), Voter("7", ("3", "2"))]
    return Instance(
        meta={"budget": "100", "vote_type": "approval"},
        projects=projects,
        voters=voters,
        budget=100,
        vote_type="approval",
        voter_columns=["voter_id", "vote"],
    )


def test_uncertain_float_falls_back_to_exact(monkeypatch):
    """Without the exact factors of tied projects (_pure finds none) the tie is not certified and the
    exact engine decides."""
    from allmende.outcomes import _mes_float

    from .pabutools_ref import reference

    monkeypatch.setattr(_mes_float, "_pure", lambda *a: 0)
    monkeypatch.setattr(_mes_float, "_pure_range", lambda *a: 0)
    inst = _tied_instance()
    for tie in TIES:
        cp = Compiled(inst, tie)
        cands, free = mes_candidates(cp)
        assert run_mes_float(cp, cp.budget, cands, free) is None  # the tie is not certified
        for rule, func in (("mes", mes), ("mes-add1", mes_add1)):
            out = func(Compiled(inst, tie), tie)
            assert sorted(out.selected) == reference(inst, rule, tie), (rule, tie)
            assert out.explanations  # the exact engine records the numbers for the explanations


def test_exact_tie_decided_by_key():
    """An exact tie between projects whose supporters all pay their share (the factor is
    n_voters / supporters for both) is certified and broken by the tie-breaking key, as in the exact
    engine; single-budget and range checks of such a run certify it too."""
    from .pabutools_ref import reference

    inst = _tied_instance()
    for tie in TIES:
        cp = Compiled(inst, tie)
        cands, free = mes_candidates(cp)
        step = cp.scale * cp.n_voters
        rec = run_mes_float(cp, cp.budget, cands, free, keep=2)
        assert rec is not None and rec.order == run_mes(cp, cp.budget).order
        b2 = cp.budget + 3 * step
        if run_mes(cp, b2).order == rec.order:
            assert verify(cp, rec, b2, b2, cands)[0]
            assert RangeCheck(cp, rec, cp.budget, b2, cands).run()
        for rule, func in (("mes", mes), ("mes-add1", mes_add1)):
            out = func(Compiled(inst, tie), tie)
            assert sorted(out.selected) == reference(inst, rule, tie), (rule, tie)


def test_add1_long_stretches_as_exact_jumps():
    """Veszprém keeps its outcome for thousands of unit steps: the fast completion covers them with
    range checks, the exact-only one with exact tracked jumps; the results must be equal, numbers in
    the explanations included."""
    path = next(p for p in data_files() if "Veszprem" in p.name)
    cp = Compiled(read_pb(path))
    fast = mes_add1(cp)
    exact = mes_add1(Compiled(cp.instance), fast=False)
    assert fast.selected == exact.selected
    assert fast.order == exact.order
    assert fast.explanations == exact.explanations
    assert fast.details["per_voter_budget"] == exact.details["per_voter_budget"]


def _fresh_hist_after(cp, prefix, p):
    """p's histogram after buying ``prefix``, counted from scratch: every round gives each class of
    the winner's supporters a new class (numbered in the order of the winner's histogram)."""
    _big, count, move, _nbrs, _init = _prepared(cp)
    gc = [0] * len(cp.groups)
    ncls = 1
    for w in prefix:
        h = _count_hist(count[w], gc)
        new = {(cid, u): ncls + i for i, (cid, u, _m) in enumerate(h)}
        ncls += len(h)
        for u, gs in move[w]:
            for g in gs:
                gc[g] = new[(gc[g], u)]
    return _count_hist(count[p], gc)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_histogram_cache_equals_fresh_counts(path):
    """Histograms kept across runs, checks and resumed runs (by the order of purchases before them)
    equal histograms counted afresh for that order, entry order included (class ids depend on it)."""
    cp = Compiled(read_pb(path))
    if cp.n_voters == 0:
        return
    out = mes_add1(cp)
    assert out.selected == mes_add1(Compiled(cp.instance), fast=False).selected
    cache = _hist_cache(cp)[0]
    keys = sorted(cache, key=lambda k: (len(k[0]), k))[:: max(1, len(cache) // 300)]
    for prefix, p in keys:
        assert cache[(prefix, p)] == _fresh_hist_after(cp, prefix, p), (prefix, p)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_voters=12, max_projects=7), st.sampled_from(TIES))
def test_histogram_cache_random(inst, tie):
    cp = Compiled(inst, tie)
    if cp.n_voters == 0 or not float_ok(cp, cp.budget):
        return
    out = mes_add1(cp, tie)
    assert out.selected == mes_add1(Compiled(inst, tie), tie, fast=False).selected
    for (prefix, p), h in _hist_cache(cp)[0].items():
        assert h == _fresh_hist_after(cp, prefix, p)


def _exact_rho(vals, c):
    """The exact affordability factor: the rho with sum of m * min(a, rho * u) = c (Fractions), or
    None if the money does not reach c."""
    if sum(m * a for a, u, m in vals) < c:
        return None
    items = sorted(vals, key=lambda v: v[0] / v[1])
    paid = Fraction(0)
    util = sum(m * u for _a, u, m in items)
    for a, u, m in items:
        rho = (c - paid) / util
        if a >= rho * u:
            return rho
        paid += m * a
        util -= m * u
    raise AssertionError("unreachable for affordable projects")


@st.composite
def _histograms(draw):
    """A histogram with money per class, errors and a cost; some classes sit right at the split
    (their money per utility within a few ulps of the affordability factor) to reach the slow path."""
    n = draw(st.integers(1, 40))
    u_pool = draw(st.lists(st.integers(1, 10**6), min_size=1, max_size=3))
    hist, money, errs = [], [], []
    for cid in range(n):
        u = draw(st.sampled_from(u_pool))
        m = draw(st.integers(1, 50))
        a = draw(st.one_of(st.just(0.0), st.floats(0.0, 1e6, allow_nan=False, allow_infinity=False)))
        hist.append((cid, u, m))
        money.append(a)
        errs.append(draw(st.sampled_from([0.0, a * 2.0**-45, a * 1e-9])))
    total = sum(m * a for (_c, _u, m), a in zip(hist, money, strict=True))
    c = total * draw(st.floats(0.01, 1.2))
    if c <= 0:  # projects cost something
        c = 1.0
    if draw(st.booleans()) and total > 0 and c > 0:
        rho = _exact_rho(
            [(Fraction(a), u, m) for (_c, u, m), a in zip(hist, money, strict=True)], Fraction(c)
        )
        if rho is not None:  # move some classes next to the split
            for j in draw(st.lists(st.integers(0, n - 1), max_size=3)):
                near = float(rho * hist[j][1]) * (1 + draw(st.sampled_from([-1e-15, 0.0, 1e-15, 1e-12])))
                money[j] = near
                errs[j] = 0.0
    return hist, money, errs, c


@settings(max_examples=400, deadline=None)
@given(_histograms(), st.sampled_from([-1, 0, 1]))
def test_rho_certified_interval_and_split(case, side):
    """A certified rho interval contains the exact factor of any money within the errors (here the
    lower end, the value and the upper end), and the split (entries with a / u below tau pay all they
    have) is the exact one; 'unaffordable' means the money with its errors cannot reach the cost."""
    hist, money, errs, c = case
    res = _rho(hist, money, errs, c)
    true = [Fraction(a) + side * Fraction(e) for a, e in zip(money, errs, strict=True)]
    vals = [(max(true[cid], Fraction(0)), u, m) for cid, u, m in hist]
    rho = _exact_rho(vals, Fraction(c))
    if res is None:
        assert rho is None
    elif res:
        lo, _r, hi, _err, tau = res
        assert rho is not None and Fraction(lo) <= rho <= Fraction(hi)
        for cid, u, _m in hist:
            if money[cid] == 0.0 and errs[cid] == 0.0:
                continue
            if money[cid] / u < tau:
                assert true[cid] <= rho * u
            else:
                assert true[cid] >= rho * u


def _assert_certified(res, rho, exact_total, hist, money, errs, true):
    """A `_rho_a` result against the exact factor `rho`: None only where unaffordable (with the bound
    kept in `_UNAFF`); an interval holding `rho`; the entries with less money than `a_split` exactly
    those paying everything; `denom` their complement's utility; `slo` at most the exact total."""
    if res is None:
        assert rho is None
        assert Fraction(float_mod._UNAFF[0]) >= exact_total
    elif res:
        lo, _r, hi, _err, _tau, a_split, denom, slo = res
        assert rho is not None and Fraction(lo) <= rho <= Fraction(hi)
        assert Fraction(slo) <= exact_total
        share = 0
        for cid, u, m in hist:
            if money[cid] == 0.0 and errs[cid] == 0.0:
                continue
            if money[cid] < a_split:
                assert true[cid] <= rho * u
            else:
                assert true[cid] >= rho * u
                share += m * u
        assert denom == share


@settings(max_examples=400, deadline=None)
@given(_histograms(), st.sampled_from([-1, 0, 1]), st.randoms(use_true_random=False))
def test_rho_a_one_utility_certified_and_pays_like_rho(case, side, rnd):
    """_rho_a (one utility per histogram, as for approval ballots), on the histogram in any order of
    its entries: a certified interval contains the exact factor, the entries with less money than
    ``a_split`` are exactly those paying all they have, and where _rho certifies the same split the
    payments of _pay_a equal those of _pay (new money, errors and flags)."""
    hist, money, errs, c = case
    u0 = hist[0][1]
    hist = [(cid, u0, m) for cid, _u, m in hist]
    shuffled = list(hist)
    rnd.shuffle(shuffled)
    true = [Fraction(a) + side * Fraction(e) for a, e in zip(money, errs, strict=True)]
    vals = [(max(true[cid], Fraction(0)), u, m) for cid, u, m in hist]
    rho = _exact_rho(vals, Fraction(c))
    for h in (hist, shuffled):
        res = _rho_a(h, money, errs, c)
        exact_total = sum(v * m for v, _u, m in vals)
        _assert_certified(res, rho, exact_total, hist, money, errs, true)
    res = _rho_a(shuffled, money, errs, c)
    ref = _rho(hist, money, errs, c)
    if res and ref and res[4] == ref[4]:
        ca1, ce1, ca2, ce2 = list(money), list(errs), list(money), list(errs)
        flags1 = _pay(hist, ref, ca1, ce1)
        flags2 = _pay_a(hist, ref + (res[5],), ca2, ce2)
        assert flags1 == flags2
        assert ca1 == ca2 and ce1 == ce2


def _guessed_case(case, side, ratio, rnd, frac):
    """A drawn histogram with one utility for all its entries, shuffled, its exact money (each class's
    float money moved by ``side`` times its error bound), exact factor and total, and a guessed factor
    (``ratio`` times the exact one) and a bound below it (``frac`` times)."""
    hist, money, errs, c = case
    u0 = hist[0][1]
    hist = [(cid, u0, m) for cid, _u, m in hist]
    rnd.shuffle(hist)
    true = [Fraction(a) + side * Fraction(e) for a, e in zip(money, errs, strict=True)]
    vals = [(max(true[cid], Fraction(0)), u, m) for cid, u, m in hist]
    rho = _exact_rho(vals, Fraction(c))
    exact_total = sum(v * m for v, _u, m in vals)
    base = float(rho) if rho is not None else c / (u0 * sum(m for _c, _u, m in hist))
    return hist, money, errs, c, u0, true, rho, exact_total, base * ratio, base * frac


# A guessed evaluation's cases: a histogram with its money, the guess's side and ratio, and the share of
# the cost (`_guessed_case`).
_GUESSED = (
    _histograms(),
    st.sampled_from([-1, 0, 1]),
    st.sampled_from([0.0, 0.5, 0.9, 0.999, 1.0, 1.0 + 2.0**-40, 1.001, 1.1, 2.0, 1e9]),
    st.randoms(use_true_random=False),
    st.sampled_from([0.3, 0.6, 0.9, 0.99, 0.999999]),
)


@settings(max_examples=600, deadline=None)
@given(*_GUESSED)
def test_rho_a_with_a_guess_certified(case, side, ratio, rnd, frac):
    """_rho_a with a guessed factor (:func:`_rho_a_below`: the entries below the guessed level summed
    unsorted, only the others sorted): wherever it returns a result (guesses below, at and above the
    exact factor, also right at it, where the entry next to the split lies below the guessed level),
    the interval contains the exact factor, the entries with less money than ``a_split`` are exactly
    those paying everything, ``denom`` and ``slo`` are as in :func:`_rho_a`; and through
    :func:`_rho_a` (which evaluates without the guess where it does not work out) it decides like
    :func:`_rho_a` without a guess. With ``above`` (below the exact factor, up to right at it) a
    lower bound returned instead (a float) lies above ``above`` and at most at the exact factor."""
    hist, money, errs, c, u0, true, rho, exact_total, guess, above = _guessed_case(
        case, side, ratio, rnd, frac
    )
    bounded = float_mod._rho_a_below(hist, money, errs, c, u0, guess * u0, above)
    if bounded.__class__ is float:
        assert bounded > above
        assert rho is not None and Fraction(bounded) <= rho
        bounded = float_mod._AGAIN
    results = [float_mod._rho_a_below(hist, money, errs, c, u0, guess * u0), bounded]
    if guess > 0.0:
        results.append(_rho_a(hist, money, errs, c, guess))
    plain = _rho_a(hist, money, errs, c)
    for res in results:
        if res is float_mod._AGAIN:
            continue
        _assert_certified(res, rho, exact_total, hist, money, errs, true)
    if len(results) == 3 and results[2] is not False and plain is not False:
        assert (results[2] is None) == (plain is None)
        if plain:
            assert results[2][5] == plain[5] and results[2][6] == plain[6]


@settings(max_examples=600, deadline=None)
@given(
    _histograms(),
    st.sampled_from([-1, 0, 1]),
    st.sampled_from([0.5, 0.9, 0.999, 1.0, 1.0 + 2.0**-40, 1.001, 1.1, 2.0, 1e9]),
    st.randoms(use_true_random=False),
    st.sampled_from([0.3, 0.6, 0.9, 0.99, 0.999999]),
    st.sampled_from([0.0, 2.0**-40, 1e-6]),
    st.sampled_from([0.0, 0.25, 1.0, 4.0]),
    st.sampled_from([None, math.inf]),
)
def test_rho_a_cols_with_a_guess_certified(case, side, ratio, rnd, frac, other, near, cols_err):
    """:func:`_rho_a_cols` (the pass over the entries in C on the histogram's columns, every error
    bounded by the largest error bound of any class, only the entries near the estimated split sorted
    first): wherever it returns a result it is certified as :func:`_rho_a`'s (interval holding the
    exact factor, the exact split, ``denom``, ``slo``, 'unaffordable' only where the money with its
    errors cannot reach the cost), also where some other class (not in the histogram) has the largest
    error bound, and for any share of the entries sorted first (``_NEAR``); a lower bound returned
    instead lies above ``above`` and at most at the exact factor; and where it certifies, it finds the
    split of :func:`_rho_a`. With ``cols_err`` infinite the pass in C is taken whatever the error
    bounds (``_COLS_ERR`` only keeps it off where they would leave the intervals too wide to decide
    between projects; its results must be certified for error bounds of any size)."""
    hist, money, errs, c, u0, true, rho, exact_total, guess, above = _guessed_case(
        case, side, ratio, rnd, frac
    )
    errs = [*errs, max(errs) + other * max(money)]  # a class outside the histogram
    money = [*money, 1.0]
    cols = float_mod._columns(None, hist)
    saved = float_mod._NEAR
    saved_err = float_mod._COLS_ERR
    float_mod._NEAR = near
    if cols_err is not None:
        float_mod._COLS_ERR = cols_err
    try:
        bounded = float_mod._rho_a_cols(cols, money, errs, c, u0, guess * u0, above)
        if bounded.__class__ is float:
            assert bounded > above
            assert rho is not None and Fraction(bounded) <= rho
            bounded = float_mod._AGAIN
        res = float_mod._rho_a_cols(cols, money, errs, c, u0, guess * u0)
    finally:
        float_mod._NEAR = saved
        float_mod._COLS_ERR = saved_err
    plain = _rho_a(hist, money, errs, c)
    for r in (res, bounded):
        if r is not float_mod._AGAIN:
            _assert_certified(r, rho, exact_total, hist, money, errs, true)
    if res and res is not float_mod._AGAIN and plain:
        assert res[5] == plain[5] and res[6] == plain[6]


@settings(max_examples=400, deadline=None)
@given(
    _histograms(),
    st.lists(st.floats(0.0, 1e4, allow_nan=False, allow_infinity=False), min_size=40, max_size=40),
    st.integers(1, 4),
    st.floats(0.0, 1.0),
    st.sampled_from([0, 1]),
)
def test_from_other_bounds_the_factor_at_a_larger_budget(case, gains, steps, tight, lev):
    """The bounds of :func:`_from_other`: money at ``b0`` (the histogram's, within its errors) grows
    by nonnegative gains to ``b = b0 + steps``, at most ``gain * steps`` in all; a lower bound it
    returns is at most the exact factor at ``b``, and 'unaffordable' means the exact money at ``b``
    cannot reach the cost."""
    hist, money, errs, c = case
    u0 = hist[0][1]
    hist = [(cid, u0, m) for cid, _u, m in hist]
    res0 = _rho_a(hist, money, errs, c)
    if res0 is False:
        return
    n = len(hist)
    d = [Fraction(g) for g in (gains * n)[:n]]
    total_gain = sum(x * m for x, (_c, _u, m) in zip(d, hist, strict=True))
    # the voters' gain per unit step: at least what these supporters gained in all
    gain = math.ceil(total_gain / steps) + int((1 - tight) * 1000)
    b0, b = 10, 10 + steps
    true = [Fraction(a) + x for a, x in zip(money, d, strict=True)]  # (the money at b0: ``money``)
    ca = [float(t) for t in true]
    ce = [float(abs(Fraction(a) - t)) * 2 for a, t in zip(ca, true, strict=True)]
    emax = max(ce)
    if res0 is None:
        v = (hist, b0, None, None, float_mod._UNAFF[0] * (1 + 2 * float_mod.EPS))
    else:
        v = (hist, b0, res0[0], res0[6], res0[7])
    kind, val, _lev = float_mod._from_other(v, ca, b, None, gain, emax, c, -math.inf, lev)
    rho = _exact_rho([(t, u, m) for t, (_c, u, m) in zip(true, hist, strict=True)], Fraction(c))
    if kind == 1:
        assert rho is None or Fraction(val) <= rho
    elif kind == 2:
        assert rho is None and Fraction(val) >= sum(t * m for t, (_c, _u, m) in zip(true, hist, strict=True))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    elections(approval_only=True, max_voters=40, max_projects=10),
    st.sampled_from(TIES),
    st.sampled_from([1, 10**9]),
)
def test_guessed_factors_and_bounds_in_runs(inst, tie, cols_min):
    """With the guessed factors of :func:`_rho_a` used on every histogram (not only on those with at
    least ``_GUESS_MIN`` entries), runs take lower bounds instead of factors for projects above the
    round's best one: the same orders as the plain runs at every unit step, and the completion the
    same outcome as the exact engine; also with the pass in C (:func:`_rho_a_cols`) on every
    histogram (``_COLS_MIN`` 1) in the runs and checks, and the runs' bounds from the supporter groups
    (:func:`_low_groups`, ``_LOWG_MIN`` 1: histograms left uncounted in the records, counted by the
    checks that read them)."""
    cp = Compiled(inst, tie)
    if cp.n_voters == 0 or not float_ok(cp, cp.budget):
        return
    cands, free = mes_candidates(cp)
    step = cp.scale * cp.n_voters
    saved = float_mod._GUESS_MIN
    saved_cols = float_mod._COLS_MIN
    saved_lowg = float_mod._LOWG_MIN
    float_mod._GUESS_MIN = 1
    float_mod._COLS_MIN = cols_min
    float_mod._LOWG_MIN = cols_min
    saved_share = float_mod._LOWG_SHARE
    float_mod._LOWG_SHARE = 0.0 if cols_min == 1 else saved_share
    try:
        fast = mes_add1(cp, tie)
        for k in range(6):
            b = cp.budget + k * step
            run = run_mes_float(cp, b, cands, free, keep=2)
            if run is not None:
                assert run.order == _exact_order(cp, b)
    finally:
        float_mod._GUESS_MIN = saved
        float_mod._COLS_MIN = saved_cols
        float_mod._LOWG_MIN = saved_lowg
        float_mod._LOWG_SHARE = saved_share
    assert fast.selected == mes_add1(Compiled(inst, tie), tie, fast=False).selected


def test_by_money_orders_once_and_keeps_the_histogram():
    """The money-ordered view of a histogram is made once, at the second request (the first gives
    the histogram itself), holds the same entries, and is kept with the histogram itself."""
    hist = [(0, 5, 1), (1, 5, 2), (2, 5, 3), (3, 5, 4)]
    money = [3.0, 1.0, 4.0, 2.0]
    bm: dict = {}
    assert _by_money(bm, hist, [0.0, 0.0, 0.0, 0.0]) is hist
    view = _by_money(bm, hist, money)
    assert view == [(1, 5, 2), (3, 5, 4), (0, 5, 1), (2, 5, 3)]
    assert bm[id(hist)][1] is hist
    assert _by_money(bm, hist, [9.0, 8.0, 7.0, 6.0]) is view
    assert _by_money(bm, hist[:1], money) == hist[:1]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(approval_only=True, max_voters=14, max_projects=7), st.sampled_from(TIES))
def test_approval_path_same_runs_as_general_path(inst, tie):
    """On approval ballots runs and checks use _rho_a/_pay_a on money-ordered views; the same runs
    with the general _rho/_pay give the same orders, classes and check results, and the completion
    the same outcome as the exact engine."""
    cp = Compiled(inst, tie)
    if cp.n_voters == 0 or not float_ok(cp, cp.budget):
        return
    cands, free = mes_candidates(cp)
    step = cp.scale * cp.n_voters
    cp2 = Compiled(inst, tie)
    _prepared(cp2)  # per project its utilities as for approval ballots, before the switch below
    for j in range(4):
        b = cp.budget + j * step
        r1 = run_mes_float(cp, b, cands, free, keep=2)
        cp2.approval = False  # the general functions on the same histograms
        r2 = run_mes_float(cp2, b, cands, free, keep=2)
        cp2.approval = True
        if r1 is None or r2 is None:
            continue
        assert r1.order == r2.order == run_mes(cp, b).order
        assert r1.gc == r2.gc
        assert [x[3] for x in r1.rounds] == [x[3] for x in r2.rounds]
        b2 = b + step
        ok1 = verify(cp, r1, b2, b2, cands)[0]
        cp2.approval = False
        ok2 = verify(cp2, r2, b2, b2, cands)[0]
        cp2.approval = True
        if ok1 and ok2:
            assert r1.order == run_mes(cp, b2).order
    out = mes_add1(cp, tie)
    assert out.selected == mes_add1(Compiled(inst, tie), tie, fast=False).selected


@settings(max_examples=400, deadline=None)
@given(_histograms(), st.lists(st.floats(-1e3, 1e3), min_size=40, max_size=40))
def test_rho_line_interval_and_slope(case, slopes):
    """_rho_line takes the money as exact: a certified result brackets the exact factor, and its slope
    bound brackets the exact derivative along the given slopes (a tiny exact step, the split being
    certified constant around the point)."""
    hist, money, _errs, c = case
    money = [a if i % 7 else -a / 3 for i, a in enumerate(money)]  # lower bounds may be negative
    res = _rho_line(hist, money, slopes, c)
    vals = [(Fraction(money[cid]), u, m) for cid, u, m in hist]
    rho = _exact_rho(vals, Fraction(c))
    if res is None:
        assert rho is None
    elif res:
        lo, hi, g, gerr = res
        assert rho is not None and Fraction(lo) <= rho <= Fraction(hi)
        d = Fraction(1, 10**40) * min(rho, 1)  # far below the split's margin, even for a tiny rho
        moved = [(Fraction(money[cid]) + d * Fraction(slopes[cid]), u, m) for cid, u, m in hist]
        slope = (_exact_rho(moved, Fraction(c)) - rho) / d
        assert Fraction(g) - Fraction(gerr) <= slope <= Fraction(g) + Fraction(gerr)


@pytest.mark.parametrize("worth", [0, 10**9])
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_add1_range_checks_kept_or_backed_off(monkeypatch, path, worth):
    """The completion backs off from range checks where they cover few unit steps (then every step is
    checked on its own); with range checks always kept (0) or dropped after every attempt (10**9) the
    result equals the exact-only completion."""
    monkeypatch.setattr(rules_mod, "_RANGE_WORTH", worth)
    cp = Compiled(read_pb(path))
    if cp.n_voters == 0:
        return
    fast = mes_add1(cp)
    exact = mes_add1(Compiled(cp.instance), fast=False)
    assert fast.selected == exact.selected
    assert fast.details["per_voter_budget"] == exact.details["per_voter_budget"]


def test_add1_stops_at_the_piece_that_ends_it(monkeypatch):
    """Where a run found while covering a range has an outcome that ends the completion (over the
    budget or exhaustive), nothing to its right is computed: on Assen 2024 (it ends there at a run
    resumed inside a range) that run is the completion's last computation, and the result is the
    exact-only completion's."""
    path = next(p for p in data_files() if "Assen" in p.name)
    cp = Compiled(read_pb(path))
    cands, _free = mes_candidates(cp)
    log = []
    run0 = rules_mod.run_mes_float
    check0 = RangeCheck.run

    def run(*args, **kw):
        r = run0(*args, **kw)
        log.append(("run", r))
        return r

    def check(self):
        ok = check0(self)
        log.append(("check", ok))
        return ok

    monkeypatch.setattr(rules_mod, "run_mes_float", run)
    monkeypatch.setattr(RangeCheck, "run", check)
    fast = mes_add1(cp)
    kind, last = log[-1]
    assert kind == "run" and last is not None
    assert any(rules_mod._stops(cp, cands, last.initial + last.order))
    exact = mes_add1(Compiled(cp.instance), fast=False)
    assert fast.selected == exact.selected
    assert fast.details["per_voter_budget"] == exact.details["per_voter_budget"]


@settings(max_examples=400, deadline=None)
@given(_histograms(), st.sampled_from([-1, 0, 1]))
def test_pure_factor_is_exact(case, side):
    """Where _pure certifies that every supporter with money pays its share, the exact factor of any
    money within the errors is c / denom (exact rationals)."""
    hist, money, errs, c = case
    d = _pure(hist, money, errs, c)
    if not d:
        return
    true = [Fraction(a) + side * Fraction(e) for a, e in zip(money, errs, strict=True)]
    vals = [(max(true[cid], Fraction(0)), u, m) for cid, u, m in hist]
    assert _exact_rho(vals, Fraction(c)) == Fraction(c) / d
    for cid, u, _m in hist:
        if money[cid] != 0.0 or errs[cid] != 0.0:
            assert true[cid] > Fraction(c) / d * u


@settings(max_examples=400, deadline=None)
@given(_histograms(), st.lists(st.floats(0.0, 0.2), min_size=40, max_size=40), st.floats(0.0, 1.0))
def test_pure_range_factor_is_exact(case, widths, f):
    """Where _pure_range certifies a range, the exact factor is c / denom for money anywhere between
    the affine lower and upper bounds inside the range (exact rationals)."""
    hist, money, _errs, c = case
    L1 = [a * (1 - widths[i]) for i, a in enumerate(money)]
    L2 = [a * (1 - widths[(i + 7) % 40] / 2) for i, a in enumerate(money)]
    U1 = [a * (1 + widths[(i + 3) % 40]) for i, a in enumerate(money)]
    U2 = [a * 2 for a in money]
    d = _pure_range(hist, L1, L2, U1, U2, c)
    if not d:
        return
    F = Fraction(f)
    for side in (0, 1):  # at the lower and at the upper bound
        vals = []
        for cid, u, m in hist:
            lo = Fraction(L1[cid]) + (Fraction(L2[cid]) - Fraction(L1[cid])) * F
            hi = Fraction(U1[cid]) + (Fraction(U2[cid]) - Fraction(U1[cid])) * F
            vals.append((max(hi if side else lo, Fraction(0)), u, m))
        assert _exact_rho(vals, Fraction(c)) == Fraction(c) / d


@settings(max_examples=400, deadline=None)
@given(_histograms(), st.lists(st.floats(-1e3, 1e3), min_size=40, max_size=40), st.booleans())
def test_rho_line_a_interval_and_slope(case, slopes, negative):
    """_rho_line_a (one utility, as for approval ballots; money taken as exact, some of it negative
    as lower bounds can be): a certified result brackets the exact factor and its slope bound the
    exact derivative, as for _rho_line."""
    hist, money, _errs, c = case
    u0 = hist[0][1]
    hist = [(cid, u0, m) for cid, _u, m in hist]
    if negative:
        money = [a if i % 5 else -a / 3 for i, a in enumerate(money)]
    res = _rho_line_a(hist, money, slopes, c)
    vals = [(Fraction(money[cid]), u, m) for cid, u, m in hist]
    rho = _exact_rho(vals, Fraction(c))
    if res is None:
        assert rho is None
    elif res:
        lo, hi, g, gerr = res
        assert rho is not None and Fraction(lo) <= rho <= Fraction(hi)
        d = Fraction(1, 10**40) * min(rho, 1)
        moved = [(Fraction(money[cid]) + d * Fraction(slopes[cid]), u, m) for cid, u, m in hist]
        slope = (_exact_rho(moved, Fraction(c)) - rho) / d
        assert Fraction(g) - Fraction(gerr) <= slope <= Fraction(g) + Fraction(gerr)


@settings(max_examples=300, deadline=None)
@given(
    st.floats(2.0**-30, 1e9),
    st.integers(1, 10**6),
    st.integers(1, 10**4),
    st.floats(0.5, 1.5),
    st.floats(-1e3, 1e3),
    st.booleans(),
)
def test_rho_line_a_one_entry_with_money(a, u, m, share, slope, zeros):
    """_rho_line_a with one entry holding money (its own path, no sort): the exact factor ``c / (m
    u)`` in the certified interval where the entry pays its share, uncertain or unaffordable where
    it does not; the slope -0.0 within _TINY; entries without money or slope change nothing."""
    c = a * m * share
    hist = [(0, u, m)]
    money, slopes = [a], [slope]
    if zeros:  # (classes without money and slope around it: left out)
        hist = [(1, u, 3), (0, u, m), (2, u, 5)]
        money, slopes = [a, 0.0, 0.0], [slope, 0.0, 0.0]
    res = _rho_line_a(hist, money, slopes, c)
    rho = _exact_rho([(Fraction(money[cid]), uu, mm) for cid, uu, mm in hist], Fraction(c))
    if res is None:
        assert rho is None
    elif res:
        lo, hi, g, gerr = res
        assert rho == Fraction(c) / (m * u) and Fraction(lo) <= rho <= Fraction(hi)
        assert g == 0.0 and math.copysign(1.0, g) == -1.0 and gerr == float_mod._TINY
    else:
        assert share > 1 - 2.0**-30  # uncertain only next to the entry's own money


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_voters=12, max_projects=7), st.sampled_from(TIES), st.randoms(use_true_random=False))
def test_rho_floors_below_every_factor(inst, tie, rnd):
    """_rho_floors: a lower bound of each project's exact factor for any money of its supporters
    (here random amounts per group, some of them 0), so at every budget and in every round; exact at
    the first round when no supporter is short of its share."""
    cp = Compiled(inst, tie)
    if cp.n_voters == 0 or not float_ok(cp, cp.budget):
        return
    floors = _rho_floors(cp)
    nv = cp.n_voters
    for p in mes_candidates(cp)[0]:
        c = Fraction(cp.cost[p] * nv)
        for money in (
            [Fraction(cp.budget)] * len(cp.groups),
            [rnd.choice([0, 1, 7, 10**6]) * Fraction(rnd.random()) for _g in cp.groups],
        ):
            vals = [(money[g], u, cp.groups[g][0]) for g, u in cp.supporters[p]]
            rho = _exact_rho(vals, c)
            if rho is not None:
                assert Fraction(floors[p]) <= rho


@settings(max_examples=400, deadline=None)
@given(_histograms(), st.sampled_from([0.0, -1.0, 1.0, 2.0**-40, -(2.0**-40)]))
def test_short_only_when_certainly_short(case, shift):
    """_short (the money summed in C): only where the exact sum of the money is below the cost, and
    then _rho_line_a never finds the project affordable; the cost also right at the float sum."""
    hist, money, _errs, c = case
    if shift:
        c = math.fsum(m * a for (_c, _u, m), a in zip(hist, money, strict=True)) * (1 + shift)
        if c <= 0:
            c = 1.0
    exact = sum(m * Fraction(money[cid]) for cid, _u, m in hist)
    u0 = hist[0][1]
    one = [(cid, u0, m) for cid, _u, m in hist]
    if _short(hist, money, c):
        assert exact < Fraction(c)
        assert not _rho_line_a(one, money, [0.0] * len(money), c)
    assert _short(hist, money, float(exact) / 2) is False  # (a cost below the money)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_add1_with_short_on_every_histogram(monkeypatch, path):
    """Range checks testing every competitor with _short first (on the real files only larger
    histograms are, and only while it often settles them): the same outcome as the exact-only
    completion."""
    monkeypatch.setattr(float_mod, "_SHORT_MIN", 0)
    monkeypatch.setattr(float_mod, "_SHORT_TRIES", 10**9)
    cp = Compiled(read_pb(path))
    if cp.n_voters == 0:
        return
    fast = mes_add1(cp)
    exact = mes_add1(Compiled(cp.instance), fast=False)
    assert fast.selected == exact.selected
    assert fast.details["per_voter_budget"] == exact.details["per_voter_budget"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_voters=12, max_projects=7), st.sampled_from(TIES), st.integers(0, 12))
def test_caps_bound_the_factors_at_larger_budgets(inst, tie, k):
    """A record's caps (the rounds' upper factor bounds at its budget) bound the exact factor of the
    same round at every larger budget where the purchases up to that round are the same."""
    recorded = _recorded(inst, tie)
    if recorded is None:
        return
    cp, cands, free, rec = recorded
    assert len(rec.caps) == len(rec.order)
    exact = run_mes(cp, cp.budget + k * cp.scale * cp.n_voters, record=True)
    for t, rnd in enumerate(exact.rounds):
        if exact.order[: t + 1] != rec.order[: t + 1]:
            break
        assert Fraction(rnd["rho"]) <= Fraction(rec.caps[t])


@settings(max_examples=400, deadline=None)
@given(
    _histograms(),
    st.lists(st.floats(0.0, 1e6), min_size=40, max_size=40),
    st.floats(0.0, 1.0),
    st.sampled_from([0.0, 1e-15, -1e-15]),
)
def test_afford_from_before_the_money_reaches_the_cost(case, grow, f, shift):
    """_afford_from: before the fraction it returns, the (affine) upper money of the entries stays
    below the cost (exactly), also with the cost right at the interpolated total."""
    hist, money, _errs, _c = case
    U1 = money
    U2 = [a + g for a, g in zip(money, grow, strict=False)]
    t1 = sum(m * Fraction(U1[cid]) for cid, _u, m in hist)
    t2 = sum(m * Fraction(U2[cid]) for cid, _u, m in hist)
    c = float(t1 + (t2 - t1) * Fraction(f)) * (1 + shift)
    if not c > 0.0:
        return
    s0 = float_mod._afford_from(hist, U1, U2, c)
    assert s0 >= 0.0
    if s0 > 0.0:
        assert t1 + (t2 - t1) * Fraction(s0) <= Fraction(c)


def test_afford_from_near_underflow():
    """A cost near underflow (where rounding is absolute, not relative): no start of affordability
    (0.0, always safe) rather than a fraction rounded past the exact one."""
    assert float_mod._afford_from([(0, 1, 1)], [0.0], [2.5], 2.0**-1073) == 0.0
    assert float_mod._afford_from([(0, 1, 1)], [0.0], [2.0**1000], 2.0**-900) == 0.0
    assert float_mod._afford_from([(0, 1, 1)], [0.0], [4.0], 1.0) > 0.0


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.floats(0.5, 2.0), min_size=4, max_size=4),
    st.floats(0.5, 2.0),
    st.floats(0.5, 2.0),
    st.one_of(st.just(math.inf), st.floats(0.5, 2.0)),
    st.one_of(st.just(0.0), st.floats(0.0, 1.2)),
)
@example(
    [1.6748926548938963, 1.1875, 1.6694916982075, 1.6694916982075], 1.1875, 1.6694916982075, math.inf, 0.0
)
def test_gaps_clear_only_where_the_lines_stay_apart(tangents, hi1, hi2, cap, s0):
    """_gaps with a cap and a start of affordability: None only if max(T1, T2) lies above
    min(chord, cap) at every point from s0 on (checked exactly on a fine grid and at the kinks)."""
    t11, t12, t21, t22 = tangents
    res = float_mod._gaps((t11, t12, t21, t22, s0), hi1, hi2, cap)
    if res is not None:
        assert s0 <= res <= 1.0 or s0 > 1.0
        return
    if s0 >= 1.0:
        return
    F = Fraction
    pts = [F(s0) + (1 - F(s0)) * F(i, 64) for i in range(65)]
    den = (F(t12) - F(t11)) - (F(t22) - F(t21))
    if den:
        pts.append((F(t21) - F(t11)) / den)
    if cap != math.inf and hi1 != hi2:
        pts.append((F(cap) - F(hi1)) / (F(hi2) - F(hi1)))
    for s in pts:
        if not F(s0) <= s <= 1:
            continue
        lb = max(F(t11) + (F(t12) - F(t11)) * s, F(t21) + (F(t22) - F(t21)) * s)
        ub = F(hi1) + (F(hi2) - F(hi1)) * s
        if cap != math.inf:
            ub = min(ub, F(cap))
        assert lb > ub, s


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_voters=12, max_projects=7), st.sampled_from(TIES), st.integers(8, 48))
def test_wide_range_checks_random(inst, tie, width):
    """Range checks over wide ranges (where projects become affordable inside the range, the winners'
    caps, also at the range's start, and the money at the range's end decide): certified means the
    exact order at every step."""
    recorded = _recorded(inst, tie)
    if recorded is None:
        return
    cp, cands, free, rec = recorded
    _check_range(cp, rec, 0, width, cands, free)
    _check_range(cp, rec, 1, 1 + width, cands, free, tight=True)


def test_gaps_at_the_kinks_of_cap_and_start():
    """The winner's bound min(chord, cap) can come closest to the competitor's where the chord meets
    the cap, and a competitor unaffordable before s0 is compared from s0 on only."""
    # competitor rising from 1.0 to 1.1; chord 0.5 -> 1.5 meets the cap 1.06 at 0.56, where the
    # competitor's 1.056 is below it (both ends clear it)
    assert float_mod._gaps((1.0, 1.1, 1.0, 1.1, 0.0), 0.5, 1.5, 1.06) is not None
    assert float_mod._gaps((1.0, 1.1, 1.0, 1.1, 0.0), 0.5, 1.5, 1.04) is None
    assert float_mod._gaps((1.0, 1.1, 1.0, 1.1, 0.0), 0.5, 1.5) is not None  # no cap: 1.1 < 1.5
    # competitor rising from 0.2 to 1.2 against a flat 1.0: below it until 0.8
    assert float_mod._gaps((0.2, 1.2, 0.2, 1.2, 0.9), 1.0, 1.0) is None
    assert float_mod._gaps((0.2, 1.2, 0.2, 1.2, 0.5), 1.0, 1.0) == 0.5
    assert float_mod._gaps((0.2, 1.2, 0.2, 1.2, 0.0), 1.0, 1.0) == 0.0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_voters=12, max_projects=7), st.sampled_from(TIES), st.integers(4, 40))
def test_probes_and_tight_resume_random(inst, tie, width):
    """After a crossing in a range check: the money computed at a single budget of the range from the
    winners of the certified rounds (probe, resume_tight) resumes into the exact order there, and the
    probe's difference of the two factors has the sign of the exact comparison where it is clear.
    (With ``tight``: the probe at the range's start takes the money the failing round computed.)"""
    recorded = _recorded(inst, tie)
    if recorded is None:
        return
    cp, cands, free, rec = recorded
    step = cp.scale * cp.n_voters
    chk = RangeCheck(cp, rec, cp.budget, cp.budget + width * step, cands, tight=True)
    if chk.run() or chk.rival is None:
        return
    t = chk.t
    for k in range(width + 1):
        b = cp.budget + k * step
        pr = chk.probe(b)
        if pr is None:
            continue
        d, st = pr
        exact = run_mes(cp, b, record=True)
        assert exact.order[:t] == rec.order[:t]
        new = run_mes_float(cp, b, cands, free, keep=2, resume=chk.resume_tight(b, st))
        if new is not None:
            assert new.order == exact.order
            assert all(f is not None for _w, _h, _first, f in new.rounds)
        if len(exact.order) > t and d != math.inf and d > 1e-9 * float(exact.rounds[t]["rho"]):
            assert exact.order[t] != chk.rival  # the winner (or a third project) before the rival


@pytest.mark.parametrize("probes", [0, 32])
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_add1_with_and_without_probes(monkeypatch, path, probes):
    """The completion locating crossings by probes (up to 32 per crossing; on every instance, however
    small) or not at all (0: split at the range checks' estimates): the same outcome as the exact-only
    completion."""
    monkeypatch.setattr(rules_mod, "_PROBES", probes)
    monkeypatch.setattr(rules_mod, "_PROBE_MIN", 0)
    cp = Compiled(read_pb(path))
    if cp.n_voters == 0:
        return
    fast = mes_add1(cp)
    exact = mes_add1(Compiled(cp.instance), fast=False)
    assert fast.selected == exact.selected
    assert fast.details["per_voter_budget"] == exact.details["per_voter_budget"]


def _same_floats(x, y):
    """Equal results of an evaluation, float for float (the sign of zero included)."""
    if isinstance(x, tuple) and isinstance(y, tuple):
        return len(x) == len(y) and all(repr(a) == repr(b) for a, b in zip(x, y, strict=True))
    return x is y


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 10**6), st.integers(1, 50)), min_size=1, max_size=12),
    st.floats(1.0, 1e6),
    st.floats(1.0, 4.0),
    st.floats(0.05, 1.5),
    st.sampled_from([1.0, 0.75, 2.0**-40]),
)
def test_first_round_line_split_before_all_holds_with_more_money(entries, a, more, frac, slope):
    """A first-round histogram (every entry in class 0) evaluated where every supporter pays its
    share (slope -0.0) gives the same result, float for float, with more money in class 0 and any
    positive slope (what :meth:`RangeCheck._line0` relies on), for general and approval ballots."""
    byu: dict = {}
    for u, m in entries:
        byu[u] = byu.get(u, 0) + m
    hist = [(0, u, m) for u, m in byu.items()]
    c = float(sum(u * m for u, m in byu.items())) * a * frac
    for fn, h in ((_rho_line, hist), (_rho_line_a, hist[:1])):
        r = fn(h, [a], [1.0], c)
        if r and r[2] == 0.0:
            assert repr(r[2]) == "-0.0" and r[3] == float_mod._TINY
            for b in (a, a * more, math.nextafter(a, math.inf)):
                assert _same_floats(fn(h, [b], [slope], c), r), (fn.__name__, b)


def _checked_line0(line0, taken):
    """:meth:`RangeCheck._line0` comparing every result with a fresh evaluation; ``taken[0]`` counts
    the results taken from an earlier evaluation."""

    def checked(self, p, h, va, c):
        assert all(cid == 0 for cid, _u, _m in h)
        z = self.l0[p]
        if z is not None and va[0] >= z[0]:
            taken[0] += 1
        r = line0(self, p, h, va, c)
        assert _same_floats(r, self.line(h, va, self.SL, c))
        return r

    return checked


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_first_round_lines_carried_equal_fresh(monkeypatch, path):
    """Range checks take a project's first-round line from an earlier check where it holds
    (:meth:`RangeCheck._line0`): every result equals a fresh evaluation, float for float, and the
    completion equals the exact-only one; on Assen 2024 results are taken (122)."""
    cp = Compiled(read_pb(path))
    if cp.n_voters == 0:
        return
    taken = [0]
    monkeypatch.setattr(RangeCheck, "_line0", _checked_line0(RangeCheck._line0, taken))
    out = mes_add1(cp)
    assert out.selected == mes_add1(Compiled(cp.instance), fast=False).selected
    if "Assen" in path.name:
        assert taken[0] > 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_voters=12, max_projects=7), st.sampled_from(TIES))
def test_first_round_lines_carried_random(inst, tie):
    """:func:`test_first_round_lines_carried_equal_fresh` on small random elections (ordinal and
    cumulative ballots among them: several utilities in a first-round histogram)."""
    cp = Compiled(inst, tie)
    if cp.n_voters == 0 or not float_ok(cp, cp.budget):
        return
    saved = RangeCheck._line0
    RangeCheck._line0 = _checked_line0(saved, [0])
    try:
        out = mes_add1(cp, tie)
    finally:
        RangeCheck._line0 = saved
    assert out.selected == mes_add1(Compiled(inst, tie), tie, fast=False).selected


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 10**6), st.integers(1, 50)), min_size=1, max_size=12),
    st.lists(st.floats(1.0, 1e6), min_size=2, max_size=6),
    st.floats(0.05, 1.5),
    st.booleans(),
)
def test_line0_equals_fresh_in_any_order(entries, monies, frac, approval):
    """:meth:`RangeCheck._line0` called at first-round money in any order (larger and smaller than
    the results it keeps; splits before the first entry and after it) returns what a fresh
    evaluation returns, float for float."""
    byu: dict = {}
    for u, m in entries:
        byu[u] = byu.get(u, 0) + m
    hist = [(0, u, m) for u, m in byu.items()]
    if approval:
        hist = hist[:1]
    chk = object.__new__(RangeCheck)
    chk.l0 = [None]
    chk.line = _rho_line_a if approval else _rho_line
    chk.SL = [1.0]
    c = float(sum(u * m for _cid, u, m in hist)) * monies[0] * frac
    for a in monies:
        assert _same_floats(chk._line0(0, hist, [a], c), chk.line(hist, [a], [1.0], c)), a


@settings(max_examples=600, deadline=None)
@given(
    *_GUESSED,
    st.sampled_from([0.0, 2.0**-40, 1e-6]),
    st.lists(st.integers(1, 20), min_size=1, max_size=6),
)
def test_low_groups_bounds_the_factor(case, side, ratio, rnd, frac, other, parts):
    """:func:`_low_groups` (a run's lower bound from a project's supporter groups, without counting its
    histogram): the histogram's classes split into groups of any sizes (in any order, several groups
    per class, a class outside the histogram holding the largest error bound); a bound returned lies
    above ``above`` and at most at the exact factor (any bound where the project is unaffordable), and
    'unaffordable' (None) only where the money with its errors cannot reach the cost, with its upper
    bound in ``_UNAFF``."""
    hist, money, errs, c, u0, true, rho, exact_total, guess, above = _guessed_case(
        case, side, ratio, rnd, frac
    )
    errs = [*errs, max(errs) + other * max(money)]
    money = [*money, 1.0]
    gc, gs, gm = [], [], []
    for cid, _u, m in hist:
        left = m
        for size in parts:
            take = min(size, left)
            if not take:
                break
            gs.append(len(gc))
            gc.append(cid)
            gm.append(take)
            left -= take
        if left:
            gs.append(len(gc))
            gc.append(cid)
            gm.append(left)
    order = list(range(len(gs)))
    rnd.shuffle(order)
    gs = [gs[i] for i in order]
    gm = [gm[i] for i in order]
    gq = (gs, gm, sum(gm), u0)
    saved = float_mod._COLS_ERR
    float_mod._COLS_ERR = math.inf
    try:
        res = float_mod._low_groups(gq, gc, money, errs, c, guess * u0, above)
    finally:
        float_mod._COLS_ERR = saved
    if res is None:
        assert rho is None
        assert Fraction(float_mod._UNAFF[0]) >= exact_total
    elif res is not float_mod._AGAIN:
        assert res.__class__ is float and res > above
        assert rho is None or Fraction(res) <= rho
