"""Moderation: reports, hiding, title edits, merges (and undoing them), blocks, approvals.

Every action is one transaction, checked with rounds.permissions, and written to the audit log.
"""

from contextlib import nullcontext

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allmende import ratelimit
from allmende.comments import services as comment_services
from allmende.comments.models import Comment
from allmende.ops.pagecache import proposal_scope
from allmende.proposals import services as proposal_services
from allmende.proposals.models import Proposal, Support
from allmende.proposals.services import ActionRefused
from allmende.rounds.permissions import Action, can, is_moderator

from .models import AuditEntry, Merge, Report

State = Proposal.State


def _notify(kind, proposal, actor, reason=""):
    if not apps.is_installed("allmende.notifications"):
        return
    from allmende.notifications import services as notifications

    notifications.notify(getattr(notifications, kind), proposal, actor=actor, reason=reason)


def _carry_followers(source, target) -> list[int]:
    if not apps.is_installed("allmende.notifications"):
        return []
    from allmende.notifications import services as notifications

    return notifications.carry_followers(source, target)


def _drop_carried_followers(follow_ids):
    if follow_ids and apps.is_installed("allmende.notifications"):
        from allmende.notifications import services as notifications

        notifications.drop_carried_followers(follow_ids)


def _audit(actor, action, *, proposal=None, comment=None, target_user=None, reason="", **data):
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=getattr(actor, "username", "") or "system",
        action=action,
        proposal=proposal,
        comment=comment,
        target_user=target_user,
        reason=reason,
        data=data,
    )


def _require_moderator(user):
    if not is_moderator(user):
        raise ActionRefused(_("Only the moderation can do that."))


def _require_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(_("Please give a reason; the author will be told."))
    return reason


# --- reports -------------------------------------------------------------------------------------


def report(user, *, proposal=None, comment=None, reason: str, text: str = "") -> tuple[Report, bool]:
    """File a report. A second report of the same item by the same person counts once.
    Returns the report and whether it was new. Reaching the round's threshold hides the item."""
    item_proposal = proposal or comment.proposal
    round_ = item_proposal.round
    decision = can(user, Action.REPORT, round_, item_proposal, comment=comment)
    if not decision:
        raise ActionRefused(decision.reason)
    if reason not in Report.Reason.values:
        raise ActionRefused(_("Please choose a reason."))
    if not ratelimit.hit("report", user):
        raise ActionRefused(ratelimit.MESSAGE)
    # A comment's report (and hiding it) shows on its proposal's page alone; a proposal's does not.
    scope = proposal_scope(comment.proposal) if comment is not None else nullcontext()
    with scope, transaction.atomic():
        try:
            with transaction.atomic():
                new = Report.objects.create(
                    reporter=user,
                    proposal=proposal,
                    comment=comment,
                    reason=reason,
                    text=(text or "").strip()[:2000],
                )
        except IntegrityError:
            existing = Report.objects.get(reporter=user, proposal=proposal, comment=comment)
            return existing, False
        open_reports = Report.objects.filter(
            proposal=proposal, comment=comment, resolved_at__isnull=True
        ).count()
        if open_reports >= round_.report_threshold:
            auto_reason = str(
                _("Hidden automatically after %(n)s reports until the moderation decides.")
                % {"n": open_reports}
            )
            if comment is not None and not comment.is_hidden:
                comment_services.set_visibility(comment, True, auto_reason)
                _audit(None, "auto_hide", comment=comment, proposal=comment.proposal, reason=auto_reason)
            elif proposal is not None and proposal.state == State.PUBLISHED:
                Proposal.objects.filter(pk=proposal.pk).update(state=State.HIDDEN, hidden_reason=auto_reason)
                _audit(None, "auto_hide", proposal=proposal, reason=auto_reason)
        if comment is not None:
            Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
        return new, True


def _resolve_reports(*, proposal=None, comment=None, resolution):
    Report.objects.filter(proposal=proposal, comment=comment, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolution=resolution
    )


