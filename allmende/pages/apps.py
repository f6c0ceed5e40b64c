from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "allmende.pages"
    verbose_name = _("Pages")

    def ready(self):
        from . import services

        post_migrate.connect(services.ensure_default_pages_after_migrate, sender=self)
