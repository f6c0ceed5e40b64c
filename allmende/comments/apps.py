from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "allmende.comments"
    verbose_name = _("Comments")

    def ready(self):
        from allmende.accounts.services import register_data_exporter

        from . import services

        register_data_exporter(services.export_user_data)
