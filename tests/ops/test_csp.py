"""The Content Security Policy header (allmende.ops.middleware.ContentSecurityPolicyMiddleware): on
every response exactly the policy Django's own middleware writes from settings.SECURE_CSP, written once
per process; other settings, a view's own policy and a nonce are honoured as Django honours them."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.utils.csp import CSP, LazyNonce, build_policy

from allmende.ops.middleware import ContentSecurityPolicyMiddleware

HEADER = "Content-Security-Policy"
REPORT_ONLY = "Content-Security-Policy-Report-Only"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/runden/", "/gibt-es-nicht/"])
def test_every_page_carries_the_sites_policy(client, settings, path):
    response = client.get(path)
    assert response[HEADER] == build_policy(settings.SECURE_CSP)
    assert "script-src 'self'" in response[HEADER]
    assert "frame-ancestors 'none'" in response[HEADER]
    assert REPORT_ONLY not in response


SITE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


def _answer(response=None, nonce_used=False):
    """The middleware around a view answering `response`; with `nonce_used` the view's page used the
    request's nonce (as `{{ csp_nonce }}` in a template does)."""

    def view(request):
        if nonce_used:
            str(request._csp_nonce)
        return response or HttpResponse("ok")

    return ContentSecurityPolicyMiddleware(view), RequestFactory().get("/")


def test_other_settings_give_their_policy_at_once():
    middleware, request = _answer()
    assert middleware(request)[HEADER] == SITE_POLICY
    with override_settings(SECURE_CSP={"default-src": [CSP.NONE]}, SECURE_CSP_REPORT_ONLY={"img-src": ["*"]}):
        response = middleware(request)
        assert response[HEADER] == "default-src 'none'"
        assert response[REPORT_ONLY] == "img-src *"
    with override_settings(SECURE_CSP={}):
        assert HEADER not in middleware(request)
    assert middleware(request)[HEADER] == SITE_POLICY


def test_a_views_own_policy_and_its_header_are_kept():
    own = HttpResponse("ok")
    own._csp_config = {"default-src": [CSP.SELF], "img-src": ["https://karten.example"]}
    middleware, request = _answer(own)
    assert middleware(request)[HEADER] == "default-src 'self'; img-src https://karten.example"
    written = HttpResponse("ok", headers={HEADER: "default-src 'none'"})
    middleware, request = _answer(written)
    assert middleware(request)[HEADER] == "default-src 'none'"


@override_settings(SECURE_CSP={"script-src": [CSP.SELF, CSP.NONCE]})
def test_a_nonce_a_page_used_is_in_its_policy_and_only_there():
    middleware, request = _answer(nonce_used=True)
    response = middleware(request)
    assert isinstance(request._csp_nonce, LazyNonce)
    assert response[HEADER] == f"script-src 'self' 'nonce-{request._csp_nonce}'"
    middleware, request = _answer()
    assert middleware(request)[HEADER] == "script-src 'self'"
