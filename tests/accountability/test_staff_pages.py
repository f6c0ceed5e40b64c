"""The staff pages outside the admin (/verwaltung/<round>/…): who may open them, what they refuse with
a message in the error summary, and that a refused action leaves nothing half-saved."""

import datetime

import pytest
from django.urls import reverse

from allmende.accountability import services
from allmende.accountability.models import (
    Answer,
    AnswerState,
    BudgetLine,
    CouncilPaper,
    Decision,
    Milestone,
    Motion,
    Retrospective,
    Selection,
)
from allmende.accounts import roles
from allmende.moderation.models import AuditEntry
from allmende.rounds.models import Phase
from tests.factories import make_proposal, make_round

DAY = datetime.date(2030, 3, 14)


def errors(response):
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert "data-error-summary" in html
    return html


# --- who may open what ----------------------------------------------------------------------------

MANAGER_PAGES = [
    ("accountability:answer_states", {}),
    ("accountability:motions", {}),
    ("accountability:motion_add", {}),
    ("accountability:implementation", {}),
    ("accountability:selection_staff", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), MANAGER_PAGES)
@pytest.mark.parametrize(
    "role", [roles.RESIDENT, roles.MODERATOR, roles.ADMINISTRATION, roles.COUNCIL_MEMBER]
)
def test_manager_pages_are_forbidden_for_other_roles(client, make_user, rating_round, name, kwargs, role):
    client.force_login(make_user("x", role=role))
    url = reverse(name, kwargs={"slug": rating_round.slug, **kwargs})
    response = client.get(url)
    assert response.status_code == 403
    assert "Prozessverantwortliche" in response.content.decode()
    assert client.post(url, {}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, rating_round):
    response = client.get(reverse("accountability:staff", args=[rating_round.slug]))
    assert response.status_code == 302 and "/konto/" in response["Location"]


def test_overview_shows_each_role_its_own_links(client, make_user, administration, manager, rating_round):
    url = reverse("accountability:staff", args=[rating_round.slug])
    client.force_login(make_user("anna"))
    assert client.get(url).status_code == 403
    client.force_login(administration)
    html = client.get(url).content.decode()
    assert reverse("accountability:answers", args=[rating_round.slug]) in html
    assert reverse("accountability:motions", args=[rating_round.slug]) not in html
    client.force_login(manager)
    html = client.get(url).content.decode()
    for name in ("motions", "selection_staff", "implementation", "answer_states", "handover_csv"):
        assert reverse(f"accountability:{name}", args=[rating_round.slug]) in html
    assert reverse("accountability:answers", args=[rating_round.slug]) not in html


def test_round_page_links_staff_overview_for_staff_only(client, make_user, manager, rating_round):
    staff_link = reverse("accountability:staff", args=[rating_round.slug])
    assert staff_link not in client.get(rating_round.get_absolute_url()).content.decode()
    client.force_login(make_user("anna"))
    assert staff_link not in client.get(rating_round.get_absolute_url()).content.decode()
    client.force_login(manager)
    assert staff_link in client.get(rating_round.get_absolute_url()).content.decode()


def test_round_page_links_selection_and_handover_once_rating_has_ended(client, db):
    rating = make_round("bh-rating")
    answers = make_round("bh-answers", phase=Phase.Kind.ANSWERS)
    csv_link = reverse("accountability:handover_csv", args=[answers.slug])
    html = client.get(answers.get_absolute_url()).content.decode()
    assert csv_link in html
    assert reverse("accountability:selection", args=[answers.slug]) in html
    assert reverse("accountability:handover_pdf", args=[answers.slug]) in html
    html = client.get(rating.get_absolute_url()).content.decode()
    assert reverse("accountability:handover_csv", args=[rating.slug]) not in html


# --- answer states --------------------------------------------------------------------------------


def test_a_new_round_starts_with_the_default_answer_states(rating_round):
    states = list(rating_round.answer_states.order_by("position"))
    assert [s.code for s in states] == [
        "in_review",
        "feasible",
        "not_feasible",
        "already_planned",
        "not_responsible",
    ]
    assert [s.label for s in states][:3] == ["wird geprüft", "umsetzbar", "nicht umsetzbar"]
    assert [s.code for s in states if s.requires_reason] == ["not_feasible"]


def test_administration_may_not_change_the_list(client, administration, rating_round):
    client.force_login(administration)
    url = reverse("accountability:answer_states", args=[rating_round.slug])
    assert client.post(url, {"label": "vertagt", "code": "postponed"}).status_code == 403
    assert not AnswerState.objects.filter(code="postponed").exists()


