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


@pytest.mark.django_db
def test_objects_are_the_models_the_orm_would_load():
    round_ = make_round(slug="eins")
    proposal = make_proposal(round_)
    query = Precompiled(_by_number, _ROUND, _NUMBER)
    (found,) = query.objects(round_.pk, proposal.number)
    expected = Proposal.objects.get(pk=proposal.pk)
    fields = [f.attname for f in Proposal._meta.concrete_fields]
    assert [getattr(found, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert found.created_at.tzinfo is not None  # converted as the ORM converts it (SQLite stores text)
    assert not found._state.adding and found._state.db == "default"
    assert query.objects(round_.pk, proposal.number + 1) == []


def test_objects_needs_one_models_own_columns(db):
    query = Precompiled(lambda pk: Proposal.objects.filter(pk=pk).select_related("round"), _ROUND)
    with pytest.raises(ValueError, match="own columns"):
        query.objects(1)
