import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from allmende.markup import from_stored, stored_markdown
from allmende.ops.addresses import address
from allmende.rounds.models import District, Round, Topic


def random_key():
    return secrets.randbelow(2**31)


class Proposal(models.Model):
    """A resident's proposal for the budget, with the counters that pages sort by.

    Counters are kept on the row and changed in the same transaction as the supports they count
    (see services.py); `manage.py recount` checks them against the rows.
    """

    class Direction(models.TextChoices):
        MORE = "more", _("Spend more")
        LESS = "less", _("Spend less")
        REVENUE = "revenue", _("New revenue")
        SAVING = "saving", _("Saving")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn by the author")
        HIDDEN = "hidden", _("Hidden by the moderation")
        MERGED = "merged", _("Merged into another proposal")

    class CostPeriod(models.TextChoices):
        ONCE = "once", _("once")
        YEARLY = "yearly", _("per year")

    # No index of its own: (round, number) and the list's indexes begin with the round. Every index costs
    # each support's counter update a write.
    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="proposals", db_index=False
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(_("short description"), max_length=500)
    description = models.TextField(_("description"), max_length=20000)
    # The description's HTML, made when it is saved (allmende.markup.stored_markdown; see save()).
    description_html = models.TextField(editable=False, blank=True, default="", db_default="")
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="proposals"
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    cost_cents = models.BigIntegerField(_("estimated costs (cents)"), null=True, blank=True)
    cost_period = models.CharField(_("cost period"), max_length=10, choices=CostPeriod.choices, blank=True)
    cost_note = models.CharField(_("note on the costs"), max_length=200, blank=True)
    image = models.ImageField(_("image"), upload_to="proposals/%Y/", blank=True)
    image_thumbnail = models.ImageField(_("thumbnail"), upload_to="proposals/%Y/thumbs/", blank=True)
    image_alt = models.CharField(_("image description (alt text)"), max_length=300, blank=True)
    image_caption = models.CharField(_("image caption"), max_length=300, blank=True)
    image_credit = models.CharField(_("image credit"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PUBLISHED)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)
    original_title = models.CharField(
        _("original title"),
        max_length=120,
        blank=True,
        help_text=_("Kept when the moderation edits the title."),
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    # Counters, kept in step with the rows by services.py.
    support_count = models.PositiveIntegerField(_("supports or ratings"), default=0)
    pro_count = models.PositiveIntegerField(_("in favour"), default=0)
    contra_count = models.PositiveIntegerField(_("against"), default=0)
    score_sum = models.IntegerField(_("sum of ratings or points"), default=0)
    rank_value = models.BigIntegerField(_("rank value"), default=0, db_index=False)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    random_key = models.IntegerField(default=random_key, editable=False)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="proposals_number_unique_per_round"),
            models.CheckConstraint(condition=models.Q(cost_cents__gte=0), name="proposals_cost_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(state="merged") | models.Q(merged_into__isnull=False),
                name="proposals_merged_has_target",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "state", "-rank_value", "-pro_count", "id"], name="proposals_rank"),
            models.Index(fields=["round", "state", "-created_at", "id"], name="proposals_newest"),
            models.Index(fields=["round", "state", "-comment_count", "id"], name="proposals_comments"),
            models.Index(fields=["round", "state", "random_key", "id"], name="proposals_random"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def save(self, *args, **kwargs):
        """Saving the description also saves its HTML (a `save(update_fields=...)` without the description
        leaves both as they are)."""
        fields = kwargs.get("update_fields")
        if fields is None or "description" in fields:
            self.description_html = stored_markdown(self.description)
            if fields is not None:
                kwargs["update_fields"] = {*fields, "description_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return address("proposals:detail", self.round.slug, self.number)  # reversed once per round

    @property
    def description_rendered(self):
        """The description as HTML: the one stored with it, or rendered now (allmende.markup)."""
        return from_stored(self.description_html, self.description)

    @property
    def reference(self):
        return f"{self.round.reference_prefix}-{self.number:04d}"

    @property
    def is_published(self):
        return self.state == self.State.PUBLISHED

    @property
    def is_open(self):
        return self.state in (self.State.PUBLISHED, self.State.PENDING)

    @property
    def has_ratings(self):
        return self.support_count > 0

    @property
    def cost_euros(self):
        return None if self.cost_cents is None else self.cost_cents / 100


class Support(models.Model):
    """One person's support or rating of one proposal; unique per person and proposal.

    `value` is 1 for a support, +1/−1 for pro/contra, −2…+2 on a scale, or the points given.
    The person is never shown. When an account is deleted after its round closed, the row stays
    without a person, so published counts keep matching the rows.
    """

    # Neither has an index of its own: (proposal, value) and the unique (user, proposal) begin with them,
    # and each index costs every support a write.
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supports",
        db_index=False,
    )
    value = models.SmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["user", "proposal"], name="proposals_one_support_per_person"),
            models.CheckConstraint(condition=models.Q(value__gte=-2), name="proposals_support_value"),
        ]
        indexes = [models.Index(fields=["proposal", "value"], name="proposals_support_value_idx")]

    def __str__(self):
        return f"{self.proposal_id}: {self.value}"