def test_manager_adds_an_answer_state_that_the_answer_form_offers(
    manager_client, administration, client, rating_round, proposal
):
    url = reverse("accountability:answer_states", args=[rating_round.slug])
    response = manager_client.post(
        url, {"label": "vertagt", "code": "postponed", "requires_reason": "on", "position": "6"}
    )
    assert response.status_code == 302
    state = AnswerState.objects.get(round=rating_round, code="postponed")
    assert state.requires_reason and state.label == "vertagt"
    assert AuditEntry.objects.filter(action="answer_state_saved").exists()
    client.force_login(administration)
    answer_url = reverse("accountability:answer_edit", args=[rating_round.slug, proposal.number])
    assert 'value="postponed"' in client.get(answer_url).content.decode()
    html = errors(client.post(answer_url, {"state": "postponed", "answered_on": "2030-01-01"}))
    assert "vertagt" in html
    assert not Answer.objects.exists()
    # Another round's list is its own.
    other = make_round("bh-andere")
    assert not other.answer_states.filter(code="postponed").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"label": "", "code": "x"}, "Bezeichnung"),
        ({"label": "Neu", "code": "mit leerzeichen"}, "Buchstaben"),
        ({"label": "Umsetzbar", "code": "anders"}, "umsetzbar"),
        ({"label": "Ganz neu", "code": "feasible"}, "feasible"),
    ],
)
def test_answer_state_errors(manager_client, rating_round, data, message):
    url = reverse("accountability:answer_states", args=[rating_round.slug])
    html = errors(manager_client.post(url, data))
    assert message in html
    assert rating_round.answer_states.count() == 5


def test_a_reason_becomes_required_only_when_every_answer_gives_one(
    manager_client, administration, rating_round
):
    first, second = make_proposal(rating_round), make_proposal(rating_round)
    services.save_answer(administration, first, state="feasible", answered_on=DAY)
    services.save_answer(administration, second, state="feasible", text="Weil.", answered_on=DAY)
    feasible = rating_round.answer_states.get(code="feasible")
    url = reverse("accountability:answer_state_edit", args=[rating_round.slug, feasible.pk])
    data = {"label": "umsetzbar", "code": "feasible", "requires_reason": "on", "position": "2"}
    html = errors(manager_client.post(url, data))
    assert "1 Stellungnahmen" in html or "1 answers" in html
    feasible.refresh_from_db()
    assert not feasible.requires_reason
    assert not Answer.objects.filter(reason_required=True).exists()
    services.save_answer(administration, first, state="feasible", text="Jetzt mit Grund.", answered_on=DAY)
    assert manager_client.post(url, data).status_code == 302
    assert Answer.objects.filter(reason_required=True).count() == 2


def test_used_answer_states_cannot_be_removed(manager_client, administration, proposal):
    round_ = proposal.round
    services.save_answer(administration, proposal, state="in_review", answered_on=DAY)
    used = round_.answer_states.get(code="in_review")
    unused = round_.answer_states.get(code="already_planned")
    manager_client.post(reverse("accountability:answer_state_delete", args=[round_.slug, used.pk]))
    manager_client.post(reverse("accountability:answer_state_delete", args=[round_.slug, unused.pk]))
    assert set(round_.answer_states.values_list("code", flat=True)) == {
        "in_review",
        "feasible",
        "not_feasible",
        "not_responsible",
    }


# --- motions ---------------------------------------------------------------------------------------


def motion_data(**changes):
    return {
        "faction": "",
        "number": "ÄA-12",
        "title": "Integrationsmanagement",
        "date": "2030-03-14",
        "paper_reference": "",
        "proposals": "",
        "amount_asked": "700.000",
        **changes,
    }


def test_manager_records_a_motion_taking_up_proposals_by_number_and_reference(
    manager_client, faction, rating_round, notified
):
    first, second = make_proposal(rating_round), make_proposal(rating_round)
    CouncilPaper.objects.create(reference="G-17/074", title="Haushalt")
    url = reverse("accountability:motion_add", args=[rating_round.slug])
    response = manager_client.post(
        url,
        motion_data(faction=faction.pk, paper_reference="g-17/074", proposals=f"1, {second.reference}"),
    )
    assert response.status_code == 302
    motion = Motion.objects.get()
    assert set(motion.proposals.all()) == {first, second}
    assert motion.amount_asked_cents == 70_000_000
    assert motion.paper.reference == "G-17/074"
    assert sorted((kind, pk) for kind, pk, _kw in notified) == [
        ("state_changed", first.pk),
        ("state_changed", second.pk),
    ]
    listing = manager_client.get(reverse("accountability:motions", args=[rating_round.slug])).content.decode()
    assert "ÄA-12" in listing and second.reference in listing


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"proposals": "1, 99"}, "99"),
        ({"proposals": "XY-0001"}, "XY-0001"),
        ({"paper_reference": "G-99/999"}, "G-99/999"),
        ({"amount_asked": "viel"}, "Euro"),
        ({"title": ""}, "Titel"),
        ({"date": "gestern"}, "Datum"),
        ({"faction": ""}, "Fraktion"),
    ],
)
def test_motion_errors_save_nothing(manager_client, faction, rating_round, notified, changes, message):
    make_proposal(rating_round)
    url = reverse("accountability:motion_add", args=[rating_round.slug])
    html = errors(
        manager_client.post(url, motion_data(**{"faction": faction.pk, "proposals": "1", **changes}))
    )
    assert message in html
    assert not Motion.objects.exists() and notified == []


