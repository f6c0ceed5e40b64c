"""Money granted sits in a budget line or on the grants list (unless the motion is rejected): one rule,
`Decision.money_errors`, applied by the staff pages (through the services), by the admin (through
`Decision.clean`) and, as far as it goes, by the database."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from allmende.accountability import services
from allmende.accountability.models import BudgetLine, Decision, Faction, Motion
from allmende.accounts import roles
from allmende.rounds.permissions import ActionRefused

DAY = datetime.date(2030, 3, 29)


@pytest.fixture
def motion(rating_round):
    faction = Faction.objects.create(name="Grüne Liste")
    return Motion.objects.create(round=rating_round, faction=faction, number="ÄA-1", title="t", date=DAY)


@pytest.fixture
def line(db):
    return BudgetLine.objects.create(year=2031, code="31.50.01", name="Integration", amount_cents=100)


def rule(**changes):
    values = {
        "outcome": "adopted",
        "amount_granted_cents": 500,
        "has_budget_line": False,
        "grant_recipient": "",
    }
    return Decision.money_errors(**{**values, **changes})


def test_the_rule():
    assert "amount_granted_cents" in rule()
    assert rule(has_budget_line=True) == {}
    assert rule(grant_recipient="Verein") == {}
    assert rule(grant_recipient="  ") != {}
    assert "grant_recipient" in rule(has_budget_line=True, grant_recipient="Verein")
    assert rule(amount_granted_cents=0) == {}
    assert rule(outcome="partly", amount_granted_cents=0) == {}
    assert rule(outcome="rejected", amount_granted_cents=0) == {}
    assert "amount_granted_cents" in rule(outcome="rejected", amount_granted_cents=0, has_budget_line=True)
    assert "amount_granted_cents" in rule(outcome="rejected")
    assert "amount_granted_cents" in rule(amount_granted_cents=-1, has_budget_line=True)


def admin_data(motion, **changes):
    return {
        "motion": motion.pk,
        "outcome": "adopted",
        "date": "2030-03-29",
        "amount_granted_cents": "70000000",
        "budget_line": "",
        "grant_recipient": "",
        **changes,
    }


def test_the_admin_refuses_money_without_a_place(admin_client, motion, line):
    add = reverse("admin:accountability_decision_add")
    response = admin_client.post(add, admin_data(motion))
    assert response.status_code == 200
    assert "Haushaltsposition oder auf der Zuschussliste" in response.content.decode()
    assert not Decision.objects.exists()
    response = admin_client.post(
        add, admin_data(motion, outcome="rejected", budget_line=line.pk, amount_granted_cents="0")
    )
    assert response.status_code == 200 and "abgelehnter Antrag" in response.content.decode()
    assert not Decision.objects.exists()
    response = admin_client.post(add, admin_data(motion, budget_line=line.pk))
    assert response.status_code == 302
    assert Decision.objects.get().budget_line == line


def test_the_admin_accepts_the_grants_list_and_rejection_without_money(admin_client, motion):
    add = reverse("admin:accountability_decision_add")
    assert admin_client.post(add, admin_data(motion, grant_recipient="Verein Brücke e.V.")).status_code == 302
    decision = Decision.objects.get()
    change = reverse("admin:accountability_decision_change", args=[decision.pk])
    response = admin_client.post(change, admin_data(motion, outcome="rejected", amount_granted_cents="0"))
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.outcome, decision.amount_granted_cents) == ("rejected", 0)


def test_the_staff_pages_refuse_it_through_the_service(make_user, motion, line):
    manager = make_user("prozess", role=roles.PROCESS_MANAGER)
    with pytest.raises(ActionRefused, match="Zuschussliste"):
        services.record_decision(manager, motion, outcome="adopted", date=DAY, amount_granted_cents=500)
    with pytest.raises(ActionRefused, match="abgelehnt"):
        services.record_decision(manager, motion, outcome="rejected", date=DAY, budget_line=line)
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "values",
    [
        {"outcome": "adopted", "amount_granted_cents": 500},
        {"outcome": "rejected", "grant_recipient": "Verein"},
        {"outcome": "rejected", "with_line": True},
    ],
)
def test_the_database_refuses_it_too(motion, line, values):
    values = dict(values)
    if values.pop("with_line", False):
        values["budget_line"] = line
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(motion=motion, date=DAY, **values)
