from django.core.management.base import BaseCommand, CommandError

from allmende.accountability import services
from allmende.rounds.models import Round


class Command(BaseCommand):
    help = (
        "Compute and freeze the selection of a round by its rule (after the rating phase has ended); "
        "with --due, of every round whose rating phase has ended and whose rule has been chosen."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--round", help="the round's address (slug)")
        which.add_argument(
            "--due", action="store_true", help="every ended round with a chosen rule (the scheduled run)"
        )

    def handle(self, *args, **options):
        if options["due"]:
            frozen, unconfigured = services.select_due_proposals()
            for selection in frozen:
                self.stdout.write(
                    f"{selection.round.slug}: {selection.entries.count()} proposals selected "
                    f"({selection.get_rule_display()}), frozen."
                )
            for round_ in unconfigured:
                self.stderr.write(
                    f"{round_.slug}: the rating phase has ended, but no selection rule has been chosen "
                    f"(staff page /verwaltung/{round_.slug}/auswahl/)."
                )
            if not frozen and not unconfigured:
                self.stdout.write("No selection due.")
            return
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
