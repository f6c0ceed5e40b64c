from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "allmende.notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from django.db.models.signals import post_save

        from allmende.accounts.services import register_data_exporter
        from allmende.proposals.models import Proposal

        from . import services

        # Authors follow their own proposal, however it was created (form, admin, import, demo).
        post_save.connect(
            services.follow_own_proposal,
            sender=Proposal,
            dispatch_uid="allmende.notifications.author_follows",
        )
        register_data_exporter(services.export_user_data)
