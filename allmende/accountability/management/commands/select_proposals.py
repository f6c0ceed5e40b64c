from django.core.management.base import BaseCommand, CommandError

from allmende.accountability import services
from allmende.rounds.models import Round


class Command(BaseCommand):
    help = "Compute and freeze the selection of a round by its rule (after the rating phase has ended)."

    def add_arguments(self, parser):
        parser.add_argument("--round", required=True, help="the round's address (slug)")

    def handle(self, *args, **options):
        round_ = Round.objects.filter(slug=options["round"]).first()
        if round_ is None:
            raise CommandError(f"No round with the address {options['round']!r}.")
        try:
            selection = services.select_proposals(None, round_)
        except services.ActionRefused as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(
            f"{selection.entries.count()} proposals selected ({selection.get_rule_display()}), frozen."
        )
