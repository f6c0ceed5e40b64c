"""Rate limits on posting, supporting, commenting and reporting, counted in the shared cache."""

import pytest

from allmende.comments import services as comments
from allmende.proposals import services as proposals
from allmende.proposals.services import ActionRefused


@pytest.mark.django_db
def test_commenting_is_limited_per_person(proposal, make_user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment": "3/60"}
    anna, bernd = make_user("anna"), make_user("bernd")
    for index in range(3):
        comments.post_comment(anna, proposal, f"Kommentar {index}")
    with pytest.raises(ActionRefused, match="sehr oft"):
        comments.post_comment(anna, proposal, "einer zu viel")
    comments.post_comment(bernd, proposal, "andere Person, eigenes Kontingent")


@pytest.mark.django_db
def test_supporting_is_limited_and_refusal_counts_nothing(proposal, make_user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "rate": "2/60"}
    anna = make_user("anna")
    proposals.rate(anna, proposal)
    proposals.unrate(anna, proposal)
    with pytest.raises(ActionRefused):
        proposals.rate(anna, proposal)
    proposal.refresh_from_db()
    assert proposal.support_count == 0


@pytest.mark.django_db
def test_limits_are_shared_across_servers_through_redis(proposal, make_user, settings):
    """Two app servers share one cache: what one counted, the other sees."""
    from tests.conftest import redis_test_backend

    server_a, server_b = redis_test_backend(), redis_test_backend()
    server_a.clear()
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment": "2/60"}
    from allmende import ratelimit

    anna = make_user("anna")
    original = ratelimit.cache
    try:
        ratelimit.cache = server_a
        assert ratelimit.hit("comment", anna)
        ratelimit.cache = server_b
        assert ratelimit.hit("comment", anna)
        assert not ratelimit.hit("comment", anna)
    finally:
        ratelimit.cache = original
        server_a.clear()
