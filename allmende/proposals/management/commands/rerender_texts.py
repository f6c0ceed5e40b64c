from django.core.management.base import BaseCommand

from allmende.proposals.services import rerender_descriptions


class Command(BaseCommand):
    help = (
        "Store the descriptions' HTML made by this version of the renderer where another version made it "
        "(after an upgrade of allmende, markdown-it-py or nh3; until then the pages render them themselves)."
    )

    def handle(self, *args, **options):
        count = rerender_descriptions()
        self.stdout.write(f"{count} description(s) rendered again.")
