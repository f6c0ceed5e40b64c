import pytest
from django.db import OperationalError
from django.urls import reverse


@pytest.mark.django_db
def test_database_outage_answers_503_with_retry_after(client, rating_round, monkeypatch):
    from allmende.proposals import queries

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(queries, "proposal_page", down)
    response = client.get(reverse("proposals:list", args=[rating_round.slug]))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Bitte versuchen Sie es in einigen Sekunden" in response.content.decode()


@pytest.mark.django_db
def test_other_errors_stay_errors(client, rating_round, monkeypatch):
    from allmende.proposals import queries

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(queries, "proposal_page", broken)
    client.raise_request_exception = False
    assert client.get(reverse("proposals:list", args=[rating_round.slug])).status_code == 500
