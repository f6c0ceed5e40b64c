"""Full-text search: German stemming on PostgreSQL, served by the GIN index on a generated column;
words on SQLite."""

import pytest
from django.db import connection

from allmende.proposals.models import Proposal
from allmende.proposals.queries import Filters, _search, filtered
from tests.factories import make_proposal


@pytest.mark.django_db
def test_search_finds_words_in_title_summary_and_description(rating_round):
    make_proposal(rating_round, title="Radwege", summary="kurz", description="lang")
    make_proposal(rating_round, title="Bänke", summary="für den Radweg am Fluss", description="lang")
    make_proposal(rating_round, title="Schule", summary="kurz", description="Sanierung der Turnhalle")
    assert {p.title for p in filtered(rating_round, Filters(q="Turnhalle"))} == {"Schule"}
    assert {p.title for p in filtered(rating_round, Filters(q="Radweg"))} >= {"Bänke"}


@pytest.mark.postgres
@pytest.mark.django_db
def test_german_stemming_and_the_index_is_used(rating_round):
    make_proposal(rating_round, title="Neue Radwege bauen", summary="kurz", description="lang")
    make_proposal(rating_round, title="Spielplätze", summary="kurz", description="lang")
    # "Radweg" finds "Radwege": the German configuration stems both to the same lexeme.
    assert [p.title for p in filtered(rating_round, Filters(q="Radweg"))] == ["Neue Radwege bauen"]
    # The same search expression the list uses, without the other filters (which have their own indexes).
    queryset = _search(Proposal.objects.all(), "Radweg").values("pk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "proposals_search" in plan, plan


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_search_follows_an_edit_and_a_support_leaves_it_alone(rating_round, make_user):
    """The searchable text is a column PostgreSQL generates from title, summary and description: an
    edit is found at once, and a support (which changes only the counters) leaves it as it was."""
    from allmende.proposals import services

    proposal = make_proposal(rating_round, title="Bänke", summary="kurz", description="am Fluss")
    assert [p.pk for p in filtered(rating_round, Filters(q="Fluss"))] == [proposal.pk]
    Proposal.objects.filter(pk=proposal.pk).update(description="im Stadtpark")
    assert not list(filtered(rating_round, Filters(q="Fluss")))
    assert [p.pk for p in filtered(rating_round, Filters(q="Stadtpark"))] == [proposal.pk]
    services.rate(make_user("bert"), proposal)
    assert [p.pk for p in filtered(rating_round, Filters(q="Stadtpark"))] == [proposal.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attgenerated FROM pg_attribute WHERE attrelid = 'proposals_proposal'::regclass "
            "AND attname = 'search_document'"
        )
        assert cursor.fetchone() == ("s",)  # stored, generated
