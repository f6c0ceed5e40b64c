"""Small templates kept rendered in each process: once per language and kind, with the page's own values
put in where marks stand.

A proposal page's rating control and follow button are the same on every page but for a few values (the
proposal's number and address, a count, the CSRF token, the address to come back to), and rendering them
cost a signed-in page about a sixth of its time. `kept_piece` renders such a template once per language
and combination of its structural values (`kind`: which buttons, pressed or not, which messages), with a
random mark for each per-page value, and afterwards only joins the kept text with the page's values,
escaped as `{{ name }}` would escape them.

The template gets nothing but `kind` and `values`: no request, no person, no context processors, so a
kept rendering cannot carry anything of the reader it was first rendered for. Its per-page values must
appear as plain `{{ name }}` (or as a `{% blocktranslate with x=name %}` argument, or `{{ csrf_token }}`
through `{% csrf_token %}`), not through filters that would change them; tests render each template both
ways and compare.

`kept_page` does the same for a whole page that extends base.html (the proposal page): the layout and
the page's own template rendered once per language, kind of reader (signed in, staff), view and kind of
page, with marks for the page's values, the CSRF token and the path the language switch comes back to.
base.html gets stand-ins that carry only those kinds, never the reader: a person that is only signed in
or not and staff or not, a request with only the view's name, no messages (a page with messages is
rendered in full).
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from functools import lru_cache
from html import escape
from types import SimpleNamespace

from django.template.loader import get_template
from django.utils import formats
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language


@lru_cache(maxsize=4096)
def _day(day: date, format_name: str, language: str | None) -> str:
    return formats.date_format(day, format_name)


def day_format(day: date, format_name: str) -> str:
    """`formats.date_format(day, format_name)` in the active language for a format of the date alone (no
    time of day), kept per process: Django's formatter cost a proposal page rendered afresh about a
    twentieth of its CPU, and its dates repeat from page to page."""
    return _day(day, format_name, get_language())


_MARKS: dict[
    str, str
] = {}  # value name -> its mark in this process (letters and digits: escaping keeps them)
_KEPT: dict[tuple, tuple[tuple[str, ...], tuple[str, ...]]] = {}
_LIMIT = 4096  # kinds kept per process; beyond that the store starts again


def _mark(name: str) -> str:
    mark = _MARKS.get(name)
    if mark is None:
        mark = _MARKS[name] = f"mark{secrets.token_hex(10)}"
    return mark


def _render(template_name: str, context: dict, names) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The kept form: the texts between the marks, and the value names standing between them."""
    marks = {_mark(name): name for name in names}
    html = get_template(template_name).render({**context, **{name: _mark(name) for name in names}})
    parts = re.split(f"({'|'.join(marks)})", html) if marks else [html]
    return tuple(parts[0::2]), tuple(marks[m] for m in parts[1::2])


def _kept(key: tuple, template_name: str, context, names) -> tuple[tuple[str, ...], tuple[str, ...]]:
    kept = _KEPT.get(key)
    if kept is None:
        if len(_KEPT) >= _LIMIT:
            _KEPT.clear()
        kept = _KEPT[key] = _render(template_name, context() if callable(context) else context, names)
    return kept


def kept_piece(template_name: str, kind: dict, values: dict, language: str | None = None) -> SafeString:
    """`template_name` with `kind` (hashable values; rendered once per process, language and combination)
    and `values` (per page; escaped unless marked safe, as Django's `escape`: `html.escape`). `language`:
    the active language, where the caller has it (a discussion's comments ask for many pieces)."""
    key = (template_name, language or get_language(), tuple(kind.items()), tuple(values))
    return _join(_kept(key, template_name, kind, values), values)


class _Reader:
    """What base.html may ask of the person: whether signed in and staff, nothing that names them."""

    def __init__(self, signed_in: bool, staff: bool):
        self.is_authenticated, self.is_staff = signed_in, staff


class _Request:
    """What base.html may ask of the request: the view's name, and the path (a mark)."""

    htmx = False

    def __init__(self, app_name: str, url_name: str, path: str):
        self.resolver_match = SimpleNamespace(app_name=app_name, url_name=url_name)
        self._path = path

    def get_full_path(self) -> str:
        return self._path


def kept_page(request, template_name: str, kind: dict, values: dict, csrf_token: str | None) -> SafeString:
    """`template_name` (extends base.html) for this request from its kept rendering: `kind` and `values`
    as for `kept_piece`; the CSRF token (where the reader is signed in: the page's pieces carry the
    same) and the path come with the request. The caller renders pages with messages in full."""
    from allmende.pages.context_processors import site

    user, match = request.user, request.resolver_match
    signed_in = bool(user.is_authenticated)
    staff = signed_in and bool(user.is_staff)
    layout = site(request)
    names = (*values, "csrf_token", "full_path")
    key = (template_name, get_language(), layout["LAYOUT_KEY"], signed_in, staff, match.app_name,
           match.url_name, tuple(kind.items()), names)  # fmt: skip

    def context():
        return {
            **layout,
            **kind,
            "user": _Reader(signed_in, staff),
            "request": _Request(match.app_name, match.url_name, _mark("full_path")),
            "messages": (),
        }

    kept = _kept(key, template_name, context, names)
    return _join(kept, {**values, "csrf_token": csrf_token or "", "full_path": request.get_full_path()})


def _join(kept: tuple[tuple[str, ...], tuple[str, ...]], values: dict) -> SafeString:
    texts, names = kept
    out = [texts[0]]
    for name, text in zip(names, texts[1:], strict=True):
        value = values[name]
        out.append(value if isinstance(value, SafeData) else escape(str(value)))
        out.append(text)
    return mark_safe("".join(out))  # noqa: S308 -- the template's text with escaped values