@transaction.atomic
def dismiss_reports(moderator, *, proposal=None, comment=None, reason=""):
    """The item is fine: close its reports and show it again if the reports had hidden it."""
    _require_moderator(moderator)
    _resolve_reports(proposal=proposal, comment=comment, resolution="dismissed")
    if comment is not None and comment.is_hidden:
        comment_services.set_visibility(comment, False)
    if proposal is not None and proposal.state == State.HIDDEN:
        Proposal.objects.filter(pk=proposal.pk).update(state=State.PUBLISHED, hidden_reason="")
    _audit(
        moderator, "dismiss_reports", proposal=proposal or comment.proposal, comment=comment, reason=reason
    )


# --- hide and show -------------------------------------------------------------------------------


@transaction.atomic
def hide(moderator, *, proposal=None, comment=None, reason: str):
    _require_moderator(moderator)
    reason = _require_reason(reason)
    if comment is not None:
        comment_services.set_visibility(comment, True, reason)
        target = comment.proposal
        author = comment.author
    else:
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.state not in (State.PUBLISHED, State.PENDING, State.HIDDEN):
            raise ActionRefused(_("This proposal cannot be hidden in its current state."))
        Proposal.objects.filter(pk=locked.pk).update(state=State.HIDDEN, hidden_reason=reason)
        target, author = locked, locked.author
    _resolve_reports(proposal=proposal, comment=comment, resolution="hidden")
    _audit(moderator, "hide", proposal=target, comment=comment, target_user=author, reason=reason)
    _notify_author_hidden(target, comment, author, moderator, reason)


def _notify_author_hidden(proposal, comment, author, moderator, reason):
    if not apps.is_installed("allmende.notifications"):
        return
    from allmende.notifications import services as notifications

    extra = {}
    if comment is not None:
        if author is None:  # a deleted account: nobody to tell
            return
        extra = {"author": author.pk, "url": proposal.get_absolute_url() + f"#{comment.anchor}"}
    notifications.notify(notifications.HIDDEN, proposal, actor=moderator, reason=reason, extra=extra or None)


@transaction.atomic
def unhide(moderator, *, proposal=None, comment=None, reason: str = ""):
    _require_moderator(moderator)
    if comment is not None:
        comment_services.set_visibility(comment, False)
        target = comment.proposal
    else:
        Proposal.objects.filter(pk=proposal.pk, state=State.HIDDEN).update(
            state=State.PUBLISHED, hidden_reason=""
        )
        target = proposal
    _resolve_reports(proposal=proposal, comment=comment, resolution="shown")
    _audit(moderator, "unhide", proposal=target, comment=comment, reason=reason)


# --- pre-moderation, titles ----------------------------------------------------------------------


@transaction.atomic
def approve(moderator, proposal):
    _require_moderator(moderator)
    updated = Proposal.objects.filter(pk=proposal.pk, state=State.PENDING).update(state=State.PUBLISHED)
    if not updated:
        raise ActionRefused(_("Only proposals waiting for approval can be approved."))
    _audit(moderator, "approve", proposal=proposal, target_user=proposal.author)
    _notify("STATE_CHANGED", proposal, moderator)


@transaction.atomic
def edit_title(moderator, proposal, title: str, reason: str):
    _require_moderator(moderator)
    reason = _require_reason(reason)
    title = (title or "").strip()
    if not title or len(title) > 120:
        raise ActionRefused(_("A title needs between 1 and 120 characters."))
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    old = locked.title
    locked.original_title = locked.original_title or old
    locked.title = title
    locked.save(update_fields=["title", "original_title", "updated_at"])
    _audit(moderator, "edit_title", proposal=locked, reason=reason, old=old, new=title)
    return locked


# --- merging -------------------------------------------------------------------------------------


