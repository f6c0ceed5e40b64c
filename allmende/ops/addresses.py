"""Addresses of routes, reversed once per route and fixed arguments, not at every use.

Django's `reverse()` costs 15–20 µs, and the hot pages need many: a list page two per proposal card, a
proposal's page its rating, following and discussion addresses, and every comment of a discussion up to
four (edit, delete, report, highlight). `address(name, *args)` gives what `reverse(name, args=args)`
gives: where the last argument is a number (an id, a proposal's number) the route is reversed once per
route, the other arguments, the script prefix and the URLconf, with a mark in the number's place, and
the number is put in; where all arguments are text (a round's slug), or there are none, the whole address
is kept the same way. Anything else, and anything reverse() would refuse, goes to reverse() itself. Templates use
`{% address NAME ARG ... [as var] %}` (pages' `addresses` tag library).
"""

from functools import lru_cache
from urllib.parse import quote

from django.urls import get_script_prefix, get_urlconf, reverse

# A number no row has (2 147 480 001, near the top of a 32-bit column), marking where a route's address
# takes the number.
_MARK = 2_147_480_001


@lru_cache(maxsize=4096)
def _route(name: str, head: tuple, prefix: str, urlconf) -> tuple[str, str] | None:
    """The address of `name` with the arguments `head` and the mark last, as (before, after) the mark,
    or None where the mark does not stand alone in it. `prefix` and `urlconf` only key the cache:
    reverse() reads them from the request's thread."""
    parts = reverse(name, args=[*head, _MARK], urlconf=urlconf).split(str(_MARK))
    return (parts[0], parts[1]) if len(parts) == 2 else None


@lru_cache(maxsize=4096)
def _text_route(name: str, args: tuple, prefix: str, urlconf) -> str:
    return reverse(name, args=list(args), urlconf=urlconf)


def address(name: str, *args) -> str:
    """`reverse(name, args=args)`, reversed once per route and fixed arguments (see the module)."""
    if not all(isinstance(arg, str) for arg in args[:-1]):  # (a template's literal is a SafeString)
        return reverse(name, args=args)
    last = args[-1] if args else ""
    if isinstance(last, str):
        return _text_route(name, args, get_script_prefix(), get_urlconf())
    if type(last) is not int or last < 0:
        return reverse(name, args=args)
    route = _route(name, args[:-1], get_script_prefix(), get_urlconf())
    if route is None:
        return reverse(name, args=args)
    return f"{route[0]}{last}{route[1]}"


def sign_in_address(next_path: str) -> str:
    """The sign-in page with the way back to `next_path` (encoded as Django's `redirect_to_login` and the
    `urlencode` filter encode it: slashes kept)."""
    return f"{address('account_login')}?next={quote(next_path, safe='/')}"
