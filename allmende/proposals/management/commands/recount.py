from django.core.management.base import BaseCommand

from allmende.proposals.services import recount


class Command(BaseCommand):
    help = "Check every proposal's counters against its supports and ratings; --fix corrects any drift."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="write the recounted values")

    def handle(self, *args, fix=False, **options):
        drift = recount(fix=fix)
        for item in drift:
            self.stdout.write(f"{item['reference']}: stored {item['stored']} counted {item['counted']}")
        verb = "corrected" if fix else "found"
        self.stdout.write(f"{len(drift)} proposal(s) with drifting counters {verb}.")
        if drift and not fix:
            raise SystemExit(1)
