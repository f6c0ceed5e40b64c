"""The extra signup field, kept apart from forms.py: allauth imports this module while building its forms."""

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


def _rules_label():
    return format_html(
        _('I accept the <a href="{}">dialogue rules</a>.'),
        reverse_lazy("pages:page", kwargs={"slug": "dialogregeln"}),
    )


class SignupExtraForm(forms.Form):
    """Mixed into allauth's signup form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    accept_rules = forms.BooleanField(
        label=lazy(_rules_label, str)(),
        required=True,
        error_messages={"required": _("Please accept the dialogue rules to take part.")},
    )

    def signup(self, request, user):
        user.accepted_rules_at = timezone.now()
        user.save(update_fields=["accepted_rules_at"])
