"""The rules against pabutools 1.2.3, against official outcomes, and their properties."""

from __future__ import annotations

import itertools
import json
import math
import time
from fractions import Fraction
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allmende.outcomes import RULES, compute, explain
from allmende.outcomes.__main__ import main as cli_main
from allmende.outcomes.pabulib import Instance, Project, Voter, read_pb
from allmende.outcomes.profile import Compiled
from allmende.outcomes.rules import mes_add1

from .conftest import DATA, data_files, pabulib_dir, require_pabulib, small_files
from .pabutools_ref import reference

TIES = ("equalshares", "id")
STORED = DATA / "pabutools_small.json"


def _rules_for(inst):
    return [r for r in RULES if r != "phragmen" or inst.approval_like]


# pabutools needs minutes (Veszprem: 72 725 add-one steps) or tens of seconds for these.
SLOW_IN_PABUTOOLS = {
    ("Hungary_Veszprem_2025.pb", "mes-add1"),
    ("Hungary_Veszprem_2025.pb", "mes-add1-greedy"),
    ("Poland_Swiecie_2023.pb", "mes-add1"),
    ("Poland_Swiecie_2023.pb", "mes-add1-greedy"),
    ("Poland_Warszawa_2017_Kamionek.pb", "mes-add1"),
    ("Poland_Warszawa_2017_Kamionek.pb", "mes-add1-greedy"),
}


@pytest.mark.parametrize("path", data_files(), ids=lambda p: p.name)
def test_data_files_vs_pabutools(path):
    inst = read_pb(path)
    cp = {tie: Compiled(inst, tie) for tie in TIES}
    for rule in _rules_for(inst):
        if (path.name, rule) in SLOW_IN_PABUTOOLS:
            continue
        for tie in TIES:
            assert sorted(compute(cp[tie], rule, tie).selected) == reference(inst, rule, tie), (rule, tie)


# add1 comparisons on small/ in CI: files where pabutools' add1 took at most this long (most of them).
ADD1_CI_SECONDS = 0.4


def _stored():
    return json.loads(STORED.read_text()) if STORED.exists() else {}


@pytest.mark.parametrize("name", small_files() or ["<pabulib folder missing>"])
def test_small_files_vs_stored_pabutools(name):
    """Every file of small/ and every rule against pabutools' outcome, computed by
    ``make_reference.py`` and stored (pabutools' add1 takes hours for all of small/)."""
    d = require_pabulib()
    stored = _stored().get(name)
    assert stored, f"no stored pabutools reference for {name}; run tests/outcomes/make_reference.py"
    inst = read_pb(d / "small" / name)
    cps: dict = {}
    for key, ref in stored.items():
        if ref["selected"] is None:  # pabutools did not finish in time
            continue
        rule, tie = key.split("/")
        if rule.startswith("mes-add1") and ref["seconds"] > ADD1_CI_SECONDS:
            continue  # keeps CI short; the benchmark and the jump-vs-plain tests cover these
        cp = cps.setdefault(tie, Compiled(inst, tie))
        assert sorted(compute(cp, rule, tie).selected) == ref["selected"], key


def test_small_files_live_pabutools_sample():
    """A live pabutools run on the files where pabutools is quick (about 10 s in total), to make sure
    the stored references still match pabutools as installed."""
    d = require_pabulib()
    stored = _stored()
    budget = 10.0
    spent = 0.0
    checked = 0
    # Cheapest first by pabutools' stored time, every third file to spread over cities and types.
    order = sorted(stored, key=lambda n: sum(v["seconds"] for v in stored[n].values()))[::3]
    for name in order:
        if spent > budget:
            break
        inst = read_pb(d / "small" / name)
        t = time.perf_counter()
        for key, ref in stored[name].items():
            rule, tie = key.split("/")
            if ref["selected"] is not None:
                assert reference(inst, rule, tie) == ref["selected"], (name, key)
        spent += time.perf_counter() - t
        checked += 1
    assert checked >= 10


