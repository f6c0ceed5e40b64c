"""One JSON log line per request: request id, method, path, route, status, duration, pid; nothing personal."""

import json
import logging
import re

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from allmende.ops.logformat import JsonFormatter, TextFormatter


def boom(request):
    raise RuntimeError("a bug")


def quiet(request):
    logging.getLogger("allmende.example").warning("something to note")
    return HttpResponse("ok")


urlpatterns = [path("boom/", boom), path("quiet/", quiet)]


def request_lines(caplog):
    return [r for r in caplog.records if r.name == "allmende.request"]


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO)
    return caplog


@pytest.mark.django_db
def test_one_json_line_per_request_without_personal_data(client, make_user, logs):
    user = make_user("anna", email="anna.privat@example.org")
    client.force_login(user)
    response = client.get(
        "/?email=anna.privat@example.org&q=geheim",
        REMOTE_ADDR="198.51.100.23",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        HTTP_USER_AGENT="Mozilla/5.0 (Anna's laptop)",
    )
    assert response.status_code == 200
    records = request_lines(logs)
    assert len(records) == 1
    line = JsonFormatter().format(records[0])
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["logger"] == "allmende.request"
    assert entry["method"] == "GET"
    assert entry["path"] == "/"
    assert entry["status"] == 200
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert isinstance(entry["pid"], int)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", entry["time"])
    assert entry["request_id"] == response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", entry["request_id"])
    # Exactly these fields: no user, no IP address, no user agent.
    assert set(entry) == {
        *("time", "level", "logger", "message", "request_id", "method", "path", "route", "status"),
        *("duration_ms", "pid", "host"),
    }
    for personal in ("geheim", "?", "anna", "example.org", "198.51.100.23", "203.0.113.9", "Mozilla"):
        assert personal not in line, personal


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_kept(client, logs):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="3f2c1a9e-proxy.42")
    assert response["X-Request-ID"] == "3f2c1a9e-proxy.42"
    assert request_lines(logs)[0].request_id == "3f2c1a9e-proxy.42"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming",
    [
        "short",
        "anna@example.org",
        "<script>alert(1)</script>",
        "x" * 129,
        "a b c d e f g h",
        "ab\ncd\nef\ngh",
    ],
)
def test_an_odd_incoming_request_id_is_replaced(client, logs, incoming):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert request_lines(logs)[0].request_id == response["X-Request-ID"]


@pytest.mark.django_db
def test_secrets_in_the_path_are_masked(client, logs):
    key = "MQ:1vXyZa:secretconfirmationkey123"
    client.get(f"/konto/confirm-email/{key}/")
    entry = json.loads(JsonFormatter().format(request_lines(logs)[0]))
    assert entry["path"] == "/konto/confirm-email/[redacted]/"
    assert "secretconfirmationkey" not in json.dumps(entry)


@pytest.mark.django_db
def test_each_request_gets_its_own_id(client, logs):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert first != second
    assert len(request_lines(logs)) == 2


@pytest.mark.urls("tests.ops.test_request_log")
def test_an_error_still_gives_one_line_with_status_500(logs):
    response = Client(raise_request_exception=False).get("/boom/?token=abc")
    assert response.status_code == 500
    [record] = request_lines(logs)
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["status"], entry["path"], entry["route"]) == (500, "/boom/", "boom/")
    # Django's own error record carries the same id, and the formatter leaves out its request object
    # (whose text would show the query string).
    [error] = [r for r in logs.records if r.name == "django.request"]
    error_line = JsonFormatter().format(error)
    assert json.loads(error_line)["request_id"] == entry["request_id"]
    assert "token=abc" not in error_line
    assert "RuntimeError: a bug" in json.loads(error_line)["exception"]


@pytest.mark.urls("tests.ops.test_request_log")
def test_other_lines_during_a_request_carry_its_id(client, logs):
    response = client.get("/quiet/")
    [note] = [r for r in logs.records if r.name == "allmende.example"]
    assert note.request_id == response["X-Request-ID"]
    assert f"[{response['X-Request-ID']}]" in TextFormatter().format(note)


@pytest.mark.django_db
def test_development_format_is_readable(client, logs):
    client.get("/healthz")
    line = TextFormatter().format(request_lines(logs)[0])
    assert re.search(r"INFO allmende.request GET /healthz 200 [\d.]+ms \[[0-9a-f]{32}\]$", line)
