"""The phase × action × role table, through rounds.permissions.can()."""

import pytest
from django.contrib.auth.models import AnonymousUser

from allmende.rounds.models import Phase, Round
from allmende.rounds.permissions import PHASE_ACTIONS, Action, can
from tests.factories import make_proposal, make_round

Kind = Phase.Kind


@pytest.mark.django_db
@pytest.mark.parametrize("phase", list(Kind))
@pytest.mark.parametrize("action", [Action.PROPOSE, Action.SUPPORT, Action.COMMENT, Action.REPORT])
def test_phase_opens_exactly_its_actions(make_user, phase, action):
    round_ = make_round(phase=phase, support_during_proposals=False)
    resident = make_user("anna")
    decision = can(resident, action, round_)
    assert bool(decision) == (action in PHASE_ACTIONS[phase])
    if not decision:
        assert decision.reason  # a clear message, never a bare refusal


@pytest.mark.django_db
def test_freiburg_rounds_support_during_the_proposal_phase(make_user):
    freiburg = make_round("fr", phase=Kind.PROPOSALS, support_during_proposals=True)
    koeln = make_round("k", phase=Kind.PROPOSALS, support_during_proposals=False)
    resident = make_user("anna")
    assert can(resident, Action.SUPPORT, freiburg)
    assert not can(resident, Action.SUPPORT, koeln)


@pytest.mark.django_db
def test_anonymous_and_blocked_people_may_not_act(make_user):
    round_ = make_round(phase=Kind.PROPOSALS)
    assert not can(AnonymousUser(), Action.PROPOSE, round_)
    blocked = make_user("gesperrt", is_active=False)
    assert "blocked" in str(can(blocked, Action.PROPOSE, round_).reason) or "gesperrt" in str(
        can(blocked, Action.PROPOSE, round_).reason
    )


@pytest.mark.django_db
def test_only_the_author_edits_and_only_until_the_first_support(make_user):
    round_ = make_round(phase=Kind.PROPOSALS)
    author, other = make_user("autorin"), make_user("bernd")
    proposal = make_proposal(round_, author=author)
    assert can(author, Action.EDIT, round_, proposal)
    assert not can(other, Action.EDIT, round_, proposal)
    assert not can(other, Action.WITHDRAW, round_, proposal)
    proposal.support_count = 1
    assert not can(author, Action.EDIT, round_, proposal)
    assert can(author, Action.WITHDRAW, round_, proposal)


@pytest.mark.django_db
def test_hidden_or_merged_proposals_cannot_be_supported(make_user):
    round_ = make_round(mode=Round.RatingMode.SUPPORT)
    resident = make_user("anna")
    for state in ("hidden", "merged", "withdrawn", "pending"):
        proposal = make_proposal(
            round_, state=state, merged_into=make_proposal(round_) if state == "merged" else None
        )
        assert not can(resident, Action.SUPPORT, round_, proposal)
