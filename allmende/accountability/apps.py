from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "allmende.accountability"
    verbose_name = _("Council and accountability")
