"""Import council papers (Drucksachen) from a council information system over OParl 1.0 or 1.1.

The importer starts at a System or a Body object, finds each body's paper list and follows the list's
`links.next` page by page (it never builds page URLs itself: vendors differ). Each page is written in
one transaction together with the link to the page after it, so a run that stops on a network error,
a timeout, an HTTP error or a malformed page resumes there next time. Nightly runs ask only for papers
changed since the last complete pass began (`modified_since`), which also brings soft-deleted papers.

Papers are matched by their OParl `id` (their URL). See docs/oparl.md for the vendor quirks tolerated.
"""

import http.client
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.db import IntegrityError, transaction
from django.db.models import Q, Value
from django.db.models.functions import Lower
from django.utils import timezone

from .models import CouncilPaper, OParlImportState

logger = logging.getLogger(__name__)

USER_AGENT = "allmende-oparl-import/1"
DEFAULT_TIMEOUT = 30.0
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
# Asking for changes since a little before the last pass began covers clocks that disagree a little.
SYNC_OVERLAP = timedelta(minutes=15)

_field = CouncilPaper._meta.get_field


class OParlError(Exception):
    """The import cannot go on: the message says which URL and why."""


class NetworkError(OParlError):
    """No answer: the server cannot be reached, the connection broke or the timeout ran out."""


class HTTPStatusError(OParlError):
    """The server answered with an HTTP error status."""


class MalformedError(OParlError):
    """The answer is not the OParl JSON the importer expected."""


# --- fetching -------------------------------------------------------------------------------------


class _HTTPOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, f"redirect to a non-HTTP URL: {newurl}", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener():
    # Only HTTP(S): a server's `links.next` must never make us open a file: or ftp: URL.
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),  # honours http_proxy/https_proxy/no_proxy, as cities often need
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _HTTPOnlyRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


class Client:
    """Fetches OParl objects as dictionaries; every failure becomes an `OParlError` naming the URL."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT):
        self.timeout = timeout
        self.opener = _opener()
        self.requests = 0

    def get_json(self, url: str) -> dict:
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            raise MalformedError(f"{url!r} is not an http(s) URL")
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
        )
        self.requests += 1
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                body = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as error:
            error.close()
            raise HTTPStatusError(f"{url}: HTTP error {error.code} {error.reason}") from None
        except TimeoutError:
            raise NetworkError(f"{url}: no answer within {self.timeout:g} seconds") from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise NetworkError(f"{url}: no answer within {self.timeout:g} seconds") from None
            raise NetworkError(f"{url}: cannot connect ({error.reason})") from None
        except (OSError, http.client.HTTPException) as error:
            raise NetworkError(f"{url}: connection failed ({error.__class__.__name__}: {error})") from None
        if len(body) > MAX_RESPONSE_BYTES:
            raise MalformedError(f"{url}: the answer is larger than {MAX_RESPONSE_BYTES} bytes")
        try:
            data = json.loads(body)
        except ValueError as error:  # also UnicodeDecodeError
            raise MalformedError(f"{url}: the answer is not valid JSON ({error})") from None
        if not isinstance(data, dict):
            raise MalformedError(f"{url}: the answer is not a JSON object")
        return data


# --- reading OParl objects tolerantly -------------------------------------------------------------


def object_type(obj) -> str:
    """ "Paper" for https://schema.oparl.org/1.0/Paper, …/1.1/Paper and older drafts' type URLs."""
    value = obj.get("type") if isinstance(obj, dict) else None
    if not isinstance(value, str):
        return ""
    return value.rstrip("/").rsplit("/", 1)[-1]


