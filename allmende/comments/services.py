"""Comments: post, reply, edit within 15 minutes, delete (text replaced, replies stay), highlight."""

from functools import wraps

from django.apps import apps
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allmende import ratelimit
from allmende.ops.pagecache import proposal_scope, scoped_to_proposal
from allmende.proposals.models import Proposal
from allmende.proposals.services import ActionRefused
from allmende.rounds.permissions import (
    Action,
    can,
    can_delete_comment,
    can_edit_comment,
    can_highlight,
    official_role,
)

from .models import MAX_DEPTH, Comment

MAX_LENGTH = 5000


def _clean_body(body: str) -> str:
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise ActionRefused(_("Please write something before sending."))
    if len(body) > MAX_LENGTH:
        raise ActionRefused(
            _("A comment can have at most %(max)s characters; yours has %(n)s.")
            % {"max": MAX_LENGTH, "n": len(body)}
        )
    return body


def _count(proposal_id, delta):
    Proposal.objects.filter(pk=proposal_id).update(comment_count=F("comment_count") + delta)


@scoped_to_proposal
def post_comment(
    user, proposal: Proposal, body: str, parent: Comment | None = None, official=False
) -> Comment:
    body = _clean_body(body)
    if user.is_authenticated and not ratelimit.hit("comment", user):
        raise ActionRefused(ratelimit.MESSAGE)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().select_related("round").get(pk=proposal.pk)
        decision = can(user, Action.COMMENT, locked.round, locked)
        if not decision:
            raise ActionRefused(decision.reason)
        depth = 0
        if parent is not None:
            if parent.proposal_id != locked.pk:
                raise ActionRefused(_("The comment you reply to belongs to another proposal."))
            if parent.is_hidden:
                raise ActionRefused(_("You cannot reply to a hidden comment."))
            if parent.depth >= MAX_DEPTH:
                parent = parent.parent  # replies stay two levels deep: answer beside the last reply
            depth = parent.depth + 1
        badge = official_role(user) if official else ""
        comment = Comment.objects.create(
            proposal=locked, parent=parent, depth=depth, author=user, body=body, official=badge
        )
        _count(locked.pk, 1)
        _notify_followers(locked, user)
    return comment


def _notify_followers(proposal, actor):
    if not apps.is_installed("allmende.notifications"):
        return
    from allmende.notifications import services as notifications

    notifications.notify(notifications.COMMENTED, proposal, actor=actor)


def _scoped_to_its_proposal(func):
    """For a service `func(user, comment, ...)`: its writes concern the comment's proposal page alone."""

    @wraps(func)
    def wrapped(user, comment, *args, **kwargs):
        with proposal_scope(comment.proposal):
            return func(user, comment, *args, **kwargs)

    return wrapped


@_scoped_to_its_proposal
@transaction.atomic
def edit_comment(user, comment: Comment, body: str) -> Comment:
    body = _clean_body(body)
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    decision = can_edit_comment(user, locked)
    if not decision:
        raise ActionRefused(decision.reason)
    locked.body = body
    locked.edited_at = timezone.now()
    locked.save(update_fields=["body", "edited_at"])
    return locked


@_scoped_to_its_proposal
@transaction.atomic
def delete_comment(user, comment: Comment) -> Comment:
    """The author deletes: the text goes, the place in the thread and the replies stay."""
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    decision = can_delete_comment(user, locked)
    if not decision:
        raise ActionRefused(decision.reason)
    if locked.is_deleted:
        return locked
    if locked.is_visible:
        _count(locked.proposal_id, -1)
    locked.body = ""
    locked.deleted_at = timezone.now()
    locked.save(update_fields=["body", "deleted_at"])
    return locked


def set_visibility(comment: Comment, hidden: bool, reason: str = "") -> bool:
    """Hide or show a comment and keep the proposal's count in step. Called by moderation services inside
    their transaction; returns whether anything changed."""
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if locked.is_hidden == hidden:
        return False
    was_visible = locked.is_visible
    locked.is_hidden = hidden
    locked.hidden_reason = reason if hidden else ""
    locked.save(update_fields=["is_hidden", "hidden_reason"])
    if was_visible != locked.is_visible:
        _count(locked.proposal_id, 1 if locked.is_visible else -1)
    comment.is_hidden, comment.hidden_reason = locked.is_hidden, locked.hidden_reason
    return True


@_scoped_to_its_proposal
@transaction.atomic
def set_highlight(user, comment: Comment, highlighted: bool) -> Comment:
    decision = can_highlight(user)
    if not decision:
        raise ActionRefused(decision.reason)
    Comment.objects.filter(pk=comment.pk).update(highlighted=highlighted)
    comment.highlighted = highlighted
    return comment


def export_user_data(user):
    return "comments", [
        {
            "proposal": c.proposal.reference,
            "text": c.body,
            "created_at": c.created_at.isoformat(),
            "deleted": c.is_deleted,
            "hidden": c.is_hidden,
        }
        for c in Comment.objects.filter(author=user).select_related("proposal__round").order_by("created_at")
    ]
