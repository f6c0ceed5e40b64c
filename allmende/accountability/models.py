from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Faction(models.Model):
    """A council faction (Fraktion); council members belong to one, motions are filed by one."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("faction")
        verbose_name_plural = _("factions")
        ordering = ["name"]

    def __str__(self):
        return self.short_name or self.name


class CouncilPaper(models.Model):
    """A council paper (Drucksache), imported from the council information system over OParl or
    entered by hand.

    `oparl_id` is the paper's URL in OParl and the key the importer matches on; hand-entered papers
    have none. A reference such as "G-17/184" is unique per body (ignoring case) among papers that
    are not deleted, so staff can link a proposal by typing it.
    """

    reference = models.CharField(_("reference"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=1000, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    paper_type = models.CharField(_("paper type"), max_length=200, blank=True)
    web_url = models.URLField(_("page in the council information system"), max_length=1000, blank=True)
    main_file_url = models.URLField(_("main file"), max_length=1000, blank=True)
    main_file_name = models.CharField(_("file name"), max_length=300, blank=True)
    main_file_size = models.BigIntegerField(_("file size (bytes)"), null=True, blank=True)
    main_file_mime = models.CharField(_("file type"), max_length=100, blank=True)
    oparl_id = models.URLField(_("OParl ID"), max_length=1000, unique=True, null=True, blank=True)
    body_name = models.CharField(_("body"), max_length=300, blank=True)
    modified = models.DateTimeField(_("changed in the council information system"), null=True, blank=True)
    deleted = models.BooleanField(_("deleted in the council information system"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("council paper")
        verbose_name_plural = _("council papers")
        ordering = ["-date", "reference"]
        constraints = [
            models.UniqueConstraint(
                Lower("reference"),
                "body_name",
                condition=~models.Q(reference="") & models.Q(deleted=False),
                name="accountability_paper_reference_unique_per_body",
            ),
        ]
        indexes = [models.Index(Lower("reference"), name="accountability_paper_ref_idx")]

    def __str__(self):
        if self.reference and self.title:
            return f"{self.reference}: {self.title}"
        return self.reference or self.title or self.oparl_id or str(self.pk)

    @property
    def url(self):
        """Where a reader finds the paper: its page in the council information system, else its file."""
        return self.web_url or self.main_file_url


class ProposalPaper(models.Model):
    """A council paper that deals with a proposal (a proposal can have several, and a paper too)."""

    proposal = models.ForeignKey(
        "proposals.Proposal", verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="paper_links"
    )
    paper = models.ForeignKey(
        CouncilPaper, verbose_name=_("council paper"), on_delete=models.PROTECT, related_name="proposal_links"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("council paper of a proposal")
        verbose_name_plural = _("council papers of proposals")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "paper"], name="accountability_proposal_paper_unique")
        ]

    def __str__(self):
        return f"{self.proposal_id} → {self.paper}"


class OParlImportState(models.Model):
    """Where the OParl import of one body's paper list stands, so the nightly run knows what to ask.

    `last_success_started_at` is when the last complete pass over the list began: the next run asks
    only for papers changed since then. While a pass is under way, `next_url` is the page it goes on
    with (written in the same transaction as the page before it), so a run that stopped on an error
    resumes there.
    """

    list_url = models.URLField(_("paper list"), max_length=1000, unique=True)
    body_oparl_id = models.URLField(_("body (OParl ID)"), max_length=1000, blank=True)
    body_name = models.CharField(_("body"), max_length=300, blank=True)
    last_success_started_at = models.DateTimeField(_("last complete import started"), null=True, blank=True)
    pass_started_at = models.DateTimeField(_("current import started"), null=True, blank=True)
    pass_modified_since = models.DateTimeField(
        _("current import asks for changes since"), null=True, blank=True
    )
    next_url = models.URLField(_("next page"), max_length=2000, blank=True)
    pages_done = models.PositiveIntegerField(_("pages done in the current import"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("OParl import state")
        verbose_name_plural = _("OParl import states")
        ordering = ["body_name", "list_url"]

    def __str__(self):
        return self.body_name or self.list_url


# --- answers, motions, decisions, budget, implementation, retrospective ------------------------------


class CostPeriod(models.TextChoices):
    ONCE = "once", _("once")
    YEARLY = "yearly", _("per year")


# The list a new round starts with (code, label, a reason required); process managers change it per round.
DEFAULT_ANSWER_STATES = [
    ("in_review", _("being examined"), False),
    ("feasible", _("feasible"), False),
    ("not_feasible", _("not feasible"), True),
    ("already_planned", _("already planned"), False),
    ("not_responsible", _("not the city's remit"), False),
]


class AnswerState(models.Model):
    """One entry of a round's list of assessments the administration picks from when it answers a
    proposal ("wird geprüft", "umsetzbar", "nicht umsetzbar" …). The code is what CSV files and the
    API use; the label is what readers see. Every round starts with DEFAULT_ANSWER_STATES."""

    round = models.ForeignKey(
        "rounds.Round", verbose_name=_("round"), on_delete=models.CASCADE, related_name="answer_states"
    )
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Short key for CSV files, e.g. not_feasible.")
    )
    label = models.CharField(_("label"), max_length=100)
    requires_reason = models.BooleanField(
        _("a reason is required"),
        default=False,
        help_text=_("An answer with this assessment must say why in its statement."),
    )
    position = models.PositiveSmallIntegerField(_("position in the list"), default=0)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["round", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "code"], name="accountability_answerstate_code_unique"),
            models.UniqueConstraint("round", Lower("label"), name="accountability_answerstate_label_unique"),
        ]

    def __str__(self):
        return self.label


class Answer(models.Model):
    """The administration's statement on a proposal (Stellungnahme der Verwaltung); one per proposal.

    Answers are prepared unpublished and published together; unpublished answers are visible only to
    the staff who write them. `reason_required` is copied from the state when the answer is saved (and
    when the state's rule changes), so the database itself refuses an answer without its reason.
    """

    proposal = models.OneToOneField(
        "proposals.Proposal", verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="answer"
    )
    state = models.ForeignKey(
        AnswerState, verbose_name=_("assessment"), on_delete=models.PROTECT, related_name="answers"
    )
    reason_required = models.BooleanField(_("a reason is required"), default=False, editable=False)
    text = models.TextField(_("statement"), blank=True, help_text=_("Markdown."))
    cost_cents = models.BigIntegerField(_("estimated costs (cents)"), null=True, blank=True)
    cost_period = models.CharField(_("cost period"), max_length=10, choices=CostPeriod.choices, blank=True)
    office = models.CharField(_("responsible office"), max_length=200, blank=True)
    answered_on = models.DateField(_("date of the statement"))
    published = models.BooleanField(_("published"), default=False)
    publish_on = models.DateField(
        _("publish on"), null=True, blank=True, help_text=_("Prepared answers are published on this day.")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("answer of the administration")
        verbose_name_plural = _("answers of the administration")
        ordering = ["proposal__round", "proposal__number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cost_cents__gte=0) | models.Q(cost_cents__isnull=True),
                name="accountability_answer_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(reason_required=False) | ~models.Q(text=""),
                name="accountability_answer_reason_given",
            ),
        ]

    def __str__(self):
        return f"{self.proposal_id}: {self.state}"

    def get_state_display(self):
        return self.state.label


class BudgetLine(models.Model):
    """A line of the budget plan where money sits: a product or Teilhaushalt, with its amount per year."""

    class Level(models.TextChoices):
        TEILHAUSHALT = "teilhaushalt", _("partial budget (Teilhaushalt)")
        PRODUCT = "product", _("product")

    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.PRODUCT)
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=300)
    amount_cents = models.BigIntegerField(_("amount per year (cents)"), default=0)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="accountability_budgetline_unique"),
            models.CheckConstraint(
                condition=models.Q(amount_cents__gte=0), name="accountability_budgetline_amount_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name} ({self.year})"


class Motion(models.Model):
    """A faction's amendment motion (Änderungsantrag) to the draft budget, taking up proposals."""

    round = models.ForeignKey(
        "rounds.Round", verbose_name=_("round"), on_delete=models.PROTECT, related_name="motions"
    )
    faction = models.ForeignKey(
        Faction, verbose_name=_("faction"), on_delete=models.PROTECT, related_name="motions"
    )
    number = models.CharField(_("number"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(_("date"))
    paper = models.ForeignKey(
        CouncilPaper,
        verbose_name=_("council paper"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="motions",
    )
    proposals = models.ManyToManyField(
        "proposals.Proposal", verbose_name=_("proposals taken up"), blank=True, related_name="motions"
    )
    amount_asked_cents = models.BigIntegerField(_("amount asked (cents)"), default=0)

    class Meta:
        verbose_name = _("amendment motion")
        verbose_name_plural = _("amendment motions")
        ordering = ["date", "faction__name", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "faction", "number"], name="accountability_motion_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_asked_cents__gte=0),
                name="accountability_motion_amount_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.faction} {self.number}: {self.title}"


class Decision(models.Model):
    """The council's decision on a motion, and where the money granted sits."""

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("adopted")
        PARTLY = "partly", _("partly adopted")
        REJECTED = "rejected", _("rejected")

    motion = models.OneToOneField(
        Motion, verbose_name=_("amendment motion"), on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    date = models.DateField(_("date"))
    paper = models.ForeignKey(
        CouncilPaper,
        verbose_name=_("council paper"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    amount_granted_cents = models.BigIntegerField(_("amount granted (cents)"), default=0)
    budget_line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("budget line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    grant_recipient = models.CharField(
        _("recipient on the grants list"),
        max_length=300,
        blank=True,
        help_text=_("For money on the grants list (Zuschussliste) instead of a budget line."),
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_granted_cents__gte=0),
                name="accountability_decision_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="rejected") | models.Q(amount_granted_cents=0),
                name="accountability_decision_rejected_grants_nothing",
            ),
            models.CheckConstraint(
                condition=models.Q(budget_line__isnull=True) | models.Q(grant_recipient=""),
                name="accountability_decision_one_place_for_money",
            ),
            # The database's share of `money_errors`: money granted sits somewhere, and a rejected
            # motion has no place for money either.
            models.CheckConstraint(
                condition=models.Q(outcome="rejected")
                | models.Q(amount_granted_cents=0)
                | models.Q(budget_line__isnull=False)
                | ~models.Q(grant_recipient=""),
                name="accountability_decision_money_has_a_place",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="rejected")
                | (models.Q(budget_line__isnull=True) & models.Q(grant_recipient="")),
                name="accountability_decision_rejected_has_no_place",
            ),
        ]

    def __str__(self):
        return f"{self.motion}: {self.get_outcome_display()}"

    @classmethod
    def money_errors(cls, *, outcome, amount_granted_cents, has_budget_line, grant_recipient) -> dict:
        """Where the money of a decision sits, checked: {field: message} for what is wrong, empty when
        all is well. The one rule for the staff pages (through the services), the admin (`clean`) and,
        as far as it can be expressed there, the database (the check constraints above)."""
        amount = amount_granted_cents or 0
        recipient = (grant_recipient or "").strip()
        if amount < 0:
            return {
                "amount_granted_cents": _("%(field)s cannot be negative.")
                % {"field": _("The amount granted")}
            }
        if outcome == cls.Outcome.REJECTED:
            if amount or has_budget_line or recipient:
                return {"amount_granted_cents": _("A rejected motion grants no money.")}
            return {}
        if has_budget_line and recipient:
            return {
                "grant_recipient": _(
                    "The money sits either in a budget line or on the grants list, not both."
                )
            }
        if amount and not has_budget_line and not recipient:
            return {
                "amount_granted_cents": _(
                    "Please say where the money granted sits: in a budget line or on the grants list."
                )
            }
        return {}

    def clean(self):
        super().clean()
        errors = self.money_errors(
            outcome=self.outcome,
            amount_granted_cents=self.amount_granted_cents,
            has_budget_line=self.budget_line_id is not None,
            grant_recipient=self.grant_recipient,
        )
        if errors:
            raise ValidationError(errors)


class Milestone(models.Model):
    """A step of a proposal's implementation."""

    proposal = models.ForeignKey(
        "proposals.Proposal", verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="milestones"
    )
    date = models.DateField(_("date"))
    text = models.CharField(_("what happened"), max_length=500)
    progress = models.PositiveSmallIntegerField(_("progress (percent)"), default=0)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0) & models.Q(progress__lte=100),
                name="accountability_milestone_progress_range",
            ),
        ]

    def __str__(self):
        return f"{self.date}: {self.text}"


class Retrospective(models.Model):
    """What became of a proposal, for the retrospective "Rückblick – Erfolgreiche Vorschläge"."""

    class Implementation(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("implemented")
        STOPPED = "stopped", _("not implemented")

    proposal = models.OneToOneField(
        "proposals.Proposal",
        verbose_name=_("proposal"),
        on_delete=models.CASCADE,
        related_name="retrospective",
    )
    is_success = models.BooleanField(
        _("successful"), default=False, help_text=_("Shown in the retrospective of successful proposals.")
    )
    implementation = models.CharField(
        _("implementation"), max_length=20, choices=Implementation.choices, default=Implementation.PLANNED
    )
    text = models.TextField(
        _("retrospective text"), blank=True, help_text=_("Markdown; use ## for subheadings.")
    )
    costs_text = models.CharField(
        _("costs as shown"), max_length=300, blank=True, help_text=_("E.g. “ca. 700.000 Euro/Jahr”.")
    )
    status_date = models.DateField(_("status as of"), help_text=_("Shown as month and year (“Stand”)."))
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("retrospective entry")
        verbose_name_plural = _("retrospective entries")
        ordering = ["-status_date", "proposal_id"]

    def __str__(self):
        return str(self.proposal_id)


class SelectionRule(models.TextChoices):
    ALL = "all", _("all proposals")
    TOP_N = "top_n", _("the top N by rank")
    TOP_N_DISTRICT = "top_n_district", _("the top N plus the best K of every district")
    THRESHOLD = "threshold", _("all with at least T supports")


class Selection(models.Model):
    """Which proposals of a round go on to the answers and the council, by the rule the process manager
    chose; computed once the rating phase has ended and then frozen."""

    round = models.OneToOneField(
        "rounds.Round", verbose_name=_("round"), on_delete=models.CASCADE, related_name="selection"
    )
    rule = models.CharField(
        _("rule"), max_length=20, choices=SelectionRule.choices, default=SelectionRule.ALL
    )
    top_n = models.PositiveIntegerField(_("N (top proposals)"), default=0)
    per_district = models.PositiveIntegerField(_("K (best per district)"), default=0)
    threshold = models.PositiveIntegerField(_("T (minimum supports)"), default=0)
    frozen_at = models.DateTimeField(_("computed and frozen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("selection")
        verbose_name_plural = _("selections")

    def __str__(self):
        return f"{self.round}: {self.get_rule_display()}"


class SelectedProposal(models.Model):
    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="entries")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="selected_in")
    rank = models.PositiveIntegerField(_("rank"))
    support_count = models.PositiveIntegerField(_("supports or ratings"))
    rank_value = models.BigIntegerField(_("rank value"))
    via_district = models.BooleanField(_("selected as one of the best of its district"), default=False)

    class Meta:
        verbose_name = _("selected proposal")
        verbose_name_plural = _("selected proposals")
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "proposal"], name="accountability_selected_once"),
        ]

    def __str__(self):
        return f"{self.rank}. {self.proposal_id}"
