"""Project-wide form rendering: every form shows an error summary and ties hints and errors to its field."""

from django.forms.renderers import TemplatesSetting


class AccessibleFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
