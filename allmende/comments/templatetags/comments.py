from django import template
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from allmende.ops.addresses import address
from allmende.ops.pieces import kept_piece
from allmende.proposals.templatetags.proposals import public_name

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_actions(context, comment):
    """`{% comment_actions comment %}`: what the reader can do under a comment
    (comments/_comment_actions.html: reply, edit and delete their own, report another's, highlight),
    kept per language and kind of actions (ops/pieces.kept_piece) and joined with the comment's id, its
    author's name and its addresses: the actions took about 50 µs per comment, a reply form 90 µs more."""
    user = context.get("user")
    signed_in = user is not None and user.is_authenticated
    visible = comment.is_visible
    own = signed_in and comment.author_id == user.pk
    highlight = bool(context.get("can_be_official")) and visible
    reply = bool(context.get("can_comment")) and visible and comment.depth < 2
    kind = {
        "reply": reply,
        "own": own and visible,
        "report": signed_in and not own and visible,
        "highlight": highlight,
        "highlighted": highlight and comment.highlighted,
        "can_be_official": reply and bool(context.get("can_be_official")),
    }
    values = {"comment_id": str(comment.pk), "author_name": public_name(comment.author)}
    if reply:
        values["post_url"] = address("comments:post", context["round"].slug, context["proposal"].number)
    if reply or highlight:
        token = context.get("csrf_token")
        values["csrf_token"] = str(token) if token else get_token(context["request"])
    if kind["own"]:
        values["edit_url"] = address("comments:edit", comment.pk)
        values["delete_url"] = address("comments:delete", comment.pk)
    if kind["report"]:
        values["report_url"] = address("moderation:report", "kommentar", comment.pk)
    if highlight:
        values["highlight_url"] = address("comments:highlight", comment.pk)
    return kept_piece("comments/_comment_actions.html", kind, values)


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
