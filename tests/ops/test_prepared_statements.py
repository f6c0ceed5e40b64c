"""On PostgreSQL the hot queries are prepared once per connection (DB_PREPARED_STATEMENTS, default on):
PostgreSQL then neither parses nor plans them again, which is most of its CPU on a proposal page."""

import pytest
from django.db import connection

from allmende.proposals import queries
from tests.core.test_settings import run_settings


@pytest.mark.postgres
def test_a_repeated_query_is_prepared_on_the_server(proposal):
    round_slug, number = proposal.round.slug, proposal.number
    for _ in range(6):  # psycopg prepares a statement at its fifth run on a connection
        queries.proposal_by_number(round_slug, number)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "proposals_proposal"' in sql and "$1" in sql for sql in prepared), prepared


def _options(**env):
    result = run_settings(
        **env,
        DATABASE_URL="postgres://u@127.0.0.1:5432/allmende",
        PRINT="settings.DATABASES['default'].get('OPTIONS', {})",
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_prepared_statements_are_on_by_default_and_can_be_switched_off_for_a_pooler():
    assert "'prepare_threshold': 5" in _options()
    assert "'server_side_binding': True" in _options()
    assert "prepare_threshold" not in _options(DB_PREPARED_STATEMENTS="false")
