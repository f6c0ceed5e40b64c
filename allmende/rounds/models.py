from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    """A subject area (Themenfeld), e.g. "Bildung" or "Verkehr"."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("address"), unique=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def __str__(self):
        return self.name


class District(models.Model):
    """A part of the city (Stadtteil / Stadtbezirk)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("address"), unique=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Round(models.Model):
    """One participatory budget round, e.g. "Beteiligungshaushalt 2019/2020"."""

    class RatingMode(models.TextChoices):
        SUPPORT = "support", _("Support (one thumbs-up per person)")
        PRO_CONTRA = "pro_contra", _("For and against (+1 or −1)")
        SCALE = "scale", _("Scale from −2 to +2")
        POINTS = "points", _("Points to distribute")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), unique=True)
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=20,
        help_text=_("Proposal numbers start with it, e.g. “BH2019” gives BH2019-0042."),
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="rounds")
    districts = models.ManyToManyField(
        District, verbose_name=_("districts"), blank=True, related_name="rounds"
    )
    rating_mode = models.CharField(
        _("rating mode"), max_length=20, choices=RatingMode.choices, default=RatingMode.SUPPORT
    )
    points_per_person = models.PositiveSmallIntegerField(
        _("points per person"),
        default=10,
        help_text=_("Only for the points mode: how many points each person spreads."),
    )
    max_points_per_proposal = models.PositiveSmallIntegerField(
        _("at most points per proposal"), default=3, help_text=_("Only for the points mode.")
    )
    support_during_proposals = models.BooleanField(
        _("support while proposals are collected"),
        default=True,
        help_text=_("Freiburg's model: proposals can be supported from the day they are posted."),
    )
    hide_counts_until_end = models.BooleanField(
        _("hide counts until the rating phase ends"),
        default=False,
        help_text=_("Counts stay hidden while people rate, so the first proposals are not favoured."),
    )
    premoderation = models.BooleanField(
        _("new proposals need a moderator's approval"),
        default=False,
        help_text=_("New proposals appear only after a moderator has approved them."),
    )
    report_threshold = models.PositiveSmallIntegerField(
        _("reports before an item is hidden"),
        default=3,
        help_text=_("After this many reports a proposal or comment is hidden until a moderator decides."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_points_per_proposal__gte=1)
                & models.Q(points_per_person__gte=models.F("max_points_per_proposal")),
                name="rounds_round_points_sensible",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("rounds:detail", kwargs={"slug": self.slug})

    def _phases(self):
        """The phases: those that came with the round (prefetched, as every page's round does) without
        building the related manager each time (permission checks ask several times per request)."""
        cache = getattr(self, "_prefetched_objects_cache", None)
        return cache["phases"] if cache and "phases" in cache else self.phases.all()

    def current_phase(self, now=None):
        now = now or timezone.now()
        for phase in self._phases():
            if phase.starts_at <= now < phase.ends_at:
                return phase
        return None

    def next_change(self, now=None):
        """When a phase of the round next starts or ends (what pages show depends on it), or None."""
        now = now or timezone.now()
        moments = [m for p in self._phases() for m in (p.starts_at, p.ends_at) if m > now]
        return min(moments, default=None)

    def phase(self, kind):
        for phase in self._phases():
            if phase.kind == kind:
                return phase
        return None

    def counts_hidden(self, now=None):
        """Whether support and rating counts are hidden from everyone right now."""
        if not self.hide_counts_until_end:
            return False
        rating = self.phase(Phase.Kind.RATING)
        return rating is None or (now or timezone.now()) < rating.ends_at


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

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A phase must end after it starts.")})
