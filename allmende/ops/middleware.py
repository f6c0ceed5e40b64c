"""Middleware of the site's own: request ids and one log line per request, a 503 while the database
is unreachable, the language of each request (Django's, without the path search), and Django's
messages and Content Security Policy without their work on responses that need none.

The log line names the request id, method, path (never the query string, which may carry personal data;
secrets in the path such as e-mail confirmation keys are masked), the URL route, status, duration and
the worker's pid and host. No IP address, no user, no user agent: the privacy notice names none of them.
"""

import logging
import re
import time
import uuid

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.messages import middleware as messages_middleware
from django.contrib.messages.storage import default_storage
from django.contrib.messages.storage.cookie import CookieStorage
from django.middleware import csp, locale
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.csp import build_policy
from django.utils.functional import SimpleLazyObject, empty

from .logformat import current_request_id

logger = logging.getLogger("allmende.request")

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id (e.g. nginx's $request_id, a UUID) is kept only if it looks like one.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
# URL arguments that are secrets (e-mail confirmation keys, password reset tokens) are masked in the log.
SECRET_URL_KWARGS = {"key", "token", "uidb36", "uidb64"}


def request_id_for(request) -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    if SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def loggable_path(request) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match:
        for name, value in match.kwargs.items():
            if name in SECRET_URL_KWARGS and isinstance(value, str) and value:
                path = path.replace(value, "[redacted]")
    return path


class RequestLogMiddleware:
    """Outermost middleware: sees every response, including redirects and error pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.id = request_id_for(request)
        token = current_request_id.set(request.id)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.id
            match = getattr(request, "resolver_match", None)
            logger.info(
                "request",
                extra={  # the request id is stamped on by logformat.stamp_request_id
                    "method": request.method,
                    "path": loggable_path(request),
                    "route": match.route if match else None,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            current_request_id.reset(token)


class DatabaseUnavailableMiddleware:
    """While the database is unreachable (a restart, a failover), answer 503 with Retry-After instead of
    a bare 500, so that load balancers, clients and people know to try again in a moment."""

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError
        from django.http import HttpResponse

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logging.getLogger("allmende.request").warning("database unavailable: %s", type(exception).__name__)
        body = (
            '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Kurz nicht erreichbar</title></head>'
            "<body><main><h1>Kurz nicht erreichbar</h1><p>Bitte versuchen Sie es in einigen Sekunden noch einmal.</p>"
            '<p lang="en">Temporarily unavailable. Please try again in a few seconds.</p></main></body></html>'
        )
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's, for paths without a language prefix: the language comes from the language cookie or the
    browser's Accept-Language, as Django's does, without looking for a language code in the path twice
    per request (two regular-expression matches behind a lazy proxy and a lookup of the URL patterns,
    about 2 % of a support's CPU). Should the URLs ever use `i18n_patterns`, Django's own handling runs."""

    def _prefixed(self, request) -> bool:
        return is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0]

    def process_request(self, request):
        if self._prefixed(request):
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        if self._prefixed(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class MessageMiddleware(messages_middleware.MessageMiddleware):
    """Django's, with the messages' storage made at its first use. Django makes it for every request
    (with the cookie's signer: its class imported by name, its key derived), and a support's htmx
    answer or a page served from the caches never touches it (`messages_waiting` looks without making
    it). Where nothing asked for it, there is nothing to store: the cookie and the session keep the
    messages they had."""

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        storage = getattr(request, "_messages", None)
        if type(storage) is SimpleLazyObject and storage._wrapped is empty:
            return response
        return super().process_response(request, response)


_FALLBACK = "django.contrib.messages.storage.fallback.FallbackStorage"


def messages_waiting(request) -> bool:
    """Whether messages wait to be shown on this request's page (without marking them as shown). Where
    this request has not made the storage yet and it is Django's default, without making it: that
    storage keeps the messages in their cookie and only what the cookie cannot hold in the session,
    which it reads only where the cookie says so. No cookie, no messages (a check made for every
    signed-in page and every anonymous one the micro-cache could serve)."""
    storage = getattr(request, "_messages", None)
    if storage is None:
        return False
    if (
        type(storage) is SimpleLazyObject
        and storage._wrapped is empty
        and settings.MESSAGE_STORAGE == _FALLBACK
        and CookieStorage.cookie_name not in request.COOKIES
    ):
        return False
    return len(storage) > 0


class ContentSecurityPolicyMiddleware(csp.ContentSecurityPolicyMiddleware):
    """Django's, with each policy written once per process rather than once per response, where it
    carries no nonce (ours carry none: settings.SECURE_CSP). A view's own policy
    (`response._csp_config`, Django's decorators) is written afresh for its response, as Django
    does."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self._written = (None, None, None, None)  # (enforced config, report-only config, their policies)

    def process_response(self, request, response):
        if csp.get_nonce(request) or hasattr(response, "_csp_config") or hasattr(response, "_csp_ro_config"):
            return super().process_response(request, response)
        enforced, report_only = settings.SECURE_CSP, settings.SECURE_CSP_REPORT_ONLY
        seen, seen_report_only, enforced_policy, report_only_policy = self._written
        if seen is not enforced or seen_report_only is not report_only:  # the first time, or other settings
            enforced_policy = build_policy(enforced) if enforced else ""
            report_only_policy = build_policy(report_only) if report_only else ""
            self._written = (enforced, report_only, enforced_policy, report_only_policy)
        for header, policy in (
            (csp.CSP.HEADER_ENFORCE, enforced_policy),
            (csp.CSP.HEADER_REPORT_ONLY, report_only_policy),
        ):
            if policy and header not in response:
                response.headers[str(header)] = policy
        return response
