import datetime

import pytest
from django.db import IntegrityError, transaction

from allmende.accountability import queries, services
from allmende.accountability.models import (
    BudgetLine,
    CouncilPaper,
    Decision,
    Milestone,
    Motion,
    Retrospective,
)
from allmende.moderation.models import AuditEntry
from allmende.rounds.permissions import ActionRefused
from tests.factories import make_proposal, make_round

DAY = datetime.date(2030, 3, 14)


def test_motion_takes_up_proposals_and_tells_followers(manager, faction, proposal, notified):
    CouncilPaper.objects.create(reference="G-17/074", title="Haushalt")
    motion = services.record_motion(
        manager,
        proposal.round,
        faction=faction,
        number="ÄA-1",
        title="Mehr Geld",
        date=DAY,
        paper_reference="g-17/074",
        amount_asked_cents=100,
        proposals=[proposal],
    )
    assert list(motion.proposals.all()) == [proposal]
    assert motion.paper.reference == "G-17/074"
    assert notified[0][0] == "state_changed"
    # Again: same motion, nobody told twice.
    services.record_motion(
        manager,
        proposal.round,
        faction=faction,
        number="ÄA-1",
        title="Mehr Geld",
        date=DAY,
        proposals=[proposal],
    )
    assert Motion.objects.count() == 1
    assert len(notified) == 1
    assert AuditEntry.objects.filter(action="motion_takes_up", proposal=proposal).count() == 1


def test_motion_number_unique_per_faction_and_round(faction, rating_round):
    Motion.objects.create(round=rating_round, faction=faction, number="1", title="a", date=DAY)
    other_round = make_round("bh-other")
    Motion.objects.create(round=other_round, faction=faction, number="1", title="a", date=DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Motion.objects.create(round=rating_round, faction=faction, number="1", title="b", date=DAY)


def test_motion_refuses_unknown_paper_other_round_and_residents(manager, faction, proposal, resident):
    with pytest.raises(ActionRefused):
        services.record_motion(
            manager, proposal.round, faction=faction, number="1", title="t", date=DAY, paper_reference="X-1"
        )
    other = make_proposal(make_round("bh-other"))
    with pytest.raises(ActionRefused):
        services.record_motion(
            manager, proposal.round, faction=faction, number="1", title="t", date=DAY, proposals=[other]
        )
    with pytest.raises(ActionRefused):
        services.record_motion(resident, proposal.round, faction=faction, number="1", title="t", date=DAY)


def test_decision_with_budget_line(manager, faction, proposal, notified):
    motion = services.record_motion(
        manager, proposal.round, faction=faction, number="1", title="t", date=DAY, proposals=[proposal]
    )
    line = services.ensure_budget_line(manager, year=2031, code="31.50", name="Integration", amount_cents=500)
    decision = services.record_decision(
        manager, motion, outcome="adopted", date=DAY, amount_granted_cents=500, budget_line=line
    )
    assert decision.budget_line == line
    kinds = [step.kind for step in queries.timeline(proposal)]
    assert kinds[-3:] == ["motion", "decided", "budget"]


def test_decision_rules(manager, faction, proposal):
    motion = services.record_motion(manager, proposal.round, faction=faction, number="1", title="t", date=DAY)
    line = BudgetLine.objects.create(year=2031, code="1", name="x")
    with pytest.raises(ActionRefused):
        services.record_decision(manager, motion, outcome="rejected", date=DAY, amount_granted_cents=10)
    with pytest.raises(ActionRefused):
        services.record_decision(
            manager, motion, outcome="adopted", date=DAY, budget_line=line, grant_recipient="Verein"
        )
    with pytest.raises(ActionRefused):
        services.record_decision(manager, motion, outcome="maybe", date=DAY)
    services.record_decision(
        manager, motion, outcome="partly", date=DAY, amount_granted_cents=5, grant_recipient="Verein"
    )
    assert Decision.objects.get().grant_recipient == "Verein"


def test_database_constraints(faction, rating_round, proposal):
    motion = Motion.objects.create(round=rating_round, faction=faction, number="1", title="a", date=DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Motion.objects.create(
            round=rating_round, faction=faction, number="2", title="a", date=DAY, amount_asked_cents=-1
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(motion=motion, outcome="rejected", date=DAY, amount_granted_cents=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.create(year=2030, code="1", name="x", amount_cents=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.create(proposal=proposal, date=DAY, text="x", progress=101)


def test_milestones_and_retrospective(manager, proposal, resident):
    with pytest.raises(ActionRefused):
        services.add_milestone(manager, proposal, date=DAY, text="x", progress=120)
    with pytest.raises(ActionRefused):
        services.add_milestone(resident, proposal, date=DAY, text="x", progress=10)
    services.add_milestone(manager, proposal, date=DAY, text="Start", progress=40)
    entry = services.save_retrospective(
        manager,
        proposal,
        status_date=datetime.date(2018, 12, 1),
        is_success=True,
        implementation="done",
        text="## Mehr",
    )
    assert Retrospective.objects.get() == entry
    kinds = [step.kind for step in queries.timeline(proposal)]
    assert kinds[-2:] == ["milestone", "status"]
    assert AuditEntry.objects.filter(action="retrospective_saved").exists()
