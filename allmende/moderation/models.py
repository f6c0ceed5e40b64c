from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    """Somebody reports a proposal or a comment. One report per person and item."""

    class Reason(models.TextChoices):
        INSULT = "insult", _("Insult, threat or discrimination")
        OFF_TOPIC = "off_topic", _("Off topic")
        DUPLICATE = "duplicate", _("Duplicate of another proposal")
        ADVERTISING = "advertising", _("Advertising or campaigning")
        PRIVACY = "privacy", _("Personal data or photos of people")
        OTHER = "other", _("Something else")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="reports"
    )
    proposal = models.ForeignKey(
        "proposals.Proposal", null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    comment = models.ForeignKey(
        "comments.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    text = models.TextField(_("explanation"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("decided"), null=True, blank=True)
    resolution = models.CharField(_("decision"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(proposal__isnull=True) ^ models.Q(comment__isnull=True),
                name="moderation_report_one_item",
            ),
            models.UniqueConstraint(
                fields=["reporter", "proposal"],
                condition=models.Q(proposal__isnull=False),
                name="moderation_one_report_per_proposal",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=models.Q(comment__isnull=False),
                name="moderation_one_report_per_comment",
            ),
        ]
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="moderation_open_reports")]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.created_at:%Y-%m-%d})"


class AuditEntry(models.Model):
    """Who did what, when and why: every moderator and staff action. Readable by process managers only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    actor_name = models.CharField(_("by (name at the time)"), max_length=150)
    action = models.CharField(_("action"), max_length=40)
    proposal = models.ForeignKey(
        "proposals.Proposal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.ForeignKey(
        "comments.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name}: {self.action}"


class Merge(models.Model):
    """A merge of a duplicate into another proposal, with what is needed to undo it."""

    source = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="merges_out")
    target = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="merges_in")
    moved_support_ids = models.JSONField(default=list)
    dropped_supports = models.JSONField(default=list)  # [{"user": id, "value": v}] — already on the target
    carried_follow_ids = models.JSONField(
        default=list
    )  # follows of the target made for the source's followers
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.source_id} → {self.target_id}"