def with_query(url: str, **params) -> str:
    """`url` with these query parameters set (others kept)."""
    parts = urlsplit(url)
    query = [
        (key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key not in params
    ]
    query.extend(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def format_datetime(moment: datetime) -> str:
    """An OParl date-time: ISO 8601 with the offset, seconds precision, in the site's time zone."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def parse_datetime(value) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def parse_date(value) -> date | None:
    """A date; vendors also send a date-time where a date is meant."""
    if not isinstance(value, str) or len(value.strip()) < 10:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _text(value, name: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return ""
    # PostgreSQL refuses NUL characters in text; some exports carry them.
    value = " ".join(value.replace("\x00", "").split())
    return value[: _field(name).max_length]


def _url(value, name: str) -> str:
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if (
        "\x00" in value
        or urlsplit(value).scheme not in ("http", "https")
        or len(value) > _field(name).max_length
    ):
        return ""
    return value


def _size(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 0 <= value < 2**63:
        return value
    return None


@dataclass
class MainFile:
    url: str = ""
    name: str = ""
    size: int | None = None
    mime: str = ""

    @classmethod
    def from_object(cls, obj: dict) -> "MainFile":
        return cls(
            url=_url(obj.get("accessUrl"), "main_file_url") or _url(obj.get("downloadUrl"), "main_file_url"),
            name=_text(obj.get("fileName"), "main_file_name") or _text(obj.get("name"), "main_file_name"),
            size=_size(obj.get("size")),
            mime=_text(obj.get("mimeType"), "main_file_mime"),
        )


@dataclass
class PaperData:
    """One paper as read from a page, ready to be written."""

    oparl_id: str
    modified: datetime | None = None
    deleted: bool = False
    unchanged: bool = False
    fields: dict = field(default_factory=dict)
    main_file: MainFile | None = None  # None: keep what is stored (e.g. the file could not be read)


@dataclass
class Summary:
    bodies: int = 0
    pages: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    skipped: int = 0
    warnings: int = 0
    failures: list = field(default_factory=list)
    stopped_at_max_pages: bool = False

    def counts(self) -> tuple[int, int, int, int, int]:
        return self.created, self.updated, self.unchanged, self.deleted, self.skipped

    def line(self) -> str:
        return (
            f"{self.bodies} bodies, {self.pages} pages: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.deleted} deleted, {self.skipped} skipped"
        )


# --- the importer ---------------------------------------------------------------------------------


class Importer:
    """One import run. `run(url)` returns a `Summary`; failures of a body's paper list are in
    `summary.failures` (the other bodies are still imported); a failure to read the entry point
    raises `OParlError`."""

    def __init__(
        self,
        client: Client,
        *,
        modified_since: datetime | None = None,
        full: bool = False,
        max_pages: int | None = None,
        now: Callable[[], datetime] = timezone.now,
    ):
        self.client = client
        self.modified_since = modified_since
        self.full = full
        self.max_pages = max_pages
        self.now = now
        self.summary = Summary()

    def warn(self, message: str):
        self.summary.warnings += 1
        logger.warning("OParl: %s", message)

    # entry point and bodies

    def run(self, url: str) -> Summary:
        entry = self.client.get_json(url)
        kind = object_type(entry)
        if kind == "System" or (not kind and "oparlVersion" in entry):
            bodies = self._bodies_of_system(entry, url)
        elif kind == "Body" or (not kind and "paper" in entry):
            bodies = [entry]
        else:
            raise MalformedError(f"{url}: expected an OParl System or Body, found type {entry.get('type')!r}")
        for body in bodies:
            if self._pages_left() == 0:
                self.summary.stopped_at_max_pages = True
                break
            self.summary.bodies += 1
            try:
                self._import_body(body)
            except OParlError as error:
                self.summary.failures.append(str(error))
                logger.error("OParl: import of %s stopped: %s", body.get("id") or "a body", error)
        logger.info(
            "OParl import %s: %s",
            "failed" if self.summary.failures else "finished",
            self.summary.line(),
            extra={
                "oparl_url": url,
                "bodies": self.summary.bodies,
                "pages": self.summary.pages,
                "papers_created": self.summary.created,
                "papers_updated": self.summary.updated,
                "papers_unchanged": self.summary.unchanged,
                "papers_deleted": self.summary.deleted,
                "papers_skipped": self.summary.skipped,
                "failures": len(self.summary.failures),
            },
        )
        return self.summary

    def _bodies_of_system(self, system: dict, url: str) -> list[dict]:
        value = system.get("body")
        if isinstance(value, dict):  # one embedded body
            items = [value]
        elif isinstance(value, list):  # embedded or referenced bodies instead of a list URL
            items = value
        elif isinstance(value, str):
            items = []
            for page in self._pages(value):
                items.extend(page)
        else:
            raise MalformedError(f"{url}: the System has no body list")
        bodies = []
        for item in items:
            if isinstance(item, str):
                item = self.client.get_json(item)
            if isinstance(item, dict) and item.get("deleted") is True:
                continue
            if isinstance(item, dict) and object_type(item) in ("Body", ""):
                bodies.append(item)
            else:
                self.warn(f"{url}: a body list entry is not a Body; ignored")
        return bodies

    def _pages(self, url: str):
        """The `data` of each page of a small list (the bodies), following `links.next`."""
        seen = set()
        while url:
            seen.add(url)
            page = self.client.get_json(url)
            data, url = self._split_page(page, url, seen)
            yield data

    def _split_page(self, page: dict, url: str, seen: set) -> tuple[list, str]:
        data = page.get("data")
        if not isinstance(data, list):
            raise MalformedError(f"{url}: not an OParl list page (no `data` array)")
        links = page.get("links")
        next_url = links.get("next") if isinstance(links, dict) else None
        if next_url in (None, ""):
            return data, ""
        if not isinstance(next_url, str) or urlsplit(next_url).scheme not in ("http", "https"):
            raise MalformedError(f"{url}: `links.next` is not a URL: {next_url!r}")
        if len(next_url) > OParlImportState._meta.get_field("next_url").max_length:
            raise MalformedError(f"{url}: `links.next` is too long to keep")
        if next_url in seen:
            raise MalformedError(f"{url}: `links.next` leads back to a page already read ({next_url})")
        return data, next_url

    def _pages_left(self):
        if self.max_pages is None:
            return None
        return max(self.max_pages - self.summary.pages, 0)

    # one body's paper list

    def _import_body(self, body: dict):
        body_id = _url(body.get("id"), "oparl_id")
        body_name = (
            _text(body.get("name"), "body_name") or _text(body.get("shortName"), "body_name") or body_id
        )[: _field("body_name").max_length]
        list_url = body.get("paper")
        if not isinstance(list_url, str) or urlsplit(list_url).scheme not in ("http", "https"):
            self.warn(f"{body_id or body_name}: the Body has no paper list; skipped")
            return
        if len(list_url) > OParlImportState._meta.get_field("list_url").max_length:
            raise MalformedError(f"{list_url}: the paper list URL is too long")
        state, _created = OParlImportState.objects.get_or_create(
            list_url=list_url, defaults={"body_oparl_id": body_id, "body_name": body_name}
        )
        state.body_oparl_id, state.body_name = body_id, body_name
        url = self._start(state, list_url)
        seen: set[str] = set()
        while url:
            if self._pages_left() == 0:
                self.summary.stopped_at_max_pages = True
                logger.info(
                    "OParl: %s: stopped after %d pages; the next run goes on at %s",
                    body_name,
                    self.max_pages,
                    url,
                )
                return
            seen.add(url)
            before = self.summary.counts()
            try:
                page = self.client.get_json(url)
                data, next_url = self._split_page(page, url, seen)
                papers = self._prepare(data, body_name, url)
            except OParlError as error:
                self._record_error(state, str(error))
                raise
            with transaction.atomic():
                self._write(papers, body_name)
                self._advance(state, next_url)
            self.summary.pages += 1
            after = self.summary.counts()
            logger.info(
                "OParl: %s: page %d (%s): %d created, %d updated, %d unchanged, %d deleted, %d skipped",
                body_name,
                state.pages_done,
                url,
                *(now - then for now, then in zip(after, before, strict=True)),
            )
            url = next_url

    def _start(self, state: OParlImportState, list_url: str) -> str:
        """The URL this run begins with: the resume point, or the list's first page with a filter."""
        explicit = self.full or self.modified_since is not None
        if state.next_url and not explicit:
            logger.info("OParl: %s: resuming the import at %s", state.body_name, state.next_url)
            state.save()
            return state.next_url
        if state.next_url:
            logger.info("OParl: %s: starting afresh; the unfinished import is abandoned", state.body_name)
        if self.full:
            since = None
        elif self.modified_since is not None:
            since = self.modified_since
        elif state.last_success_started_at is not None:
            since = state.last_success_started_at - SYNC_OVERLAP
        else:
            since = None
        first = with_query(list_url, modified_since=format_datetime(since)) if since else list_url
        state.pass_started_at = self.now()
        state.pass_modified_since = since
        state.pages_done = 0
        state.next_url = first
        state.save()
        logger.info(
            "OParl: %s: importing papers%s from %s",
            state.body_name,
            f" changed since {format_datetime(since)}" if since else "",
            first,
        )
        return first

    def _advance(self, state: OParlImportState, next_url: str):
        state.pages_done += 1
        state.next_url = next_url
        if not next_url:
            # The pass is complete. It advances the "changed since" mark only if it asked for at least
            # every change since the last complete pass; otherwise the next run would miss some.
            since, last = state.pass_modified_since, state.last_success_started_at
            if since is None or (last is not None and since <= last):
                state.last_success_started_at = state.pass_started_at
            state.pass_started_at = None
            state.pass_modified_since = None
        state.save()

    def _record_error(self, state: OParlImportState, message: str):
        state.last_error = message
        state.last_error_at = self.now()
        state.save(update_fields=["last_error", "last_error_at", "updated_at"])

    # papers

    def _prepare(self, items: list, body_name: str, page_url: str) -> list[PaperData]:
        """Read a page's papers (fetching referenced ones and their main files), before any writing."""
        ids = [item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)]
        stored = {
            row["oparl_id"]: row
            for row in CouncilPaper.objects.filter(oparl_id__in=ids).values(
                "oparl_id", "modified", "deleted", "body_name"
            )
        }
        papers = []
        for item in items:
            if isinstance(item, str):  # a paper given by its URL instead of embedded
                item = self._fetch_optional(item, "paper")
            paper = self._read_paper(item, body_name, page_url, stored)
            if paper is None:
                self.summary.skipped += 1
            else:
                papers.append(paper)
        return papers

    def _fetch_optional(self, url: str, what: str):
        """An object referenced by URL; HTTP errors and malformed answers are warnings, but a network
        failure stops the page (the server is probably down, and the next run resumes here)."""
        try:
            return self.client.get_json(url)
        except (HTTPStatusError, MalformedError) as error:
            self.warn(f"the {what} could not be read: {error}")
            return None

    def _read_paper(self, item, body_name: str, page_url: str, stored: dict) -> PaperData | None:
        if not isinstance(item, dict):
            if item is not None:
                self.warn(f"{page_url}: a list entry is not an object; skipped")
            return None
        oparl_id = _url(item.get("id"), "oparl_id")
        if not oparl_id:
            self.warn(f"{page_url}: a paper without a usable `id`; skipped")
            return None
        kind = object_type(item)
        if kind not in ("Paper", ""):
            self.warn(f"{oparl_id}: type {kind!r} is not a Paper; skipped")
            return None
        modified = parse_datetime(item.get("modified"))
        if item.get("deleted") is True:
            return PaperData(oparl_id, modified=modified, deleted=True)
        row = stored.get(oparl_id)
        if (
            row is not None
            and modified is not None
            and row["modified"] == modified
            and not row["deleted"]
            and row["body_name"] == body_name
        ):
            return PaperData(oparl_id, modified=modified, unchanged=True)
        fields = {
            "reference": _text(item.get("reference"), "reference"),
            "title": _text(item.get("name"), "title"),
            "date": parse_date(item.get("date")),
            "paper_type": _text(item.get("paperType"), "paper_type"),
            "web_url": _url(item.get("web"), "web_url"),
            "body_name": body_name,
        }
        return PaperData(
            oparl_id,
            modified=modified,
            fields=fields,
            main_file=self._main_file(item.get("mainFile"), oparl_id),
        )

    def _main_file(self, value, oparl_id: str) -> MainFile | None:
        if isinstance(value, list):  # quirk: an array where one object is meant
            value = value[0] if value else None
        if value is None:
            return MainFile()
        if isinstance(value, dict) and not (value.get("accessUrl") or value.get("downloadUrl")):
            value = value.get("id")  # quirk: a stub with only the id
        if isinstance(value, str):  # referenced, not embedded: fetch the File object
            if not _url(value, "main_file_url"):
                self.warn(f"{oparl_id}: `mainFile` is neither a File nor a URL; ignored")
                return MainFile()
            value = self._fetch_optional(value, f"main file of {oparl_id}")
            if value is None:
                return None
        if not isinstance(value, dict):
            self.warn(f"{oparl_id}: `mainFile` is neither a File nor a URL; ignored")
            return MainFile()
        return MainFile.from_object(value)

    def _write(self, papers: list[PaperData], body_name: str):
        summary = self.summary
        moment = timezone.now()
        # Deletions first, so a paper deleted and re-created under the same reference on one page
        # does not collide with itself.
        for paper in sorted(papers, key=lambda p: not p.deleted):
            if paper.unchanged:
                summary.unchanged += 1
                continue
            if paper.deleted:
                changes = {"deleted": True, "updated_at": moment}
                if paper.modified is not None:
                    changes["modified"] = paper.modified
                summary.deleted += CouncilPaper.objects.filter(oparl_id=paper.oparl_id, deleted=False).update(
                    **changes
                )
                continue
            obj = (
                CouncilPaper.objects.filter(oparl_id=paper.oparl_id).first()
                or self._hand_entered(paper)
                or CouncilPaper(oparl_id=paper.oparl_id)
            )
            adding = obj._state.adding
            values = {
                **paper.fields,
                "oparl_id": paper.oparl_id,
                "modified": paper.modified,
                "deleted": False,
            }
            if paper.main_file is not None:
                values.update(
                    main_file_url=paper.main_file.url,
                    main_file_name=paper.main_file.name,
                    main_file_size=paper.main_file.size,
                    main_file_mime=paper.main_file.mime,
                )
            if not adding and all(getattr(obj, name) == value for name, value in values.items()):
                summary.unchanged += 1
                continue
            for name, value in values.items():
                setattr(obj, name, value)
            try:
                with transaction.atomic():
                    obj.save()
            except IntegrityError:
                self.warn(
                    f"{paper.oparl_id}: another paper of {body_name} has the reference "
                    f"{obj.reference!r}; skipped"
                )
                summary.skipped += 1
                continue
            if adding:
                summary.created += 1
            else:
                summary.updated += 1

    def _hand_entered(self, paper: PaperData):
        """A paper staff entered by hand before the import knew it: same reference, same body or none.
        The import takes it over, so links to it stay."""
        reference = paper.fields.get("reference")
        if not reference:
            return None
        return (
            CouncilPaper.objects.alias(reference_lower=Lower("reference"))
            .filter(
                Q(body_name=paper.fields["body_name"]) | Q(body_name=""),
                reference_lower=Lower(Value(reference)),
                oparl_id__isnull=True,
                deleted=False,
            )
            .order_by("-body_name", "id")
            .first()
        )
