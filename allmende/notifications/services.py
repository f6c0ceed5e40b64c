"""Follow proposals and be told by e-mail what happens to them.

The interface other apps call (comments, moderation, accountability):

- `follow(user, proposal)`, `unfollow(user, proposal)`, `is_following(user, proposal)`;
- `notify(kind, proposal, actor=None, reason="", extra=None)` from inside the service that did the
  action: the mails are enqueued as background tasks only once that transaction commits.

Each person switches every kind of e-mail on or off (NotificationSettings; no row means all on), on the
settings page or with the one-click link in each mail (tokens.py).
"""

import json
import logging
from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.functional import Promise

from allmende.ops.precompiled import ANY_ID, Precompiled

from . import tokens
from .models import (
    ANSWERED,
    COMMENTED,
    HIDDEN,
    KIND_LABELS,
    KINDS,
    MERGED,
    STATE_CHANGED,
    Follow,
    NotificationSettings,
)

__all__ = [
    "ANSWERED",
    "COMMENTED",
    "HIDDEN",
    "KINDS",
    "KIND_LABELS",
    "MERGED",
    "STATE_CHANGED",
    "follow",
    "is_following",
    "notify",
    "unfollow",
]

logger = logging.getLogger(__name__)


# --- following -----------------------------------------------------------------------------------


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


@transaction.atomic
def follow(user, proposal) -> bool:
    """Follow `proposal`. Returns whether this call started following (False: already followed)."""
    if not _signed_in(user):
        raise ValueError("Only a signed-in person can follow a proposal.")
    # get_or_create catches the unique constraint, so two tabs or a double click follow once.
    _follow, created = Follow.objects.get_or_create(user=user, proposal=proposal)
    return created


@transaction.atomic
def unfollow(user, proposal) -> bool:
    """Stop following `proposal`. Returns whether there was something to stop."""
    if not _signed_in(user):
        return False
    deleted, _rows = Follow.objects.filter(user=user, proposal=proposal).delete()
    return deleted > 0


def carry_followers(source, target) -> list[int]:
    """When `source` is merged into `target`: everyone following the source follows the target too
    (the source's way ends there; the rest of the story, answer, motion, decision, is the target's).
    Returns the ids of the follows this created, so that undoing the merge can take them back."""
    already = Follow.objects.filter(proposal=target).values_list("user_id", flat=True)
    new = [
        Follow(user_id=user_id, proposal=target)
        for user_id in Follow.objects.filter(proposal=source)
        .exclude(user_id__in=already)
        .values_list("user_id", flat=True)
    ]
    Follow.objects.bulk_create(new, ignore_conflicts=True)
    return list(
        Follow.objects.filter(proposal=target, user_id__in=[f.user_id for f in new]).values_list(
            "pk", flat=True
        )
    )


def drop_carried_followers(follow_ids: list[int]) -> int:
    """Undo carry_followers: remove the follows it created (those the person has not removed already)."""
    deleted, _rows = Follow.objects.filter(pk__in=follow_ids).delete()
    return deleted


_FOLLOWING = Precompiled(
    lambda user_id, proposal_id: Follow.objects.filter(user_id=user_id, proposal_id=proposal_id).values_list(
        "pk"
    )[:1],
    ANY_ID,
    ANY_ID + 1,
)


def is_following(user, proposal) -> bool:
    if not _signed_in(user):
        return False
    return bool(_FOLLOWING.rows(user.pk, proposal.pk))  # on every proposal page: compiled once


def followed_proposals(user):
    """The proposals `user` follows, most recently followed first."""
    return Follow.objects.filter(user=user).select_related("proposal__round").order_by("-created_at", "-pk")


def follow_own_proposal(sender, instance, created, raw=False, **kwargs):
    """post_save of Proposal: the author of a new proposal follows it (same transaction)."""
    if created and not raw and instance.author_id:
        Follow.objects.get_or_create(user_id=instance.author_id, proposal=instance)


# --- settings ------------------------------------------------------------------------------------


def get_settings(user) -> NotificationSettings:
    """The person's settings; an unsaved row with everything on if they never changed them."""
    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user)


def wants(user, kind: str) -> bool:
    return getattr(get_settings(user), kind)


