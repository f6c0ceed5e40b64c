from django.apps import AppConfig
from django.core.signals import setting_changed
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "allmende.pages"
    verbose_name = _("Pages")

    def ready(self):
        from . import services

        post_migrate.connect(services.ensure_default_pages_after_migrate, sender=self)
        setting_changed.connect(_forget_layout)


def _forget_layout(**kwargs):
    """base.html's kept parts show settings (the city's name, static files, languages): a setting changed
    at run time (tests) must not leave them as they were."""
    from django.conf import settings
    from django.core.cache import caches

    if "layout" in settings.CACHES:
        caches["layout"].clear()
