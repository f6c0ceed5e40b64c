from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Answer, CostPeriod
from .services import parse_euros


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AnswerForm(forms.Form):
    state = forms.ChoiceField(label=_("Assessment"), choices=Answer.State.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Statement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown. Required when the proposal is not feasible: give the reason."),
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

    def clean_cost(self):
        try:
            return parse_euros(self.cleaned_data["cost"])
        except ValueError:
            raise forms.ValidationError(_("Please enter an amount in euros, e.g. 700.000.")) from None

    def clean(self):
        data = super().clean()
        if data.get("state") == Answer.State.NOT_FEASIBLE and not (data.get("text") or "").strip():
            self.add_error("text", _("Please give the reason why the proposal is not feasible."))
        return data

    def service_data(self):
        data = dict(self.cleaned_data)
        data["cost_cents"] = data.pop("cost")
        return data

    @classmethod
    def initial_for(cls, answer):
        if answer is None:
            return {}
        cost = ""
        if answer.cost_cents is not None:
            cost = f"{answer.cost_cents // 100}" + (
                f",{answer.cost_cents % 100:02d}" if answer.cost_cents % 100 else ""
            )
        return {
            "state": answer.state,
            "text": answer.text,
            "cost": cost,
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
