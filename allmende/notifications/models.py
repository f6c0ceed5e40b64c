from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from allmende.proposals.models import Proposal

# The kinds of notification; each can be switched off per person (a field of NotificationSettings).
COMMENTED = "commented"
ANSWERED = "answered"
MERGED = "merged"
HIDDEN = "hidden"
STATE_CHANGED = "state_changed"
KINDS = (COMMENTED, ANSWERED, MERGED, HIDDEN, STATE_CHANGED)

KIND_LABELS = {
    COMMENTED: _("New comments"),
    ANSWERED: _("Official answers"),
    MERGED: _("Merging with another proposal"),
    HIDDEN: _("Hiding by the moderation"),
    STATE_CHANGED: _("Changes of state"),
}


class Follow(models.Model):
    """One person follows one proposal and is told by e-mail what happens to it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="follows"
    )
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(_("following since"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["user", "proposal"], name="notifications_one_follow_per_person"),
        ]
        indexes = [models.Index(fields=["proposal", "user"], name="notifications_follow_proposal")]

    def __str__(self):
        return f"{self.user_id} → {self.proposal_id}"


class NotificationSettings(models.Model):
    """Which kinds of e-mail a person wants. No row means: all switched on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="notification_settings",
    )
    commented = models.BooleanField(KIND_LABELS[COMMENTED], default=True)
    answered = models.BooleanField(
        KIND_LABELS[ANSWERED],
        default=True,
        help_text=_("Answers of the administration and replies of the moderation."),
    )
    merged = models.BooleanField(KIND_LABELS[MERGED], default=True)
    hidden = models.BooleanField(
        KIND_LABELS[HIDDEN],
        default=True,
        help_text=_("When your own proposal or comment is hidden, the e-mail tells you the reason."),
    )
    state_changed = models.BooleanField(KIND_LABELS[STATE_CHANGED], default=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return str(self.user_id)

    def as_dict(self) -> dict[str, bool]:
        return {kind: getattr(self, kind) for kind in KINDS}