# Larger files where pabutools is fast enough for CI (measured with benchmarks/outcomes/run.py on the
# 2-core CI machine: pabutools' time for all compared rules together).
LARGER_LIVE = {
    "Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals.pb": RULES,
    "Worldwide_Mechanical_Turk_Utilities_7.pb": RULES,
    "Worldwide_Mechanical_Turk_Ranking_value_7.pb": RULES,
    "Switzerland_Zurich_SN.pb": ("greedy", "mes", "phragmen"),
    "Switzerland_Zurich_D10.pb": ("greedy", "mes"),
    "Switzerland_Zurich_S5R.pb": ("greedy", "mes", "phragmen"),
    "Poland_Wieliczka_2023_Green_Budget.pb": ("greedy", "mes", "phragmen"),
    "Poland_Swiecie_2023.pb": ("greedy", "mes", "phragmen"),
    "France_Toulouse_2022.pb": ("greedy", "mes"),
    "Poland_Gdansk_2020_Piecki_Migowo.pb": ("greedy", "mes"),
}


@pytest.mark.parametrize("name", sorted(LARGER_LIVE))
def test_larger_files_vs_pabutools(name):
    path = require_pabulib() / name
    inst = read_pb(path)
    cp = Compiled(inst)
    for rule in LARGER_LIVE[name]:
        if rule == "phragmen" and not inst.approval_like:
            continue
        assert sorted(compute(cp, rule).selected) == reference(inst, rule), rule


# ------------------------------------------------------------------------------- random instances


@st.composite
def elections(draw, approval_only=False, max_voters=7, max_projects=6):
    nproj = draw(st.integers(1, max_projects))
    pids = [str(i) for i in range(1, nproj + 1)]
    decimal = draw(st.booleans())

    def amount(lo, hi):
        x = draw(st.integers(lo, hi))
        return Fraction(x * 25 + draw(st.integers(0, 3)) * 25, 100) if decimal else x

    projects = {p: Project(p, amount(0 if draw(st.integers(0, 9)) == 0 else 1, 20)) for p in pids}
    vote_type = "approval" if approval_only else draw(st.sampled_from(["approval", "ordinal", "cumulative"]))
    voters = []
    for i in range(draw(st.integers(0, max_voters))):
        vote = tuple(draw(st.lists(st.sampled_from(pids), unique=True, max_size=nproj)))
        pts = tuple(draw(st.integers(1, 4)) for _ in vote) if vote_type == "cumulative" else None
        voters.append(Voter(str(i), vote, pts))
    budget = amount(1, 40)
    cols = ["voter_id", "vote", "points"] if vote_type == "cumulative" else ["voter_id", "vote"]
    return Instance(
        meta={"budget": str(budget), "vote_type": vote_type},
        projects=projects,
        voters=voters,
        budget=budget,
        vote_type=vote_type,
        voter_columns=cols,
    )


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(), st.sampled_from(TIES))
def test_random_vs_pabutools(inst, tie):
    cp = Compiled(inst, tie)
    for rule in _rules_for(inst):
        out = compute(cp, rule, tie)
        assert sorted(out.selected) == reference(inst, rule, tie), rule
        assert out.total_cost <= inst.budget


@settings(max_examples=150, deadline=None)
@given(elections(max_voters=12, max_projects=7))
def test_add1_jump_equals_plain_stepping(inst):
    cp = Compiled(inst)
    assert mes_add1(cp, jump=True).selected == mes_add1(cp, jump=False).selected


@pytest.mark.parametrize("path", [p for p in data_files() if "Veszprem" not in p.name], ids=lambda p: p.name)
def test_add1_jump_equals_plain_stepping_files(path):
    cp = Compiled(read_pb(path))
    assert mes_add1(cp, jump=True).selected == mes_add1(cp, jump=False).selected


