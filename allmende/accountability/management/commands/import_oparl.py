from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from allmende.accountability.oparl import DEFAULT_TIMEOUT, Client, Importer, OParlError


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--modified-since: {value!r} is not an ISO 8601 date or date-time") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _positive(kind):
    def parse(value):
        number = kind(value)
        if number <= 0:
            raise ValueError(value)
        return number

    parse.__name__ = kind.__name__
    return parse


class Command(BaseCommand):
    help = (
        "Import council papers (Drucksachen) over OParl 1.0/1.1, starting at a System or Body URL. "
        "Without --modified-since, asks only for papers changed since the last complete import; "
        "an import that stopped on an error goes on where it stopped. See docs/oparl.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("url", help="URL of the OParl System or Body object")
        parser.add_argument(
            "--modified-since",
            type=_moment,
            help="import papers changed since this ISO 8601 date-time (local time if no offset); "
            "starts a new pass instead of resuming",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="import every paper from the first page on, ignoring the last import and any resume point",
        )
        parser.add_argument(
            "--max-pages",
            type=_positive(int),
            help="stop after this many pages of papers; the next run goes on from there",
        )
        parser.add_argument(
            "--timeout",
            type=_positive(float),
            default=DEFAULT_TIMEOUT,
            help=f"seconds to wait for the server on connecting and on each read (default {DEFAULT_TIMEOUT:g})",
        )

    def handle(
        self, *args, url, modified_since=None, full=False, max_pages=None, timeout=DEFAULT_TIMEOUT, **options
    ):
        if full and modified_since is not None:
            raise CommandError("--full and --modified-since exclude each other")
        importer = Importer(
            Client(timeout=timeout), modified_since=modified_since, full=full, max_pages=max_pages
        )
        try:
            summary = importer.run(url)
        except OParlError as error:
            raise CommandError(f"OParl import stopped: {error}") from None
        if summary.failures:
            raise CommandError(
                "OParl import stopped: "
                + "; ".join(summary.failures)
                + f" ({summary.line()}). The next run goes on where it stopped."
            )
        if summary.stopped_at_max_pages:
            self.stdout.write(
                f"Stopped after {summary.pages} pages ({summary.line()}); the next run goes on."
            )
        else:
            self.stdout.write(f"OParl import finished: {summary.line()}.")
