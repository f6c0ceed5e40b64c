"""Micro-caching of public pages for anonymous readers.

Most readers of a participatory budget are not signed in, and on the last evening of a rating phase
they all read the same lists. For them a page is kept in the cache (Redis in production, shared by
all app servers) for a few seconds, keyed by language and full URL. Signed-in people, anyone with
pending messages and every non-GET request always get a freshly rendered page. Anonymous pages carry
no CSRF token (the language switch is a plain GET form), so a cached page is valid for everyone.
"""

from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

from .middleware import messages_waiting


def _cacheable(request):
    # The cookie first: with a session, loading the person here would cost a round trip, and cost it
    # before the view reads what the session can come along with (accounts.sessions).
    if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    if request.user.is_authenticated:
        return False
    return not messages_waiting(request)


def public_microcache(view):
    """Keep the view's page for anonymous readers for settings.MICROCACHE_SECONDS (0: off)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.MICROCACHE_SECONDS
        if not seconds or not _cacheable(request):
            return view(request, *args, **kwargs)
        key = f"page:{get_language()}:{request.get_full_path()}"
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            response = HttpResponse(content, content_type=content_type)
            response["X-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            cache.set(key, (response.content, response["Content-Type"]), timeout=seconds)
        return response

    return wrapped
