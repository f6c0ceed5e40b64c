from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _new_round_gets_answer_states(sender, instance, created, raw=False, **kwargs):
    """Every new round starts with the default list of answer states (staff change it per round)."""
    if created and not raw:
        from .services import create_default_answer_states

        create_default_answer_states(instance)


class AccountabilityConfig(AppConfig):
    name = "allmende.accountability"
    verbose_name = _("Council and accountability")

    def ready(self):
        post_save.connect(
            _new_round_gets_answer_states,
            sender="rounds.Round",
            dispatch_uid="allmende.accountability.answer_states",
        )