def test_motion_numbers_stay_unique_per_faction(manager, manager_client, faction, rating_round):
    services.save_motion(manager, rating_round, faction=faction, number="ÄA-12", title="Erster", date=DAY)
    url = reverse("accountability:motion_add", args=[rating_round.slug])
    html = errors(manager_client.post(url, motion_data(faction=faction.pk)))
    assert "ÄA-12" in html
    assert Motion.objects.get().title == "Erster"


def test_editing_a_motion_changes_its_proposals_and_tells_only_new_ones(
    manager, manager_client, faction, rating_round, notified
):
    first, second = make_proposal(rating_round), make_proposal(rating_round)
    motion = services.save_motion(
        manager, rating_round, faction=faction, number="1", title="Alt", date=DAY, proposals=[first]
    )
    notified.clear()
    url = reverse("accountability:motion_edit", args=[rating_round.slug, motion.pk])
    assert "BH2030-0001" in manager_client.get(url).content.decode()
    response = manager_client.post(
        url, motion_data(faction=faction.pk, number="1", title="Neu", proposals="2")
    )
    assert response.status_code == 302
    motion.refresh_from_db()
    assert motion.title == "Neu" and list(motion.proposals.all()) == [second]
    assert [(kind, pk) for kind, pk, _kw in notified] == [("state_changed", second.pk)]
    assert AuditEntry.objects.filter(action="motion_drops", proposal=first).exists()


def test_a_motion_of_another_round_is_not_found(manager, manager_client, faction, rating_round):
    other = make_round("bh-andere")
    motion = services.save_motion(manager, other, faction=faction, number="1", title="t", date=DAY)
    url = reverse("accountability:motion_edit", args=[rating_round.slug, motion.pk])
    assert manager_client.get(url).status_code == 404


# --- decisions --------------------------------------------------------------------------------------


def decision_data(**changes):
    return {
        "outcome": "adopted",
        "date": "2030-03-29",
        "paper_reference": "",
        "amount_granted": "700.000",
        "place": "budget",
        "line_year": "2031",
        "line_level": "product",
        "line_code": "31.50.01",
        "line_name": "Integrationsmanagement",
        "line_amount": "700.000",
        "grant_recipient": "",
        **changes,
    }


@pytest.fixture
def motion(manager, faction, proposal):
    return services.save_motion(
        manager, proposal.round, faction=faction, number="ÄA-12", title="t", date=DAY, proposals=[proposal]
    )


def test_decision_with_a_budget_line_tells_followers(manager_client, motion, proposal, notified):
    notified.clear()
    url = reverse("accountability:decision_edit", args=[proposal.round.slug, motion.pk])
    assert manager_client.post(url, decision_data()).status_code == 302
    decision = Decision.objects.get(motion=motion)
    assert decision.amount_granted_cents == 70_000_000
    assert (decision.budget_line.code, decision.budget_line.year) == ("31.50.01", 2031)
    assert decision.budget_line.amount_cents == 70_000_000
    assert [(kind, pk) for kind, pk, _kw in notified] == [("state_changed", proposal.pk)]
    # Changing it to the grants list keeps one decision.
    response = manager_client.post(url, decision_data(place="grants", grant_recipient="Verein Brücke e.V."))
    assert response.status_code == 302
    decision = Decision.objects.get(motion=motion)
    assert decision.budget_line is None and decision.grant_recipient == "Verein Brücke e.V."


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"line_code": ""}, "Code"),
        ({"line_name": ""}, "Namen"),
        ({"place": "grants"}, "Empfänger"),
        ({"outcome": ""}, "Ergebnis"),
        ({"outcome": "rejected"}, "abgelehnt"),
        ({"place": "", "line_code": ""}, "Geld"),
        ({"paper_reference": "G-99/999"}, "G-99/999"),
    ],
)
def test_decision_errors_save_nothing(manager_client, motion, proposal, notified, changes, message):
    notified.clear()
    url = reverse("accountability:decision_edit", args=[proposal.round.slug, motion.pk])
    html = errors(manager_client.post(url, decision_data(**changes)))
    assert message in html
    assert not Decision.objects.exists()
    assert not BudgetLine.objects.exists()  # the line of a refused decision is not kept either
    assert notified == []


