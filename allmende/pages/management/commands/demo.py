from django.core.management.base import BaseCommand

from allmende import demo


class Command(BaseCommand):
    help = "Load the demo city (idempotent): rounds, pages and users of every role with printed logins."

    def handle(self, *args, **options):
        demo.build(stdout=self.stdout)
