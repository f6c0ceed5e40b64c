from django import forms
from django.utils.translation import gettext_lazy as _


class AccessibilityFeedbackForm(forms.Form):
    message = forms.CharField(
        label=_("What did you come across, or which content do you need in an accessible form?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    page_url = forms.CharField(
        label=_("Page concerned (optional)"),
        max_length=500,
        required=False,
        help_text=_("For example the address or the title of the page."),
    )
    email = forms.EmailField(
        label=_("Your e-mail address for our answer (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
