from django import forms

from .models import KINDS, NotificationSettings


class NotificationSettingsForm(forms.ModelForm):
    """One checkbox per kind of e-mail; labels come from the model (KIND_LABELS)."""

    class Meta:
        model = NotificationSettings
        fields = list(KINDS)
