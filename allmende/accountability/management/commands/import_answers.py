from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from allmende.accountability import services
from allmende.accounts.models import User
from allmende.rounds.models import Round


class Command(BaseCommand):
    help = "Import prepared answers of the administration from a CSV file: all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--round", required=True, help="the round's address (slug)")
        parser.add_argument("--user", default="", help="the administration account recorded as author")

    def handle(self, *args, **options):
        round_ = Round.objects.filter(slug=options["round"]).first()
        if round_ is None:
            raise CommandError(f"No round with the address {options['round']!r}.")
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user {options['user']!r}.")
        else:
            actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if actor is None:
                raise CommandError("Give --user: there is no superuser.")
        try:
            answers = services.import_answers(actor, round_, Path(options["file"]).read_bytes())
        except services.ImportFailed as failure:
            raise CommandError(
                "Nothing was imported:\n" + "\n".join(str(e) for e in failure.errors)
            ) from None
        except (OSError, services.ActionRefused) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{len(answers)} answers imported (not yet published).")
