"""/healthz: database, cache and task queue; 200 when all answer, 503 naming the part that failed."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max


def health(client):
    response = client.get("/healthz")
    return response, response.json()


@pytest.mark.django_db
def test_all_parts_ok(client):
    response, body = health(client)
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "tasks"}
    assert all(check["status"] == "ok" for check in body["checks"].values())
    assert body["checks"]["tasks"] == {
        **body["checks"]["tasks"],
        "ready": 0,
        "running": 0,
        "oldest_ready_age_s": 0,
    }
    # Never cached, by the proxy or anyone else.
    assert "no-store" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_reports_ready_tasks_and_the_age_of_the_oldest(client):
    for age in (90, 5):
        task = DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="allmende.example.task",
            backend_name="default",
            run_after=get_date_max(),
        )
        DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - timedelta(seconds=age))
    response, body = health(client)
    assert response.status_code == 200
    tasks = body["checks"]["tasks"]
    assert tasks["ready"] == 2
    assert 90 <= tasks["oldest_ready_age_s"] < 120


@pytest.mark.django_db
def test_database_failure_gives_503_and_names_the_database(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused (host db.internal)")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response, body = health(client)
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["checks"]["database"] == {"status": "fail", "error": "OperationalError"}
    assert body["checks"]["tasks"]["status"] == "fail"  # the queue lives in the database
    assert body["checks"]["cache"]["status"] == "ok"
    assert b"db.internal" not in response.content  # details go to the log, not to the public


@pytest.mark.django_db
def test_cache_failure_gives_503_and_names_the_cache(client, monkeypatch):
    def broken_set(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(caches["default"], "set", broken_set)
    response, body = health(client)
    assert response.status_code == 503
    assert body["checks"]["cache"] == {"status": "fail", "error": "ConnectionError"}
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["tasks"]["status"] == "ok"


@pytest.mark.django_db
def test_a_cache_that_forgets_is_a_failure(client, monkeypatch):
    monkeypatch.setattr(caches["default"], "get", lambda *args, **kwargs: None)
    response, body = health(client)
    assert response.status_code == 503
    assert body["checks"]["cache"]["status"] == "fail"


@pytest.mark.django_db
def test_only_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_failure_is_logged_with_the_request_id(client, monkeypatch, caplog):
    monkeypatch.setattr(
        caches["default"], "set", lambda *a, **k: (_ for _ in ()).throw(ConnectionError("down"))
    )
    with caplog.at_level("INFO"):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="probe-00000001")
    assert response["X-Request-ID"] == "probe-00000001"
    from allmende.ops.logformat import JsonFormatter

    formatter = JsonFormatter()
    failures = [r for r in caplog.records if r.name == "allmende.ops.healthz"]
    assert len(failures) == 1
    assert failures[0].exc_info
    # The request id is attached while the request runs; the formatter adds it to every line.
    assert failures[0].request_id == "probe-00000001"
    assert '"request_id": "probe-00000001"' in formatter.format(failures[0])