def test_a_rejected_motion_without_money(manager_client, motion, proposal):
    url = reverse("accountability:decision_edit", args=[proposal.round.slug, motion.pk])
    data = decision_data(outcome="rejected", amount_granted="", place="")
    assert manager_client.post(url, data).status_code == 302
    assert Decision.objects.get().outcome == "rejected"


# --- milestones and retrospective ------------------------------------------------------------------


def test_milestones_are_added_and_changed(manager_client, proposal):
    url = reverse("accountability:proposal_implementation", args=[proposal.round.slug, proposal.number])
    html = errors(manager_client.post(url, {"date": "2030-05-01", "text": "Start", "progress": "150"}))
    assert "0 bis 100" in html
    assert not Milestone.objects.exists()
    response = manager_client.post(url, {"date": "2030-05-01", "text": "Start", "progress": "40"})
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    edit = reverse("accountability:milestone_edit", args=[proposal.round.slug, proposal.number, milestone.pk])
    assert 'value="Start"' in manager_client.get(edit).content.decode() or "Start</textarea>" in (
        manager_client.get(edit).content.decode()
    )
    errors(manager_client.post(edit, {"date": "2030-06-01", "text": "", "progress": "60"}))
    milestone.refresh_from_db()
    assert milestone.text == "Start"
    assert (
        manager_client.post(edit, {"date": "2030-06-01", "text": "Läuft", "progress": "60"}).status_code
        == 302
    )
    milestone.refresh_from_db()
    assert (milestone.text, milestone.progress, milestone.date) == ("Läuft", 60, datetime.date(2030, 6, 1))
    assert AuditEntry.objects.filter(action="milestone_changed").exists()
    listing = manager_client.get(reverse("accountability:implementation", args=[proposal.round.slug]))
    assert proposal.reference in listing.content.decode()


def test_retrospective_is_written_on_its_page(manager_client, proposal):
    url = reverse("accountability:retrospective_edit", args=[proposal.round.slug, proposal.number])
    data = {
        "status_date": "2018-12-01",
        "implementation": "done",
        "is_success": "on",
        "text": "## Was daraus wurde",
        "costs_text": "ca. 700.000 Euro/Jahr",
    }
    html = errors(manager_client.post(url, {**data, "status_date": ""}))
    assert "Stand" in html
    assert not Retrospective.objects.exists()
    assert manager_client.post(url, data).status_code == 302
    entry = Retrospective.objects.get()
    assert entry.is_success and entry.implementation == "done" and entry.costs_text == "ca. 700.000 Euro/Jahr"
    detail = reverse("accountability:retrospective_detail", args=[proposal.round.slug, proposal.number])
    assert detail in manager_client.get(url).content.decode()


def test_hidden_proposals_have_no_staff_pages(manager_client, rating_round):
    hidden = make_proposal(rating_round, state="hidden", hidden_reason="Werbung")
    for name in ("proposal_implementation", "retrospective_edit"):
        assert (
            manager_client.get(
                reverse(f"accountability:{name}", args=[rating_round.slug, hidden.number])
            ).status_code
            == 404
        )


# --- selection ------------------------------------------------------------------------------------


def test_selection_rule_is_chosen_then_computed_and_frozen(manager_client, db):
    round_ = make_round("bh-auswahl", phase=Phase.Kind.ANSWERS)
    for supports in (5, 3, 1):
        make_proposal(round_, support_count=supports)
    url = reverse("accountability:selection_staff", args=[round_.slug])
    html = errors(manager_client.post(url, {"rule": "top_n", "top_n": ""}))
    assert "N" in html
    assert not Selection.objects.exists()
    assert manager_client.post(url, {"rule": "top_n", "top_n": "2"}).status_code == 302
    assert Selection.objects.get().top_n == 2
    response = manager_client.post(reverse("accountability:selection_freeze", args=[round_.slug]))
    assert response.status_code == 302
    selection = Selection.objects.get()
    assert selection.frozen_at and selection.entries.count() == 2
    html = manager_client.get(url).content.decode()
    assert "BH2030-0001" in html and 'name="rule"' not in html
    # Frozen: the rule cannot change any more.
    html = errors(manager_client.post(url, {"rule": "all"}))
    assert Selection.objects.get().rule == "top_n"


def test_selection_cannot_be_frozen_while_rating_runs(manager_client, rating_round):
    response = manager_client.post(
        reverse("accountability:selection_freeze", args=[rating_round.slug]), follow=True
    )
    assert response.status_code == 200
    assert "Bewertungsphase" in response.content.decode() or "rating phase" in response.content.decode()
    assert not Selection.objects.filter(frozen_at__isnull=False).exists()
