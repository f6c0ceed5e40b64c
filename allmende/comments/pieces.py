"""A discussion's comments for one reader, put together from kept renderings (allmende/ops/pieces.py).

Every signed-in reader's page renders the comments under it (their reply forms, their own edit links,
a hidden comment's reason for its author and the moderators). Through Django's templates that cost
about 0.2 ms per comment, so a page with forty comments took four times as long as one without. Now
each comment is comments/_comment.html kept per language and kind (official, nested, deleted, hidden,
reason shown, with replies) and joined with its values: its meta line (kept in this process under what
it shows), its text's HTML (kept by allmende.markup), its actions (kept per kind of actions) and its
replies, put together the same way.
"""

from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from allmende.markup import render_markdown
from allmende.ops.addresses import address
from allmende.ops.pieces import kept_piece
from allmende.rounds.permissions import CommentRules, can_highlight


def author_name(comment) -> str:
    """The comment's author as shown: the name the discussion's query brought along (`author_name`),
    or "deleted account"."""
    return comment.author_name or _("deleted account")


def comments_html(comments, reader: dict, nested: bool) -> SafeString:
    """The comments (with their `children` where `nested`) for the reader: `reader` holds `user`,
    `can_comment`, `can_be_official`, `is_moderator`, `csrf_token` (or None), `round` and `proposal`;
    what is the same for all comments is added to it at the first call."""
    if "language" not in reader:
        reader["language"] = get_language()
        reader["time_zone"] = timezone.get_current_timezone_name()
        reader["rules"] = CommentRules(
            reader["user"], reader["round"], reader["proposal"], moderator=reader["is_moderator"]
        )
        reader["can_highlight"] = bool(can_highlight(reader["user"]))
        if reader["can_comment"]:
            reader["post_url"] = address("comments:post", reader["round"].slug, reader["proposal"].number)
    rules = reader["rules"]
    out = []
    for comment in comments:
        deleted = comment.is_deleted
        hidden = not deleted and comment.is_hidden
        show_reason = hidden and rules.sees_hidden_reason(comment)
        children = comment.children if nested else ()
        kind = {
            "official": bool(comment.official),
            "nested": nested,
            "deleted": deleted,
            "hidden": hidden,
            "show_reason": show_reason,
            "has_replies": bool(children),
        }
        values = {"meta": meta_html(comment, reader["language"], reader["time_zone"])}
        if nested:
            values["anchor"] = comment.anchor
            values["actions"] = actions_html(reader, comment)
        if show_reason:
            values["reason"] = comment.hidden_reason
        if not deleted and not hidden:
            values["body"] = render_markdown(comment.body)
        if children:
            values["replies"] = comments_html(children, reader, True)
        out.append(kept_piece("comments/_comment.html", kind, values, reader["language"]))
    return mark_safe("".join(out))  # noqa: S308 -- kept pieces joined with escaped values


def actions_html(reader: dict, comment) -> SafeString:
    """What the reader can do under a comment (comments/_comment_actions.html: reply, edit and delete
    their own, report another's, highlight), as rounds/permissions.py decides, kept per language and kind
    of actions and joined with the comment's id, its author's name and its addresses: the actions took
    about 50 µs per comment, a reply form 90 µs more."""
    rules = reader["rules"]
    visible = comment.is_visible
    highlight = reader["can_highlight"] and visible
    reply = bool(reader["can_comment"]) and visible and comment.depth < 2  # deeper replies go beside
    kind = {
        "reply": reply,
        "edit": bool(rules.edit(comment)),
        "delete": visible and bool(rules.delete(comment)),
        "report": bool(rules.report(comment)),
        "highlight": highlight,
        "highlighted": highlight and comment.highlighted,
        "can_be_official": reply and bool(reader["can_be_official"]),
    }
    values = {"comment_id": str(comment.pk), "author_name": author_name(comment)}
    if reply:
        values["post_url"] = reader["post_url"]
    if reply or highlight:
        values["csrf_token"] = str(reader["csrf_token"])
    if kind["edit"]:
        values["edit_url"] = address("comments:edit", comment.pk)
    if kind["delete"]:
        values["delete_url"] = address("comments:delete", comment.pk)
    if kind["report"]:
        values["report_url"] = address("moderation:report", "kommentar", comment.pk)
    if highlight:
        values["highlight_url"] = address("comments:highlight", comment.pk)
    return kept_piece("comments/_comment_actions.html", kind, values, reader["language"])


_METAS: dict[tuple, str] = {}


def meta_html(comment, language: str, time_zone: str) -> SafeString:
    """The comment's opening and meta line (comments/_comment_meta.html: its author, official badge,
    time, whether edited), the same for every reader. Kept in this process under everything it shows,
    the language and the time zone (the active ones, passed in): its date formatting alone took about
    100 µs per comment."""
    name = author_name(comment)
    key = (
        comment.pk,
        name,
        comment.official,
        comment.created_at,
        comment.edited_at,
        language,
        time_zone,
    )
    html = _METAS.get(key)
    if html is None:
        if len(_METAS) >= 8192:
            _METAS.clear()
        html = _METAS[key] = get_template("comments/_comment_meta.html").render(
            {"comment": comment, "author_name": name}
        )
    return mark_safe(html)  # noqa: S308 -- rendered with autoescape by the template
