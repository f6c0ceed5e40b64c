from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Report


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Explanation (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("The author is told this reason."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TitleForm(ReasonForm):
    title = forms.CharField(label=_("New title"), max_length=120)
    field_order = ["title", "reason"]


class MergeForm(ReasonForm):
    target = forms.CharField(
        label=_("Merge into proposal number"),
        max_length=30,
        help_text=_("The reference of the proposal that stays, e.g. BH2027-0005."),
    )
    field_order = ["target", "reason"]
