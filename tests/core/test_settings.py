"""Settings come from the environment; production refuses to start without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_settings(**env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "DB_PREPARED_STATEMENTS"}
    }
    expression = env.pop("PRINT", "None")  # a further settings value to print on a line of its own
    environment.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; django.setup(); "
            "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'], settings.SESSION_COOKIE_SECURE); "
            f"print({expression})",
        ],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "allmende.settings"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_without_secret_key_refuses_to_start():
    result = run_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_with_secret_key_uses_secure_cookies():
    result = run_settings(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="beteiligung.example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["False", "django.db.backends.sqlite3", "True"]


def test_database_url_selects_postgresql():
    result = run_settings(DATABASE_URL="postgres://u@127.0.0.1:5432/allmende")
    assert result.stdout.split()[1] == "allmende.ops.postgresql"


def test_nonsense_debug_value_is_refused():
    result = run_settings(DEBUG="vielleicht")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr
