from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "allmende.proposals"
    verbose_name = _("Proposals")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from allmende.accounts.services import register_data_exporter

        from . import services

        pre_delete.connect(
            services.release_ratings_of_deleted_user,
            sender=get_user_model(),
            dispatch_uid="allmende.proposals.release_ratings",
        )
        register_data_exporter(services.export_user_data)
