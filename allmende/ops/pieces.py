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
"""

from __future__ import annotations

import re
import secrets
from html import escape

from django.template.loader import get_template
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language

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


def _render(template_name: str, kind: dict, names) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The kept form: the texts between the marks, and the value names standing between them."""
    marks = {_mark(name): name for name in names}
    html = get_template(template_name).render({**kind, **{name: _mark(name) for name in names}})
    parts = re.split(f"({'|'.join(marks)})", html) if marks else [html]
    return tuple(parts[0::2]), tuple(marks[m] for m in parts[1::2])


def kept_piece(template_name: str, kind: dict, values: dict) -> SafeString:
    """`template_name` with `kind` (hashable values; rendered once per process, language and combination)
    and `values` (per page; escaped unless marked safe, as Django's `escape`: `html.escape`)."""
    key = (template_name, get_language(), tuple(kind.items()), tuple(values))
    kept = _KEPT.get(key)
    if kept is None:
        if len(_KEPT) >= _LIMIT:
            _KEPT.clear()
        kept = _KEPT[key] = _render(template_name, kind, values)
    texts, names = kept
    out = [texts[0]]
    for name, text in zip(names, texts[1:], strict=True):
        value = values[name]
        out.append(value if isinstance(value, SafeData) else escape(str(value)))
        out.append(text)
    return mark_safe("".join(out))  # noqa: S308 -- the template's text with escaped values
