"""The benchmarks' bare "hello" view exists only when BENCHMARK_HELLO is set (default: off)."""

import importlib

import pytest
from django.urls import clear_url_caches

import allmende.urls


@pytest.fixture
def reload_urls(settings):
    """Re-import the URLconf after changing the flag; restore the default routes afterwards."""

    def reload(flag):
        if flag is None:
            if hasattr(settings, "BENCHMARK_HELLO"):
                del settings.BENCHMARK_HELLO
        else:
            settings.BENCHMARK_HELLO = flag
        importlib.reload(allmende.urls)
        clear_url_caches()

    yield reload
    if hasattr(settings, "BENCHMARK_HELLO"):
        del settings.BENCHMARK_HELLO
    importlib.reload(allmende.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_off_by_default(client, reload_urls, monkeypatch):
    monkeypatch.delenv("BENCHMARK_HELLO", raising=False)
    reload_urls(None)
    assert client.get("/bench/hello").status_code == 404


@pytest.mark.django_db
def test_the_environment_variable_switches_it_on(client, reload_urls, monkeypatch):
    monkeypatch.setenv("BENCHMARK_HELLO", "true")
    reload_urls(None)
    response = client.get("/bench/hello")
    assert response.status_code == 200
    assert response.content == b"hello"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_the_setting_wins_over_the_environment(client, reload_urls, monkeypatch):
    monkeypatch.setenv("BENCHMARK_HELLO", "true")
    reload_urls(False)
    assert client.get("/bench/hello").status_code == 404
    reload_urls(True)
    assert client.get("/bench/hello").status_code == 200
