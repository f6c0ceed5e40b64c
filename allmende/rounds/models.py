from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Round(models.Model):
    """One participatory budget round, e.g. "Beteiligungshaushalt 2019/2020"."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), unique=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("rounds:detail", kwargs={"slug": self.slug})

    def current_phase(self, now=None):
        now = now or timezone.now()
        for phase in self.phases.all():
            if phase.starts_at <= now < phase.ends_at:
                return phase
        return None


class Phase(models.Model):
    class Kind(models.TextChoices):
        INFORMATION = "information", _("Information")
        PROPOSALS = "proposals", _("Proposals")
        RATING = "rating", _("Support and rating")
        ANSWERS = "answers", _("Answers of the administration")
        COUNCIL = "council", _("Council deliberation")
        IMPLEMENTATION = "implementation", _("Implementation")
        CLOSED = "closed", _("Closed")

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("phase"), max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="rounds_phase_ends_after_start"
            ),
            models.UniqueConstraint(fields=["round", "kind"], name="rounds_phase_one_per_kind"),
        ]

    def __str__(self):
        return f"{self.round}: {self.get_kind_display()}"
