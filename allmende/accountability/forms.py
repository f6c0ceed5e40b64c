import re

from django import forms
from django.utils.translation import gettext_lazy as _

from . import queries
from .models import AnswerState, BudgetLine, CostPeriod, Decision, Faction, Retrospective, SelectionRule
from .services import parse_euros


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def euros_text(cents):
    """Cents as staff type euros: 70000000 → "700000", 125050 → "1250,50"; None → ""."""
    if cents is None:
        return ""
    return f"{cents // 100}" + (f",{cents % 100:02d}" if cents % 100 else "")


class EurosField(forms.CharField):
    """An amount in euros as people type it ("700.000", "1.250,50"), cleaned to integer cents."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", _("In euros, e.g. 700.000 or 1.250,50."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_euros(value)
        except ValueError:
            raise forms.ValidationError(_("Please enter an amount in euros, e.g. 700.000.")) from None


class AnswerForm(forms.Form):
    state = forms.ModelChoiceField(
        label=_("Assessment"),
        queryset=AnswerState.objects.none(),
        to_field_name="code",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Please choose an assessment.")},
    )
    text = forms.CharField(
        label=_("Statement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown. Required for some assessments, e.g. “not feasible”: give the reason."),
    )
    cost = forms.CharField(
        label=_("Estimated costs in euros"),
        required=False,
        help_text=_("E.g. 700.000 or 1.250,50. Leave empty if unknown."),
    )
    cost_period = forms.ChoiceField(
        label=_("The costs arise"),
        required=False,
        choices=[("", _("not stated")), *CostPeriod.choices],
    )
    office = forms.CharField(label=_("Responsible office"), required=False, max_length=200)
    answered_on = forms.DateField(label=_("Date of the statement"), widget=DateInput())
    publish_on = forms.DateField(
        label=_("Publish on"),
        required=False,
        widget=DateInput(),
        help_text=_("Optional: the answer is published on this day, together with the others."),
    )

    def __init__(self, *args, round_, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].queryset = AnswerState.objects.filter(round=round_).order_by("position", "id")

    def clean_cost(self):
        try:
            return parse_euros(self.cleaned_data["cost"])
        except ValueError:
            raise forms.ValidationError(_("Please enter an amount in euros, e.g. 700.000.")) from None

    def clean(self):
        data = super().clean()
        state = data.get("state")
        if state is not None and state.requires_reason and not (data.get("text") or "").strip():
            self.add_error(
                "text", _("Please give the reason for the assessment “%(state)s”.") % {"state": state.label}
            )
        return data

    def service_data(self):
        data = dict(self.cleaned_data)
        data["cost_cents"] = data.pop("cost")
        return data

    @classmethod
    def initial_for(cls, answer):
        if answer is None:
            return {}
        return {
            "state": answer.state.code,
            "text": answer.text,
            "cost": euros_text(answer.cost_cents),
            "cost_period": answer.cost_period,
            "office": answer.office,
            "answered_on": answer.answered_on,
            "publish_on": answer.publish_on,
        }


class AnswerImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, separated by semicolons, with the columns number; state; text; cost; cost_period; "
            "office; date. All rows are imported or none."
        ),
    )


class LinkPaperForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference of the council paper"),
        max_length=60,
        help_text=_("As in the council information system, e.g. G-17/184."),
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)


# --- staff pages of the process manager -------------------------------------------------------------


class DateInputField(forms.DateField):
    widget = DateInput

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"invalid": _("Please enter a date, e.g. 2030-03-14.")})
        super().__init__(**kwargs)


class AnswerStateForm(forms.Form):
    label = forms.CharField(
        label=_("Label"), max_length=100, help_text=_("As readers see it, e.g. “umsetzbar”.")
    )
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Short key for CSV files: letters, digits, hyphens and underscores, e.g. not_feasible."),
        error_messages={"invalid": _("The code may only contain letters, digits, hyphens and underscores.")},
    )
    requires_reason = forms.BooleanField(label=_("The statement must give a reason"), required=False)
    position = forms.IntegerField(
        label=_("Position in the list"), min_value=0, max_value=999, initial=0, required=False
    )

    @classmethod
    def initial_for(cls, state):
        if state is None:
            return {}
        return {
            "label": state.label,
            "code": state.code,
            "requires_reason": state.requires_reason,
            "position": state.position,
        }


PROPOSAL_TOKEN = re.compile(r"[\s,;]+")


class MotionForm(forms.Form):
    faction = forms.ModelChoiceField(
        label=_("Faction"),
        queryset=Faction.objects.order_by("name"),
        error_messages={"required": _("Please choose the faction.")},
    )
    number = forms.CharField(label=_("Number of the motion"), max_length=40, help_text=_("E.g. ÄA-12."))
    title = forms.CharField(label=_("Title"), max_length=300)
    date = DateInputField(label=_("Date"))
    paper_reference = forms.CharField(
        label=_("Council paper (reference)"),
        max_length=100,
        required=False,
        help_text=_("Optional, as in the council information system, e.g. G-17/074."),
    )
    proposals = forms.CharField(
        label=_("Proposals taken up"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Numbers or reference numbers of this round's proposals, separated by commas, e.g. 12, BH2019-0042."
        ),
    )
    amount_asked = EurosField(label=_("Amount asked in euros"), required=False)

    def __init__(self, *args, round_, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round_

    def clean_proposals(self):
        text = self.cleaned_data["proposals"]
        prefix = self.round.reference_prefix.lower()
        numbers, wrong = [], []
        for token in filter(None, PROPOSAL_TOKEN.split(text)):
            head, _dash, tail = token.rpartition("-")
            if token.isdigit():
                numbers.append(int(token))
            elif head.lower() == prefix and tail.isdigit():
                numbers.append(int(tail))
            else:
                wrong.append(token)
        if wrong:
            raise forms.ValidationError(
                _("Not a proposal number of this round: %(tokens)s.") % {"tokens": ", ".join(wrong)}
            )
        found = queries.proposals_by_numbers(self.round, numbers)
        missing = [str(n) for n in dict.fromkeys(numbers) if n not in found]
        if missing:
            raise forms.ValidationError(
                _("This round has no proposal with the number %(numbers)s.") % {"numbers": ", ".join(missing)}
            )
        return [found[n] for n in dict.fromkeys(numbers)]

    def service_data(self):
        data = dict(self.cleaned_data)
        data["amount_asked_cents"] = data.pop("amount_asked") or 0
        return data

    @classmethod
    def initial_for(cls, motion):
        if motion is None:
            return {}
        return {
            "faction": motion.faction_id,
            "number": motion.number,
            "title": motion.title,
            "date": motion.date,
            "paper_reference": motion.paper.reference if motion.paper else "",
            "proposals": ", ".join(p.reference for p in motion.proposals.all()),
            "amount_asked": euros_text(motion.amount_asked_cents),
        }


class DecisionForm(forms.Form):
    template_name = "accountability/forms/decision_form.html"

    PLACE_NONE, PLACE_BUDGET, PLACE_GRANTS = "", "budget", "grants"

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Decision.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose the outcome.")},
    )
    date = DateInputField(label=_("Date of the decision"))
    paper_reference = forms.CharField(
        label=_("Council paper (reference)"),
        max_length=100,
        required=False,
        help_text=_("Optional, as in the council information system, e.g. G-17/074."),
    )
    amount_granted = EurosField(label=_("Amount granted in euros"), required=False)
    place = forms.ChoiceField(
        label=_("Where the money sits"),
        choices=[
            (PLACE_NONE, _("nowhere: nothing granted")),
            (PLACE_BUDGET, _("in a budget line")),
            (PLACE_GRANTS, _("on the grants list (Zuschussliste)")),
        ],
        widget=forms.RadioSelect,
        required=False,
        initial=PLACE_NONE,
    )
    line_year = forms.IntegerField(label=_("Budget year"), min_value=2000, max_value=2100, required=False)
    line_level = forms.ChoiceField(
        label=_("Level"), choices=BudgetLine.Level.choices, initial=BudgetLine.Level.PRODUCT, required=False
    )
    line_code = forms.CharField(
        label=_("Code of the product or partial budget"),
        max_length=40,
        required=False,
        help_text=_("E.g. 31.50.01."),
    )
    line_name = forms.CharField(label=_("Name of the budget line"), max_length=300, required=False)
    line_amount = EurosField(label=_("Amount per year in euros"), required=False)
    grant_recipient = forms.CharField(label=_("Recipient on the grants list"), max_length=300, required=False)

    BUDGET_FIELDS = ("line_year", "line_level", "line_code", "line_name", "line_amount")

    def clean(self):
        data = super().clean()
        place = data.get("place")
        if place == self.PLACE_BUDGET:
            for name, message in (
                ("line_year", _("Please give the budget year.")),
                ("line_code", _("Please give the code of the budget line.")),
                ("line_name", _("Please give the name of the budget line.")),
            ):
                if data.get(name) in (None, ""):
                    self.add_error(name, message)
        elif place == self.PLACE_GRANTS and not (data.get("grant_recipient") or "").strip():
            self.add_error("grant_recipient", _("Please give the recipient on the grants list."))
        return data

    def service_data(self):
        data = self.cleaned_data
        budget_line = None
        if data["place"] == self.PLACE_BUDGET:
            budget_line = {
                "year": data["line_year"],
                "level": data["line_level"] or BudgetLine.Level.PRODUCT,
                "code": data["line_code"],
                "name": data["line_name"],
                "amount_cents": data["line_amount"] or 0,
            }
        return {
            "outcome": data["outcome"],
            "date": data["date"],
            "paper_reference": data["paper_reference"],
            "amount_granted_cents": data["amount_granted"] or 0,
            "budget_line": budget_line,
            "grant_recipient": data["grant_recipient"] if data["place"] == self.PLACE_GRANTS else "",
        }

    @classmethod
    def initial_for(cls, decision, motion):
        if decision is None:
            return {"amount_granted": euros_text(motion.amount_asked_cents or None), "place": cls.PLACE_NONE}
        line = decision.budget_line
        initial = {
            "outcome": decision.outcome,
            "date": decision.date,
            "paper_reference": decision.paper.reference if decision.paper else "",
            "amount_granted": euros_text(decision.amount_granted_cents),
            "grant_recipient": decision.grant_recipient,
            "place": cls.PLACE_BUDGET
            if line
            else (cls.PLACE_GRANTS if decision.grant_recipient else cls.PLACE_NONE),
        }
        if line:
            initial.update(
                line_year=line.year,
                line_level=line.level,
                line_code=line.code,
                line_name=line.name,
                line_amount=euros_text(line.amount_cents),
            )
        return initial


class MilestoneForm(forms.Form):
    date = DateInputField(label=_("Date"))
    text = forms.CharField(label=_("What happened"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    progress = forms.IntegerField(
        label=_("Progress in percent"),
        min_value=0,
        max_value=100,
        initial=0,
        error_messages={
            "min_value": _("Progress is a percentage from 0 to 100."),
            "max_value": _("Progress is a percentage from 0 to 100."),
        },
    )

    @classmethod
    def initial_for(cls, milestone):
        if milestone is None:
            return {}
        return {"date": milestone.date, "text": milestone.text, "progress": milestone.progress}


class RetrospectiveForm(forms.Form):
    status_date = DateInputField(
        label=_("Status as of (“Stand”)"),
        help_text=_("Shown as month and year, e.g. “Stand: Dezember 2018”."),
    )
    implementation = forms.ChoiceField(
        label=_("State of implementation"),
        choices=Retrospective.Implementation.choices,
        widget=forms.RadioSelect,
    )
    is_success = forms.BooleanField(
        label=_("Show it in the retrospective of successful proposals"), required=False
    )
    text = forms.CharField(
        label=_("Retrospective text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown; use ## for subheadings."),
    )
    costs_text = forms.CharField(
        label=_("Costs as shown"),
        max_length=300,
        required=False,
        help_text=_("E.g. “ca. 700.000 Euro/Jahr”."),
    )

    @classmethod
    def initial_for(cls, entry):
        if entry is None:
            return {"implementation": Retrospective.Implementation.PLANNED}
        return {
            "status_date": entry.status_date,
            "implementation": entry.implementation,
            "is_success": entry.is_success,
            "text": entry.text,
            "costs_text": entry.costs_text,
        }


class SelectionForm(forms.Form):
    rule = forms.ChoiceField(
        label=_("Selection rule"), choices=SelectionRule.choices, widget=forms.RadioSelect
    )
    top_n = forms.IntegerField(label=_("N: how many of the top proposals"), min_value=0, required=False)
    per_district = forms.IntegerField(
        label=_("K: how many of the best of every district"), min_value=0, required=False
    )
    threshold = forms.IntegerField(label=_("T: at least this many supports"), min_value=0, required=False)

    def clean(self):
        data = super().clean()
        rule = data.get("rule")
        if rule in (SelectionRule.TOP_N, SelectionRule.TOP_N_DISTRICT) and not data.get("top_n"):
            self.add_error("top_n", _("Please give N, the number of top proposals."))
        if rule == SelectionRule.TOP_N_DISTRICT and not data.get("per_district"):
            self.add_error("per_district", _("Please give K, the number per district."))
        if rule == SelectionRule.THRESHOLD and data.get("threshold") is None:
            self.add_error("threshold", _("Please give T, the minimum number of supports."))
        return data

    def service_data(self):
        data = self.cleaned_data
        return {
            "rule": data["rule"],
            "top_n": data.get("top_n") or 0,
            "per_district": data.get("per_district") or 0,
            "threshold": data.get("threshold") or 0,
        }

    @classmethod
    def initial_for(cls, selection):
        if selection is None:
            return {"rule": SelectionRule.ALL}
        return {
            "rule": selection.rule,
            "top_n": selection.top_n,
            "per_district": selection.per_district,
            "threshold": selection.threshold,
        }


class FactionForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("As in the council, e.g. “Grüne Liste”."),
        error_messages={"required": _("Please give the faction's name.")},
    )
    short_name = forms.CharField(
        label=_("Short name"),
        max_length=40,
        required=False,
        help_text=_("Optional; shown in lists instead of the name, e.g. “GL”."),
    )

    @classmethod
    def initial_for(cls, faction):
        if faction is None:
            return {}
        return {"name": faction.name, "short_name": faction.short_name}


class WebAddressField(forms.URLField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 1000)
        kwargs.setdefault("required", False)
        kwargs.setdefault("assume_scheme", "https")
        kwargs.setdefault(
            "error_messages", {"invalid": _("Please enter a web address, e.g. https://ris.example.org/…")}
        )
        super().__init__(**kwargs)


class CouncilPaperForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        help_text=_("As in the council information system, e.g. G-17/184."),
        error_messages={
            "required": _("Please give the reference of the council paper, for example G-17/184.")
        },
    )
    title = forms.CharField(label=_("Title"), max_length=1000, required=False)
    date = DateInputField(label=_("Date"), required=False)
    paper_type = forms.CharField(
        label=_("Paper type"), max_length=200, required=False, help_text=_("E.g. Beschlussvorlage.")
    )
    web_url = WebAddressField(
        label=_("Page in the council information system"),
        help_text=_("The address readers follow to the paper."),
    )
    main_file_url = WebAddressField(
        label=_("Main file"), help_text=_("Optional: the address of the paper's main file, e.g. a PDF.")
    )

    @classmethod
    def initial_for(cls, paper):
        if paper is None:
            return {}
        return {name: getattr(paper, name) for name in cls.base_fields}
