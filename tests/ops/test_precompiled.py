"""Queries compiled once per process (allmende/ops/precompiled.py) run with the values of each call."""

import pytest

from allmende.ops.precompiled import Precompiled
from allmende.proposals.models import Proposal
from tests.factories import make_proposal, make_round

_ROUND, _NUMBER = 7_394_621_000_000_101, 2_147_480_101


def _by_number(round_id, number):
    return Proposal.objects.filter(round_id=round_id, number=number)


@pytest.mark.django_db
def test_each_call_gets_its_own_values_in_the_markers_places():
    first, second = make_round(slug="eins"), make_round(slug="zwei")
    a, b = make_proposal(first), make_proposal(second)
    query = Precompiled(_by_number, _ROUND, _NUMBER)
    assert [p.pk for p in Proposal.objects.raw(*query.sql(first.pk, a.number))] == [a.pk]
    assert [p.pk for p in Proposal.objects.raw(*query.sql(second.pk, b.number))] == [b.pk]
    assert list(Proposal.objects.raw(*query.sql(first.pk, a.number + 1))) == []


def test_a_marker_that_is_not_a_parameter_of_its_own_is_refused(db):
    query = Precompiled(lambda n: Proposal.objects.filter(number=n, round_id=n), _NUMBER)
    with pytest.raises(ValueError, match="appears 2 times"):
        query.sql(5)