@transaction.atomic
def update_settings(user, switches: dict[str, bool]) -> NotificationSettings:
    unknown = set(switches) - set(KINDS)
    if unknown:
        raise ValueError(f"Unknown notification kinds: {sorted(unknown)}")
    row, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    for kind, on in switches.items():
        setattr(row, kind, bool(on))
    row.save()
    return row


def switch_off(user, kind: str) -> bool:
    """Switch one kind off. Returns whether it was on."""
    was_on = wants(user, kind)
    if was_on:
        update_settings(user, {kind: False})
    return was_on


def unsubscribe_token(user, kind: str) -> str:
    return tokens.make_token(user.pk, kind)


def user_for_token(token: str):
    """(user, kind) for a valid one-click unsubscribe token, or None."""
    found = tokens.read_token(token)
    if found is None:
        return None
    user = get_user_model().objects.filter(pk=found[0]).first()
    return None if user is None else (user, found[1])


# --- notifying -----------------------------------------------------------------------------------


def _wanting(kind: str, prefix: str = "") -> Q:
    return Q(**{f"{prefix}notification_settings__isnull": True}) | Q(
        **{f"{prefix}notification_settings__{kind}": True}
    )


def _reachable_users():
    return get_user_model().objects.filter(is_active=True).exclude(email="")


def _plain_extra(extra: dict | None) -> dict:
    """`extra` as JSON for the task queue: users become ids, lazy translations plain strings."""
    clean = {}
    for key, value in (extra or {}).items():
        if key == "author":
            value = getattr(value, "pk", value)
        elif isinstance(value, Promise):
            value = str(value)
        clean[key] = value
    json.dumps(clean)  # fail in the caller, not later in the worker, on values the queue can't store
    return clean


def _enqueue(jobs: list[dict]) -> None:
    from .tasks import send_notification

    with transaction.atomic():
        for job in jobs:
            send_notification.enqueue(**job)


def notify(kind: str, proposal, actor=None, reason: str = "", extra: dict | None = None) -> int:
    """Tell the followers of `proposal` by e-mail that `kind` happened to it; returns how many mails.

    Every follower except `actor` who has `kind` switched on gets one mail, sent by a background task
    enqueued when the current transaction commits (nothing is sent for a rolled-back action).

    HIDDEN: the author of the proposal gets the mail even without following it, with `reason`; other
    followers are told without the reason. For a hidden *comment* pass `extra={"author": comment.author}`:
    then only that person is told (with the reason), followers are not.

    `extra` (plain JSON values) may hold:
      - "url": path of the item, e.g. the comment's anchor (default: the proposal's page);
      - "excerpt": text to quote, e.g. the comment or answer (cut to 600 characters);
      - "state": STATE_CHANGED: label of the new state (default: the proposal's state label);
      - "author": HIDDEN of a comment: its author (a user or user id).
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind: {kind!r}")
    extra = _plain_extra(extra)
    actor_id = actor.pk if _signed_in(actor) else None
    comment_author = extra.get("author") if kind == HIDDEN else None
    recipients: dict[int, bool] = {}  # user id → gets the author's version of the mail
    if comment_author is None:
        followers = (
            Follow.objects.filter(proposal=proposal, user__in=_reachable_users())
            .filter(_wanting(kind, "user__"))
            .exclude(user_id=actor_id)
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )
        recipients = dict.fromkeys(followers, False)
    author_id = comment_author if comment_author is not None else None
    if kind == HIDDEN and author_id is None:
        author_id = proposal.author_id
    if (
        kind == HIDDEN
        and author_id is not None
        and author_id != actor_id
        and _reachable_users().filter(_wanting(kind), pk=author_id).exists()
    ):
        recipients[author_id] = True
    jobs = [
        {
            "user_id": user_id,
            "kind": kind,
            "proposal_id": proposal.pk,
            "reason": reason if as_author else "",
            "extra": extra,
            "as_author": as_author,
        }
        for user_id, as_author in recipients.items()
    ]
    if jobs:
        transaction.on_commit(partial(_enqueue, jobs), robust=True)
    return len(jobs)


# --- data download -------------------------------------------------------------------------------


def export_user_data(user):
    follows = [
        {
            "proposal": follow.proposal.reference,
            "title": follow.proposal.title,
            "since": follow.created_at.isoformat(),
        }
        for follow in followed_proposals(user).order_by("created_at", "pk")
    ]
    return "notifications", {"follows": follows, "settings": get_settings(user).as_dict()}