def _ejr_up_to_one(inst, selected) -> bool:
    """Brute force: for every group N' and set T of projects all of N' approve with
    |N'| / n * budget >= cost(T), some voter of N' gets at least cost(T), or would get more than
    cost(T) after adding one project of T (cost utilities)."""
    n = len(inst.voters)
    cost = {p: Fraction(x.cost) for p, x in inst.projects.items()}
    sel = set(selected)
    util = [sum(cost[p] for p in set(v.vote) & sel) for v in inst.voters]
    pids = list(inst.projects)
    for r in range(1, len(pids) + 1):
        for T in itertools.combinations(pids, r):
            cT = sum(cost[p] for p in T)
            approvers = [i for i, v in enumerate(inst.voters) if set(T) <= set(v.vote)]
            need = cT * n / Fraction(inst.budget)
            if len(approvers) < need:
                continue
            missing = [cost[p] for p in T if p not in sel]
            best_add = max(missing, default=0)
            unhappy = [i for i in approvers if not (util[i] >= cT or util[i] + best_add > cT)]
            # Only groups made of unhappy voters can violate the property; the largest one suffices.
            if unhappy and len(unhappy) >= need:
                return False
    return True


@settings(max_examples=300, deadline=None)
@given(elections(approval_only=True, max_voters=8, max_projects=5))
def test_mes_ejr_up_to_one(inst):
    if not inst.voters:
        return
    out = compute(inst, "mes")
    assert _ejr_up_to_one(inst, out.selected)


@pytest.mark.parametrize("path", data_files(), ids=lambda p: p.name)
def test_never_over_budget_and_explained(path):
    inst = read_pb(path)
    for rule in _rules_for(inst):
        if rule == "mes-add1":
            continue  # part of mes-add1-greedy, which is checked
        for tie in TIES if not rule.startswith("mes-add1") else TIES[:1]:
            out = compute(inst, rule, tie)
            assert out.total_cost <= inst.budget
            assert out.selected == sorted(
                out.selected, key=lambda x: (not x.isdigit(), int(x) if x.isdigit() else 0, x)
            )
            for lang in ("en", "de"):
                texts = explain(out, lang)
                assert set(texts) == set(inst.projects), (rule, lang)
                assert all(t.strip() for t in texts.values())


# --------------------------------------------------------------------------------- official outcomes


def test_add1_reproduces_official_selected_data():
    for name in ("Netherlands_Assen_2024.pb", "Poland_Swiecie_2023.pb"):
        inst = read_pb(DATA / name)
        assert inst.meta["rule"] == "equalshares/add1"
        assert set(compute(inst, "mes-add1").selected) == inst.official_selected()


def _official_files(rule_prefix):
    d = pabulib_dir()
    files = sorted(d.glob("*.pb")) + sorted((d / "small").glob("*.pb")) if d.is_dir() else []
    out = []
    for f in files:
        with open(f, encoding="utf-8-sig") as fh:
            head = fh.read(4000)
        if f"\nrule;{rule_prefix}\n" in head.replace("\r", "") and "selected" in head:
            out.append(f)
    return out


def test_add1_reproduces_official_selected_all():
    files = _official_files("equalshares/add1")
    if not files:
        require_pabulib()
    assert len(files) >= 2
    for f in files:
        inst = read_pb(f)
        assert set(compute(inst, "mes-add1").selected) == inst.official_selected(), f.name


# Files with META rule "greedy" whose official selection is not plain greedy by votes:
# Warszawa 2019 Targówek Mieszkaniowy selects a project that did not fit in greedy order.
GREEDY_EXCEPTIONS = {"Poland_Warszawa_2019_Targowek_Mieszkaniowy.pb"}


def test_greedy_reproduces_official_selected():
    """META rule ``greedy`` (approval, choose-1 and cumulative ballots; pabulib's ordinal "greedy"
    files from Kraków rank by a points score, not by approvals, so they are not claimed)."""
    d = require_pabulib()
    files = [f for f in _official_files("greedy") if f.name not in GREEDY_EXCEPTIONS]
    checked = 0
    for f in files:
        inst = read_pb(f)
        if inst.vote_type == "ordinal" or inst.official_selected() is None:
            continue
        for tie in TIES:
            assert set(compute(inst, "greedy", tie).selected) == inst.official_selected(), (f.name, tie)
        checked += 1
    assert checked >= 100, (checked, d)


