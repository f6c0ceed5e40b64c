import os

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.cache import cache

from allmende.accounts import roles
from allmende.accounts.models import User
from tests.factories import make_proposal, make_round

PASSWORD = "ein-sicheres-Passwort-42"


def pytest_configure(config):
    from django.conf import settings

    # Real hashing costs ~0.3 s a password; the tests check behaviour, not the hash's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests look at freshly rendered pages; tests/ops/test_microcache.py switches the cache on.
    settings.MICROCACHE_SECONDS = 0
    # Likewise the page cache and the kept rounds, whatever REDIS_URL says; tests/ops/test_pagecache.py
    # switches them on.
    settings.PAGE_CACHE_SECONDS = 0
    settings.PAGE_CACHE_TRACK_WRITES = False


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Everything under tests/e2e/ drives a real browser: mark it, so `-m "not e2e"` can leave it out.

    Tests marked `postgres` need the PostgreSQL server itself; on SQLite they are deselected (the
    PostgreSQL pass of `make test`, which CI always runs, runs them), never skipped. Tests marked
    `root` need root (CAP_BPF, switching users): CI runs as root and always runs them, failing where
    they cannot; a developer's run as another user leaves them out.
    """
    import os

    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
    left_out = set()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        left_out.add("postgres")
    if os.geteuid() != 0 and not os.environ.get("CI"):
        left_out.add("root")
    dropped = [item for item in items if any(item.get_closest_marker(name) for name in left_out)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and throttles live in the cache: every test starts without traces of another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db):
    """Create a confirmed account, optionally with a role."""

    def make(username="anna", email=None, role=roles.RESIDENT, **extra):
        email = email or f"{username}@example.org"
        user = User.objects.create_user(username=username, email=email, password=PASSWORD, **extra)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def resident(make_user):
    return make_user("anna")


@pytest.fixture
def resident_client(client, resident):
    client.force_login(resident)
    return client


@pytest.fixture
def mail_dir(settings, tmp_path):
    """Send mail as files into a fresh folder, as in development (var/mail/), and return the folder."""
    folder = tmp_path / "mail"
    folder.mkdir()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(folder)},
        }
    }
    return folder


@pytest.fixture
def rating_round(db):
    """A round in its support and rating phase."""
    return make_round()


@pytest.fixture
def proposal(rating_round, make_user):
    return make_proposal(rating_round, author=make_user("autorin"))


def redis_test_cache() -> dict:
    """The settings of a Redis cache for tests (REDIS_TEST_URL): keys under a prefix of this test
    process, so that clearing it between tests leaves alone another run's keys on the same Redis (a
    second test run, a benchmark)."""
    return {
        "BACKEND": "allmende.ops.cache.RedisCache",
        "LOCATION": os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/14"),
        "KEY_PREFIX": f"test-{os.getpid()}",
    }


def redis_test_backend(suffix: str = ""):
    """A Redis cache backend of its own (as a second app server has) on the tests' Redis, under this
    process's prefix (plus `suffix`, for a second site's keys beside it)."""
    from allmende.ops.cache import RedisCache

    settings = redis_test_cache()
    return RedisCache(settings["LOCATION"], {"KEY_PREFIX": settings["KEY_PREFIX"] + suffix})


@pytest.fixture
def redis_sessions(settings):
    """Production's setting with Redis: sessions in the cache, written through to the database."""
    settings.CACHES = {**settings.CACHES, "default": redis_test_cache()}
    settings.SESSION_ENGINE = "allmende.accounts.sessions"
    settings.PAGE_CACHE_SECONDS = 3600
    settings.PAGE_CACHE_TRACK_WRITES = True
    cache.clear()
    yield
    cache.clear()
