"""User text: a safe Markdown subset rendered to HTML and cleaned with nh3 (no raw HTML, no scripts)."""

import hashlib

import nh3
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable(
    ["image", "html_block", "html_inline"]
)

ALLOWED_TAGS = {
    *("p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "h2", "h3", "h4", "code", "pre"),
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str) -> SafeString:
    """Rendered and cleaned HTML for `text`; long texts are kept in the cache by their hash, since the
    same description is rendered on every view of its page."""
    text = text or ""
    if len(text) < 300:
        return _render(text)
    key = "markdown:" + hashlib.sha256(text.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = str(_render(text))
        cache.set(key, html, timeout=86400)
    return mark_safe(html)  # noqa: S308 -- cleaned by nh3 in _render before it was cached


def _render(text: str) -> SafeString:
    # Headings in user text start at h2: the page's own title is the only h1.
    html = _markdown.render(text)
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 -- cleaned by nh3 above