# ------------------------------------------------------------------------------------------------ CLI


def test_cli_outputs_json(capsys):
    assert cli_main([str(DATA / "Netherlands_Assen_2024.pb"), "--rule", "mes-add1", "--explain"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rule"] == "mes-add1"
    assert out["selected"] == ["2", "3", "5", "6", "9", "11", "12", "13", "14"]
    assert out["budget"] == 100000
    assert out["total_cost"] <= 100000
    assert set(out["explanations"]) == {str(i) for i in range(1, 15)}
    assert (
        cli_main(
            [
                str(DATA / "Netherlands_Assen_2024.pb"),
                "--rule",
                "greedy",
                "--tie",
                "id",
                "--explain",
                "--lang",
                "de",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert "Ausgewählt" in " ".join(out["explanations"].values())


def test_cli_errors(tmp_path, capsys):
    bad = tmp_path / "bad.pb"
    bad.write_text(
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;x\n"
        "VOTES\nvoter_id;vote\n1;1\n"
    )
    assert cli_main([str(bad), "--rule", "mes"]) != 0
    err = capsys.readouterr().err
    assert "line 7" in err and "column 2" in err
    assert cli_main([str(tmp_path / "missing.pb"), "--rule", "mes"]) != 0
    assert cli_main([str(DATA / "Poland_Gdansk_2020_Rudniki.pb"), "--rule", "phragmen"]) != 0
    assert "approval" in capsys.readouterr().err


# ----------------------------------------------------------------- certified float engine vs exact


def _float_vs_exact(cp, b):
    """A certified float run must buy exactly what the exact engine buys, in the same order."""
    from allmende.outcomes._mes import mes_candidates, run_mes
    from allmende.outcomes._mes_float import float_ok, run_mes_float

    cands, free = mes_candidates(cp)
    exact = run_mes(cp, b)
    if not float_ok(cp, b):
        return None
    fl = run_mes_float(cp, b, cands, free)
    if fl is not None:
        assert fl.order == exact.order
        assert fl.initial == exact.initial
    return fl is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_voters=12, max_projects=7), st.sampled_from(TIES), st.integers(0, 30))
def test_float_engine_equals_exact(inst, tie, extra):
    cp = Compiled(inst, tie)
    _float_vs_exact(cp, cp.budget + extra * cp.scale * max(cp.n_voters, 1))


@pytest.mark.parametrize("path", data_files(), ids=lambda p: p.name)
def test_float_engine_equals_exact_files(path):
    cp = Compiled(read_pb(path))
    step = cp.scale * max(cp.n_voters, 1)
    certified = [_float_vs_exact(cp, cp.budget + k * step) for k in (0, 1, 7, 50)]
    assert any(certified) or cp.n_voters == 0 or None in certified


@settings(max_examples=150, deadline=None)
@given(elections(max_voters=12, max_projects=7))
def test_add1_fast_equals_exact_only(inst):
    cp = Compiled(inst)
    assert mes_add1(cp).selected == mes_add1(cp, fast=False).selected


@pytest.mark.parametrize("path", [p for p in data_files() if "Veszprem" not in p.name], ids=lambda p: p.name)
def test_add1_fast_equals_exact_only_files(path):
    cp = Compiled(read_pb(path))
    fast = mes_add1(cp)
    exact = mes_add1(cp, fast=False)
    assert fast.selected == exact.selected
    assert fast.order == exact.order
    assert fast.explanations == exact.explanations


@pytest.mark.parametrize("path", data_files(), ids=lambda p: p.name)
def test_forced_replay_equals_full_exact_run(path):
    """``mes`` replays the certified float order exactly; the recorded numbers must be those of a
    full exact run (rho, shares, capped voters, leftover money)."""
    from allmende.outcomes._mes import mes_candidates, run_mes
    from allmende.outcomes._mes_float import run_mes_float

    cp = Compiled(read_pb(path))
    cands, free = mes_candidates(cp)
    for b in (cp.budget, cp.budget + 3 * cp.scale * max(cp.n_voters, 1)):
        fl = run_mes_float(cp, b, cands, free)
        if fl is None:
            continue
        full = run_mes(cp, b, record=True)
        replay = run_mes(cp, b, record=True, forced=fl.order)
        assert replay.order == full.order
        assert replay.rounds == full.rounds
        assert replay.leftover == full.leftover


def test_add1_pauses_the_cyclic_gc_and_restores_it(monkeypatch):
    """mes-add1 runs with the cyclic garbage collector paused and leaves it as it found it (on or off,
    also when the computation raises)."""
    import gc

    from allmende.outcomes import rules

    seen = []
    real = rules._add1

    def spy(cp, jump, fast):
        seen.append(gc.isenabled())
        return real(cp, jump, fast)

    def boom(cp, jump, fast):
        raise RuntimeError("boom")

    inst = read_pb(DATA / "Netherlands_Assen_2024.pb")
    was = gc.isenabled()
    try:
        for start in (True, False):
            (gc.enable if start else gc.disable)()
            monkeypatch.setattr(rules, "_add1", spy)
            mes_add1(Compiled(inst))
            assert seen[-1] is False and gc.isenabled() is start
            monkeypatch.setattr(rules, "_add1", boom)
            with pytest.raises(RuntimeError):
                mes_add1(Compiled(inst))
            assert gc.isenabled() is start
    finally:
        (gc.enable if was else gc.disable)()


def _phragmen_every_project_exactly(cp):
    """Phragmén with the float pre-selection switched off: every project's new load evaluated exactly."""
    with mock.patch("allmende.outcomes.rules._phragmen_slack", return_value=math.inf):
        return compute(cp, "phragmen")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(approval_only=True, max_voters=14, max_projects=8), st.sampled_from(TIES))
def test_phragmen_float_preselection_decides_as_exact(inst, tie):
    """Small integers make exact ties between new loads common (1/3 + 1/3 + 1/3 against 1 in floats)."""
    cp = Compiled(inst, tie)
    fast, exact = compute(cp, "phragmen"), _phragmen_every_project_exactly(cp)
    assert fast.order == exact.order
    assert fast.explanations == exact.explanations


@pytest.mark.parametrize("path", data_files(), ids=lambda p: p.name)
def test_phragmen_float_preselection_decides_as_exact_files(path):
    inst = read_pb(path)
    cp = Compiled(inst)
    if not inst.approval_like:
        with pytest.raises(ValueError, match="approval-like"):
            compute(cp, "phragmen")
        return
    fast, exact = compute(cp, "phragmen"), _phragmen_every_project_exactly(cp)
    assert fast.order == exact.order
    assert fast.explanations == exact.explanations


def test_phragmen_exact_tie_that_floats_split():
    """After x (cost 20, 200 supporters: a load of 1/10 each), a's 100 supporters (one ballot) and b's
    100 (a hundred different ballots) carry 10 each: the same new load 3/10 for a and b (cost 20), which
    floats take apart (100 * 0.1 is 10.0, a hundred additions of 0.1 give 9.99999999999998). The tie
    goes to a (same cost and supporters: the id), and the budget leaves room for one of them."""
    dummies = [f"d{i}" for i in range(7)]  # more expensive than the budget: they only tell ballots apart
    ballots = [("x", "a")] * 100 + [
        ("x", "b", *(d for bit, d in enumerate(dummies) if i >> bit & 1)) for i in range(100)
    ]
    costs = {"x": 20, "a": 20, "b": 20} | dict.fromkeys(dummies, 100)
    inst = Instance(
        meta={"budget": "40", "vote_type": "approval"},
        projects={p: Project(p, c) for p, c in costs.items()},
        voters=[Voter(str(i), vote) for i, vote in enumerate(ballots)],
        budget=40,
        vote_type="approval",
        voter_columns=["voter_id", "vote"],
    )
    out = compute(Compiled(inst), "phragmen")
    assert out.order == ["x", "a"]
    assert out.explanations["a"]["load"] == Fraction(3, 10)
    assert sorted(out.selected) == reference(inst, "phragmen", "equalshares")
