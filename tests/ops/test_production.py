"""Production mode, for real: the settings imported with DEBUG off, in a subprocess with the environment
docs/deployment.md documents (deploy/allmende.env.example), on a throwaway SQLite database."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="allmende.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="beteiligung.example.org",
        CSRF_TRUSTED_ORIGINS="https://beteiligung.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        EMAIL_HOST="smtp.example.org",
        DEFAULT_FROM_EMAIL="beteiligung@example.org",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        ALLMENDE_VAR_DIR=str(tmp_path),
    )
    return env


def test_the_documented_environment_example_is_the_one_tested():
    example = (ROOT / "deploy" / "allmende.env.example").read_text()
    for name in (
        "DEBUG=false",
        "SECRET_KEY=",
        "ALLOWED_HOSTS=",
        "CSRF_TRUSTED_ORIGINS=",
        "DATABASE_URL=postgres",
    ):
        assert name in example
    assert "EMAIL_HOST=" in example and "SECURE_HSTS_INCLUDE_SUBDOMAINS=true" in example


def test_check_deploy_is_clean(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output and "ERROR" not in output, output


def test_the_loaded_application_is_frozen_for_the_garbage_collector(tmp_path):
    """A worker's full garbage collections must not walk the objects of the loaded app again and again
    (tens of milliseconds each, during which the worker answers nobody)."""
    code = "import gc, allmende.wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    frozen, tracked = map(int, result.stdout.split())
    assert frozen > 20_000 and tracked < frozen / 10, result.stdout


def test_settings_refuse_to_start_without_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


# Runs in the subprocess: migrate, collectstatic (hashed, compressed: the start of `make serve`), then
# requests through the whole middleware stack; prints one RESULT line among the JSON log lines.
PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client

call_command("migrate", verbosity=0, interactive=False)
call_command("collectstatic", verbosity=0, interactive=False)
client = Client(HTTP_HOST="beteiligung.example.org")

def answer(response):
    return {
        "status": response.status_code,
        "headers": dict(response.headers),
        "cookies": {name: {"secure": bool(c["secure"]), "httponly": bool(c["httponly"]), "samesite": c["samesite"]}
                    for name, c in response.cookies.items()},
    }

result = {
    "https_page": answer(client.get("/", secure=True)),
    "login_page": answer(client.get("/konto/login/", secure=True)),
    "http_page": answer(client.get("/")),
    "http_healthz": answer(client.get("/healthz")),
    "logged": answer(client.get(
        "/?email=anna@example.org", secure=True, REMOTE_ADDR="198.51.100.23", HTTP_X_REQUEST_ID="probe-request-0001"
    )),
    "settings": {name: getattr(settings, name) for name in (
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "LOG_FORMAT")},
}
print("RESULT " + json.dumps(result), flush=True)
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("production")
    completed = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    lines = completed.stdout.splitlines()
    [result] = [json.loads(line.removeprefix("RESULT ")) for line in lines if line.startswith("RESULT ")]
    result["log_lines"] = [line for line in lines if not line.startswith("RESULT ")]
    return result


def test_security_headers_on_a_page(production):
    page = production["https_page"]
    assert page["status"] == 200
    headers = {name.lower(): value for name, value in page["headers"].items()}
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_cookies_are_secure(production):
    settings = production["settings"]
    assert (
        settings["SESSION_COOKIE_SECURE"]
        and settings["CSRF_COOKIE_SECURE"]
        and settings["LANGUAGE_COOKIE_SECURE"]
    )
    assert settings["SESSION_COOKIE_HTTPONLY"]
    csrf = production["login_page"]["cookies"]["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"


def test_plain_http_is_redirected_to_https_except_healthz(production):
    assert production["settings"]["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    redirect = production["http_page"]
    assert redirect["status"] == 301
    assert redirect["headers"]["Location"] == "https://beteiligung.example.org/"
    assert production["http_healthz"]["status"] == 200


def test_logs_are_json_lines_on_stdout(production):
    assert production["settings"]["LOG_FORMAT"] == "json"
    requests = [json.loads(line) for line in production["log_lines"] if '"allmende.request"' in line]
    assert len(requests) == 5  # one line for each request above, nothing else
    [logged] = [entry for entry in requests if entry["request_id"] == "probe-request-0001"]
    assert logged["path"] == "/" and logged["status"] == 200 and logged["method"] == "GET"
    text = "\n".join(production["log_lines"])
    assert "anna@example.org" not in text and "198.51.100.23" not in text
