from django.core.management.base import BaseCommand

from allmende.accountability import services


class Command(BaseCommand):
    help = "Publish prepared answers whose publication day has come (run daily)."

    def handle(self, *args, **options):
        published = services.publish_due_answers()
        self.stdout.write(f"{len(published)} answers published.")