@transaction.atomic
def merge(moderator, source: Proposal, target: Proposal, reason: str) -> Merge:
    """Merge `source` into `target` (Stuttgart's model): the source stays visible and points to the
    target; its supports move over, and a person who supported both counts once."""
    _require_moderator(moderator)
    reason = _require_reason(reason)
    source, target = (
        Proposal.objects.select_for_update().select_related("round").get(pk=pk)
        for pk in (source.pk, target.pk)
    )
    if source.pk == target.pk:
        raise ActionRefused(_("A proposal cannot be merged into itself."))
    if source.round_id != target.round_id:
        raise ActionRefused(_("Only proposals of the same round can be merged."))
    if target.state != State.PUBLISHED:
        raise ActionRefused(_("The proposal to merge into must be published."))
    if source.state not in (State.PUBLISHED, State.HIDDEN, State.PENDING):
        raise ActionRefused(_("This proposal cannot be merged in its current state."))
    on_target = set(
        Support.objects.filter(proposal=target).exclude(user=None).values_list("user_id", flat=True)
    )
    moved, dropped = [], []
    for support in Support.objects.filter(proposal=source).select_for_update():
        if support.user_id is not None and support.user_id in on_target:
            dropped.append({"user": support.user_id, "value": support.value})
            support.delete()
        else:
            moved.append(support.pk)
    Support.objects.filter(pk__in=moved).update(proposal=target)
    Proposal.objects.filter(pk=source.pk).update(state=State.MERGED, merged_into=target)
    proposal_services.recount(fix=True, proposal_ids=[source.pk, target.pk])
    record = Merge.objects.create(
        source=source,
        target=target,
        moved_support_ids=moved,
        dropped_supports=dropped,
    )
    _audit(
        moderator,
        "merge",
        proposal=source,
        reason=reason,
        target=target.reference,
        moved=len(moved),
        counted_once=len(dropped),
        merge=record.pk,
    )
    _notify("MERGED", source, moderator, reason)
    _notify("MERGED", target, moderator, reason)
    # After the mails: the source's followers hear of the merge once, then follow the target's way on.
    record.carried_follow_ids = _carry_followers(source, target)
    record.save(update_fields=["carried_follow_ids"])
    return record


@transaction.atomic
def undo_merge(moderator, record: Merge, reason: str = ""):
    _require_moderator(moderator)
    record = Merge.objects.select_for_update().get(pk=record.pk)
    if record.undone_at:
        raise ActionRefused(_("This merge has already been undone."))
    source = Proposal.objects.select_for_update().get(pk=record.source_id)
    Support.objects.filter(pk__in=record.moved_support_ids, proposal_id=record.target_id).update(
        proposal=source
    )
    Support.objects.bulk_create(
        [Support(proposal=source, user_id=d["user"], value=d["value"]) for d in record.dropped_supports],
        ignore_conflicts=True,
    )
    Proposal.objects.filter(pk=source.pk).update(state=State.PUBLISHED, merged_into=None)
    proposal_services.recount(fix=True, proposal_ids=[record.source_id, record.target_id])
    _drop_carried_followers(record.carried_follow_ids)
    record.undone_at = timezone.now()
    record.save(update_fields=["undone_at"])
    _audit(moderator, "undo_merge", proposal=source, reason=reason, target=record.target_id, merge=record.pk)


# --- people --------------------------------------------------------------------------------------


@transaction.atomic
def block(moderator, person, reason: str):
    _require_moderator(moderator)
    reason = _require_reason(reason)
    if person.pk == moderator.pk:
        raise ActionRefused(_("You cannot block yourself."))
    type(person).objects.filter(pk=person.pk).update(blocked_at=timezone.now(), blocked_reason=reason)
    _audit(moderator, "block", target_user=person, reason=reason)


@transaction.atomic
def unblock(moderator, person, reason: str = ""):
    _require_moderator(moderator)
    type(person).objects.filter(pk=person.pk).update(blocked_at=None, blocked_reason="")
    _audit(moderator, "unblock", target_user=person, reason=reason)
