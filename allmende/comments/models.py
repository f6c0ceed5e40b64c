from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_DEPTH = 2  # a comment, a reply, and a reply to that


class Comment(models.Model):
    class Official(models.TextChoices):
        NONE = "", _("—")
        ADMINISTRATION = "administration", _("Answer of the administration")
        MODERATION = "moderation", _("Moderation")

    proposal = models.ForeignKey(
        "proposals.Proposal", verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    depth = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    body = models.TextField(_("text"), max_length=5000)
    official = models.CharField(_("official reply"), max_length=20, choices=Official.choices, blank=True)
    highlighted = models.BooleanField(_("shown at the top"), default=False)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)
    report_count = models.PositiveIntegerField(_("reports"), default=0)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["proposal", "created_at", "id"], name="comments_thread")]
        constraints = [
            models.CheckConstraint(condition=models.Q(depth__lte=MAX_DEPTH), name="comments_depth_limit"),
        ]

    def __str__(self):
        return self.body[:60]

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def is_visible(self):
        """Counted and shown with its text: neither deleted nor hidden."""
        return not self.is_deleted and not self.is_hidden

    @property
    def anchor(self):
        return f"kommentar-{self.pk}"
