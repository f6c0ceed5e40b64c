from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Page(models.Model):
    """A text page process managers edit in the admin (Impressum, privacy notice …): no deployment needed."""

    slug = models.SlugField(_("address"), unique=True)
    title = models.CharField(_("title (German)"), max_length=200)
    body = models.TextField(_("text (German)"), help_text=_("Markdown: **bold**, *italic*, lists, links."))
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_en = models.TextField(
        _("text (English)"), blank=True, help_text=_("Leave empty to show the German text.")
    )
    lang_override = models.CharField(
        _("language of the text"),
        max_length=10,
        blank=True,
        help_text=_("Set to “de” for a page that exists only in German, e.g. Leichte Sprache."),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["slug"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if self.slug == "start":
            return reverse("pages:home")
        return reverse("pages:page", kwargs={"slug": self.slug})

    def _english(self):
        return get_language() == "en" and bool(self.body_en) and not self.lang_override

    @property
    def display_title(self):
        return self.title_en if self._english() and self.title_en else self.title

    @property
    def display_body(self):
        return self.body_en if self._english() else self.body

    @property
    def content_language(self):
        """The language the shown text is in, for the lang attribute (WCAG 3.1.2)."""
        if self.lang_override:
            return self.lang_override
        return "en" if self._english() else settings.LANGUAGE_CODE


class AccessibilityFeedback(models.Model):
    """A barrier reported through the accessibility statement's feedback form (§ 12b BGG)."""

    message = models.TextField(_("message"), max_length=5000)
    email = models.EmailField(_("e-mail address for the answer"), blank=True)
    page_url = models.CharField(_("page concerned"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback")
        ordering = ["-created_at"]

    def __str__(self):
        return self.message[:60]
