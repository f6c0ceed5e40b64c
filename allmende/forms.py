"""Project-wide form rendering: every form shows an error summary and ties hints and errors to its field."""

from django.forms.renderers import TemplatesSetting
from django.utils.safestring import SafeString
from django.utils.translation import get_language


class AccessibleFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class RenderedOncePerLanguage:
    """Mixin for a form shown empty on busy pages (the comment form under every proposal): its unbound
    rendering depends only on the language and which fields it has, so it is rendered once per process
    for each and reused (about a thousandth of a second of template work per signed-in page view). A
    bound form (errors, what was typed) and one with initial data are rendered afresh every time."""

    _unbound_html: dict = {}

    @classmethod
    def empty_html(cls, **kwargs) -> SafeString:
        """The unbound form made with these keyword arguments, rendered once per process and language
        like `render` keeps it, without making the form each time (making one copies its fields, as much
        work again as the kept rendering saves)."""
        key = (cls, get_language(), tuple(sorted(kwargs.items())))
        html = cls._unbound_html.get(key)
        if html is None:
            html = cls._unbound_html[key] = cls(**kwargs).render()
        return html

    def render(self, template_name=None, context=None, renderer=None):
        if self.is_bound or self.initial or template_name or context or renderer:
            return super().render(template_name, context, renderer)
        key = (type(self), get_language(), self.auto_id, self.prefix, tuple(self.fields))
        html = self._unbound_html.get(key)
        if html is None:
            html = self._unbound_html[key] = SafeString(super().render())
        return html

    __str__ = render
    __html__ = render
