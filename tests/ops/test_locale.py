"""The language middleware (allmende.ops.middleware.LocaleMiddleware): the language of every page comes
from the language cookie, else the browser's Accept-Language, else German, exactly as with Django's own
middleware, whose search for a language code in the path the site does not need."""

import pytest
from django.conf import settings
from django.test import Client, override_settings

DJANGOS = "django.middleware.locale.LocaleMiddleware"
OURS = "allmende.ops.middleware.LocaleMiddleware"

CASES = [
    ({}, "de"),
    ({"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}, "en"),
    ({"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}, "de"),
    ({"HTTP_ACCEPT_LANGUAGE": "fr,en;q=0.5"}, "en"),
    ({"cookie": "en", "HTTP_ACCEPT_LANGUAGE": "de"}, "en"),
    ({"cookie": "de", "HTTP_ACCEPT_LANGUAGE": "en"}, "de"),
    ({"cookie": "xx", "HTTP_ACCEPT_LANGUAGE": "en"}, "en"),
]


def _get(client, path, headers):
    headers = dict(headers)
    cookie = headers.pop("cookie", None)
    client.cookies.clear()
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    return client.get(path, **headers)


@pytest.mark.django_db
@pytest.mark.parametrize(("headers", "language"), CASES)
def test_language_from_cookie_then_browser_then_german(client, headers, language):
    assert OURS in settings.MIDDLEWARE
    response = _get(client, "/", headers)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]
    assert f'<html lang="{language}"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/gibt-es-nicht/", "/seite/impressum/", "/sprache/"])
@pytest.mark.parametrize(("headers", "language"), CASES)
def test_same_language_and_headers_as_djangos_middleware(client, path, headers, language):
    ours = _get(client, path, headers)
    with override_settings(MIDDLEWARE=[DJANGOS if name == OURS else name for name in settings.MIDDLEWARE]):
        theirs = _get(Client(), path, headers)
    assert ours.status_code == theirs.status_code
    for header in ("Content-Language", "Vary"):
        assert ours.get(header) == theirs.get(header)
