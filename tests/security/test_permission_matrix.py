"""Every role × every action × every phase, through the real views, against rounds/permissions.py's
table: what the table allows happens; what it refuses leaves the database unchanged and gives a
message, never a 500."""

import pytest
from django.urls import reverse

from allmende.accounts import roles
from allmende.comments.models import Comment
from allmende.moderation.models import Report
from allmende.proposals.models import Proposal, Support
from allmende.rounds.models import Phase
from allmende.rounds.permissions import PHASE_ACTIONS, Action
from tests.factories import make_proposal, make_round

ROLES = [
    "anonymous",
    roles.RESIDENT,
    roles.MODERATOR,
    roles.ADMINISTRATION,
    roles.COUNCIL_MEMBER,
    roles.PROCESS_MANAGER,
    "blocked",
]


def person(make_user, role):
    if role == "anonymous":
        return None
    if role == "blocked":
        from django.utils import timezone

        return make_user("gesperrt", blocked_at=timezone.now(), blocked_reason="Test")
    return make_user(f"p-{role}", role=role, is_staff=role in (roles.MODERATOR, roles.PROCESS_MANAGER))


def phase_allows(phase, action):
    return action in PHASE_ACTIONS[Phase.Kind(phase)]


def proposal_form(round_, title):
    return {
        "title": title,
        "summary": "Kurz",
        "description": "Lang",
        "direction": "more",
        "topic": round_.topics.first().pk,
        "cost": "",
        "cost_period": "",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("phase", list(Phase.Kind))
@pytest.mark.parametrize("role", ROLES)
def test_matrix(client, make_user, role, phase):
    round_ = make_round("matrix", phase=phase, support_during_proposals=False)
    actor = person(make_user, role)
    participant = actor is not None and role != "blocked"
    other = make_proposal(round_, author=make_user("andere"), title="Fremd")
    own = make_proposal(round_, author=actor, title="Eigen") if actor else None
    if actor:
        client.force_login(actor)
    slug = round_.slug

    def ok(response):
        assert response.status_code < 500, response.status_code

    # propose
    ok(client.post(reverse("proposals:create", args=[slug]), proposal_form(round_, "Neu")))
    assert Proposal.objects.filter(title="Neu").exists() == (
        participant and phase_allows(phase, Action.PROPOSE)
    )
    # support someone else's proposal
    ok(client.post(reverse("proposals:rate", args=[slug, other.number]), {"value": "1"}))
    assert Support.objects.filter(proposal=other).exists() == (
        participant and phase_allows(phase, Action.SUPPORT)
    )
    # comment
    ok(client.post(reverse("comments:post", args=[slug, other.number]), {"body": "Hallo"}))
    assert Comment.objects.filter(proposal=other).exists() == (
        participant and phase_allows(phase, Action.COMMENT)
    )
    # report
    ok(client.post(reverse("moderation:report", args=["vorschlag", other.pk]), {"reason": "off_topic"}))
    assert Report.objects.filter(proposal=other).exists() == (
        participant and phase_allows(phase, Action.REPORT)
    )
    # edit and withdraw someone else's proposal: never
    ok(client.post(reverse("proposals:edit", args=[slug, other.number]), proposal_form(round_, "Gekapert")))
    ok(client.post(reverse("proposals:withdraw", args=[slug, other.number])))
    other.refresh_from_db()
    assert (other.title, other.state) == ("Fremd", "published")
    if own is None:
        return
    # edit own (only before any support) and withdraw own
    ok(client.post(reverse("proposals:edit", args=[slug, own.number]), proposal_form(round_, "Geändert")))
    own.refresh_from_db()
    assert (own.title == "Geändert") == (participant and phase_allows(phase, Action.EDIT))
    ok(client.post(reverse("proposals:withdraw", args=[slug, own.number])))
    own.refresh_from_db()
    assert (own.state == "withdrawn") == (participant and phase_allows(phase, Action.WITHDRAW))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_hidden_and_pending_items_are_readable_only_by_author_and_moderation(client, make_user, role):
    round_ = make_round("sichtbar")
    author = make_user("autorin")
    hidden = make_proposal(round_, author=author, state="hidden", hidden_reason="Werbung", title="Versteckt")
    pending = make_proposal(round_, author=author, state="pending", title="Wartend")
    actor = person(make_user, role)
    if actor:
        client.force_login(actor)
    may_see = role == roles.MODERATOR
    for proposal in (hidden, pending):
        assert client.get(proposal.get_absolute_url()).status_code == (200 if may_see else 404)
    listing = client.get(reverse("proposals:list", args=[round_.slug])).content.decode()
    assert "Versteckt" not in listing and "Wartend" not in listing
    client.force_login(author)
    assert client.get(hidden.get_absolute_url()).status_code == 200


# The staff pages under /verwaltung/<round>/: who may open and post to which (rounds/permissions.py:
# can_use_staff_pages, can_answer, can_manage_council, can_manage_answer_states). A refusal is a 403
# with its reason (or the sign-in page for anonymous visitors) and changes nothing.
STAFF_PAGES = {
    # url name: roles that may use it
    "staff": {roles.ADMINISTRATION, roles.PROCESS_MANAGER},
    "answers": {roles.ADMINISTRATION},
    "answer_states": {roles.PROCESS_MANAGER},
    "motions": {roles.PROCESS_MANAGER},
    "motion_add": {roles.PROCESS_MANAGER},
    "implementation": {roles.PROCESS_MANAGER},
    "selection_staff": {roles.PROCESS_MANAGER},
    "factions": {roles.PROCESS_MANAGER},
    "papers": {roles.PROCESS_MANAGER},
    "paper_add": {roles.PROCESS_MANAGER},
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_staff_pages_by_role(client, make_user, role):
    import datetime

    from allmende.accountability.models import (
        AnswerState,
        CouncilPaper,
        Faction,
        Milestone,
        Motion,
        Retrospective,
        Selection,
    )

    round_ = make_round("staff-matrix")
    proposal = make_proposal(round_, author=make_user("andere"))
    mistake = Milestone.objects.create(proposal=proposal, date=datetime.date(2030, 1, 1), text="Versehen")
    actor = person(make_user, role)
    if actor:
        client.force_login(actor)
    for name, allowed in STAFF_PAGES.items():
        response = client.get(reverse(f"accountability:{name}", args=[round_.slug]))
        if actor is None:
            assert response.status_code == 302, name
        else:
            assert response.status_code == (200 if role in allowed else 403), (name, response.status_code)
    per_proposal = {
        "proposal_implementation": {"date": "2030-01-01", "text": "x", "progress": "1"},
        "retrospective_edit": {"status_date": "2030-01-01", "implementation": "done"},
    }
    for name, data in per_proposal.items():
        response = client.post(reverse(f"accountability:{name}", args=[round_.slug, proposal.number]), data)
        assert response.status_code < 500
    client.post(reverse("accountability:answer_states", args=[round_.slug]), {"label": "neu", "code": "neu"})
    client.post(reverse("accountability:selection_staff", args=[round_.slug]), {"rule": "all"})
    client.post(
        reverse("accountability:motion_add", args=[round_.slug]),
        {"faction": "", "number": "1", "title": "t", "date": "2030-01-01"},
    )
    client.post(reverse("accountability:factions", args=[round_.slug]), {"name": "Neue Fraktion"})
    client.post(reverse("accountability:paper_add", args=[round_.slug]), {"reference": "N-1/001"})
    client.post(reverse("accountability:milestone_delete", args=[round_.slug, proposal.number, mistake.pk]))
    manager = role == roles.PROCESS_MANAGER
    assert Faction.objects.filter(name="Neue Fraktion").exists() == manager
    assert CouncilPaper.objects.filter(reference="N-1/001").exists() == manager
    assert Milestone.objects.filter(pk=mistake.pk).exists() != manager
    assert proposal.milestones.exclude(pk=mistake.pk).exists() == manager
    assert Retrospective.objects.filter(proposal=proposal).exists() == manager
    assert AnswerState.objects.filter(round=round_, code="neu").exists() == manager
    assert Selection.objects.filter(round=round_).exists() == manager
    assert not Motion.objects.exists()  # no faction chosen: refused for everyone


@pytest.mark.django_db
@pytest.mark.parametrize("phase", [Phase.Kind.RATING, Phase.Kind.CLOSED])
def test_the_report_link_shows_where_a_report_would_be_taken(client, make_user, phase):
    """A proposal's page offers "Report" to signed-in readers other than its author, on published
    proposals, while the phase takes reports (permissions.can with Action.REPORT)."""
    round_ = make_round(phase=phase)
    author = make_user("autorin")
    published = make_proposal(round_, author=author)
    for reader, shown in [(None, False), (author, False), (make_user("anna"), phase == Phase.Kind.RATING)]:
        client.logout()
        if reader is not None:
            client.force_login(reader)
        page = client.get(published.get_absolute_url()).content.decode()
        assert (f"/melden/vorschlag/{published.pk}/" in page) is shown, (reader, phase)
