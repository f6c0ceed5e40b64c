import secrets

from django import template
from django.template.loader import get_template
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from allmende.proposals.templatetags.proposals import public_name

register = template.Library()

# Marks for the comment's id and its author's name in the kept reply form: letters and digits, which
# escaping leaves as they are, random per process, so that no other text of the form contains them.
_ID = "reply" + secrets.token_hex(8)
_NAME = "name" + secrets.token_hex(8)
_KEPT = object()


@register.simple_tag(takes_context=True)
def reply_form(context, comment):
    """`{% reply_form comment %}`: the reply form under a comment (comments/_reply_form.html). It is the
    same under every comment of a page but for the comment's id and its author's name, so it is rendered
    once per page and those two are put in: a reader who may reply gets one under each comment of the
    discussion's first two levels, and rendering it took about 90 µs each."""
    kept = context.render_context.dicts[0]  # lives as long as the page's rendering
    form = kept.get(_KEPT)
    if form is None:
        reply = context.template.engine.get_template("comments/_reply_form.html")
        with context.push(reply_to=_ID, reply_to_name=_NAME):
            form = kept[_KEPT] = reply.render(context)
    name = conditional_escape(public_name(comment.author))
    return mark_safe(form.replace(_ID, str(comment.pk)).replace(_NAME, name))  # noqa: S308 -- escaped


_METAS: dict[tuple, str] = {}


@register.simple_tag
def comment_meta(comment):
    """`{% comment_meta comment %}`: the comment's opening and meta line (comments/_comment_meta.html:
    its author, official badge, time, whether edited), the same for every reader. Kept in this process
    under everything it shows, the language and the time zone: a discussion is rendered into every
    signed-in reader's page, and its meta lines took about 100 µs per comment."""
    author = comment.author
    key = (
        comment.pk,
        author.username if author else None,
        comment.official,
        comment.created_at,
        comment.edited_at,
        get_language(),
        timezone.get_current_timezone_name(),
    )
    html = _METAS.get(key)
    if html is None:
        if len(_METAS) >= 8192:
            _METAS.clear()
        html = _METAS[key] = get_template("comments/_comment_meta.html").render({"comment": comment})
    return mark_safe(html)  # noqa: S308 -- rendered with autoescape by the template
