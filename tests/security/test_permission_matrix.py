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
