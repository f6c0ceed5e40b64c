"""Public pages kept until what they show changes.

The micro-cache (microcache.py) keeps a page for a few seconds. A proposal's page is read far more often
than it changes, and readers spread over thousands of proposals, so a few seconds rarely help it. Here
the page an anonymous reader gets is kept until something it shows changes: at most
settings.PAGE_CACHE_SECONDS, and never past the round's next phase change (the page depends on the
phase). A deployment that changes the code, templates or translations starts afresh (`code_version`).

**How a change is noticed, whoever makes it.** Every SQL statement passes `track_writes`, a database
execute wrapper installed on every connection (views, admin, management commands, timers, tasks alike).
An INSERT, UPDATE or DELETE of a table that a public page may show renews a *content version* in the
cache:

- inside `proposal_scope(proposal)` (supporting, rating; posting, editing, deleting, highlighting and
  reporting a comment; a new proposal), writes to that proposal's own rows renew that proposal's
  version only, so a support invalidates one page;
- every other write renews the site-wide version (a renamed topic, an answer, a moderator's decision);
- tables no public page shows (sessions, tasks, follows, reports, e-mail addresses, a new account, a
  person's last login or language) renew nothing;
- a write to the tables a signed-in person is read from (the person, their roles: PERSON_TABLES) but
  for their last login renews PERSONS, the version of the persons kept with their sessions
  (accounts.sessions); a statement this module cannot classify renews it too;
- a statement this module cannot classify renews the site-wide version (too often is safe, too rarely
  is not); on PostgreSQL one that changed no row (its row count is exact there) renews nothing.

A version is renewed at the first write that changes it, inside the transaction (if the cache cannot be
reached, the change fails instead of leaving a stale page), and once more after the commit (a page
rendered between the two from the not yet committed, old data is then never served). A write that is
one statement without a transaction (a support or its withdrawal on PostgreSQL: the row and the
counters in one CTE) is renewed after it; such a service must reach the cache before it writes (the
support's rate limit counts there), so that an unreachable cache refuses the change there too.
Further writes to the same content in the same atomic block renew nothing more: until the commit,
others read the old data, which the renewal after the commit covers. A page is stored with the versions read
*before* rendering it and served only while they are still current. Versions are random tokens, not
counters: if the cache loses one, the new token matches no stored page.

Within one request (`RequestVersions`, a middleware) a version is read from the cache once: the page
cache's lookup reads the site-wide version, and the kept round (rounds.queries.kept_round) takes it
from there instead of asking again. That is safe because every later read of data in the request is at
least as new as the version read first; the request's own renewals replace what it remembers. Other
cache entries the request will need can come along with its first read of versions (`read_along`,
`taken_along`): a signed-in person's session does (accounts.sessions). Kept pages and pieces are
written at the end of the request, together in one round trip (`write_along`): an anonymous page
rendered afresh stores its pieces and itself. A version the cache lacks (expired, evicted, never made)
is made in that same round trip, only where it is still missing then: the request uses its own token
meanwhile, and where another process made or renewed the version in between, theirs counts and what the
request kept under its token is never served (outside a request it is made at once, as before).

Pieces of a page that are the same for every reader allowed to see it (a proposal's title and author
line, text, facts and timeline) are kept on the same terms for readers whose page is rendered anyway
(`Fragment`): signed-in readers render only their own parts around them.

Needs a cache shared by every process that writes (Redis, settings.REDIS_URL); with a per-process memory
cache it is off unless PAGE_CACHE_SECONDS is set explicitly (`make run` has one process).
"""

import contextvars
import hashlib
import logging
import re
import secrets
import zlib
from contextlib import contextmanager
from datetime import datetime
from functools import cache as cache_result
from functools import lru_cache, wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .microcache import _cacheable, public_microcache

log = logging.getLogger(__name__)

SITE = "content:site"
# The version of every signed-in person's kept snapshot (accounts.sessions): renewed by any write to the
# tables a session's person is read from, so that a block, a new role or a new password counts at once.
PERSONS = "content:persons"


def _version_timeout() -> int:
    """How long a version is kept after it was made or last renewed: twice a page's longest life, at
    least a day (a proposal unchanged for that long has its pages rendered once more, no more). Not for
    ever: every address asked for makes its version, also a proposal number typed at random, and the
    versions of addresses nobody asks for any more must not pile up. A version that expired is made anew
    with a new token, so pages stored with the old one are rendered afresh, never served stale."""
    return max(2 * settings.PAGE_CACHE_SECONDS, 86400)


# Tables no public page shows: writing them changes no public page.
PRIVATE_TABLES = frozenset(
    {
        "django_session",
        "django_tasks_database_dbtaskresult",
        "django_admin_log",
        "account_emailaddress",
        "account_emailconfirmation",
        "notifications_follow",
        "notifications_notificationsettings",
        "moderation_report",
        "moderation_auditentry",
        "pages_accessibilityfeedback",
        "accountability_oparlimportstate",
    }
)
# Columns of a person that no public page shows (login time, chosen language, password hash).
PRIVATE_USER_COLUMNS = frozenset({"last_login", "language", "password"})
# The tables a session's person is read from (accounts.backends: the person and their roles); a write
# to them renews PERSONS. Only the last login is left out (sign-in writes it, and nothing reads it
# from a snapshot).
PERSON_TABLES = frozenset({"accounts_user", "accounts_user_groups", "auth_group"})
# In a proposal's scope, writes to these tables concern that proposal alone.
PROPOSAL_TABLES = frozenset({"proposals_proposal", "proposals_support", "comments_comment"})
# Statements that write nothing.
_READS = frozenset(
    {"SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET", "SHOW", "EXPLAIN", "PRAGMA"}
)
_WRITE_WORD = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_TARGET = r'(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO|MERGE\s+INTO)\s+"?(\w+)"?'
_WRITE = re.compile(r"\s*" + _TARGET, re.IGNORECASE)  # the table a statement starts by writing
# Every table a statement writes (a CTE may write several: WITH ins AS (INSERT ...) UPDATE ...).
_WRITE_TARGETS = re.compile(r"\b" + _TARGET, re.IGNORECASE)
_SET_COLUMNS = re.compile(r"\bSET\s+(.*?)\s+WHERE\b", re.IGNORECASE | re.DOTALL)
_COLUMN = re.compile(r'"?(\w+)"?\s*=')

_scope: contextvars.ContextVar[str | None] = contextvars.ContextVar("content_scope", default=None)


class _Reads:
    """What one request has read of the cache: versions (also those it renewed itself), entries to
    read along with the next versions, and entries read along, not yet taken."""

    __slots__ = ("versions", "along", "taken", "notes", "writes")

    def __init__(self):
        self.versions: dict[str, str] = {}
        self.along: list[str] = []
        self.taken: dict[str, object] = {}
        self.notes: dict[str, object] = {}
        # key -> (value, timeout, only where missing): write_along, and versions this request made
        self.writes: dict[str, tuple[object, int, bool]] = {}


_MISSING = object()
# This request's reads (RequestVersions); None outside a request.
_reads: contextvars.ContextVar[_Reads | None] = contextvars.ContextVar("content_reads", default=None)


class RequestVersions:
    """Middleware: the versions a request reads are remembered until it ends (see the module's docs)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reads = _Reads()
        token = _reads.set(reads)
        try:
            response = self.get_response(request)
            if reads.writes:
                _write(reads.writes)
            return response
        finally:
            _reads.reset(token)


def write_along(key: str, value, timeout: int) -> None:
    """Store `value` under `key` for `timeout` seconds when the request ends, in one round trip with its
    other such writes (outside a request: now). Only for entries the request itself does not read
    again: kept pages and pieces."""
    reads = _reads.get()
    if reads is None:
        _write({key: (value, timeout, False)})
    else:
        reads.writes[key] = (value, timeout, False)


def _write(entries: dict[str, tuple[object, int, bool]]) -> None:
    """Store each `key: (value, timeout, only_new)`; `only_new`: only where the key is missing."""
    if len(entries) > 1 and hasattr(cache, "set_each"):
        cache.set_each(entries)
        return
    for key, (value, timeout, only_new) in entries.items():
        (cache.add if only_new else cache.set)(key, value, timeout=timeout)


def read_along(key: str) -> None:
    """The entry `key` of the default cache is read with this request's next read of versions, in the
    same round trip; `taken_along` hands it out. Outside a request: nothing."""
    reads = _reads.get()
    if reads is not None and key not in reads.along:
        reads.along.append(key)


def taken_along(key: str) -> tuple[bool, object]:
    """(True, value or None where the cache had none) if `key` came along with a read of versions;
    (False, None) if not (yet): the caller reads it itself, and it no longer comes along."""
    reads = _reads.get()
    if reads is None:
        return False, None
    value = reads.taken.pop(key, _MISSING)
    if value is _MISSING:
        if key in reads.along:
            reads.along.remove(key)
        return False, None
    return True, value


def request_notes() -> dict | None:
    """A dict that lives as long as this request, for what one part of it leaves for a later one (the
    session's person, accounts.sessions); None outside a request."""
    reads = _reads.get()
    return None if reads is None else reads.notes


def proposal_key(round_slug: str, number) -> str:
    """The version of one proposal's page, named by its address (known before anything is read)."""
    return f"content:proposal:{round_slug}/{number}"


@contextmanager
def proposal_scope(proposal):
    """Writes to the proposal's own rows inside this block renew only its page's version."""
    token = _scope.set(proposal_key(proposal.round.slug, proposal.number))
    try:
        yield
    finally:
        _scope.reset(token)


def scoped_to_proposal(func):
    """For a service `func(user, proposal, ...)`: its writes to the proposal's rows concern that
    proposal's page alone (see proposal_scope)."""

    @wraps(func)
    def wrapped(user, proposal, *args, **kwargs):
        with proposal_scope(proposal):
            return func(user, proposal, *args, **kwargs)

    return wrapped


def _changed_keys(sql: str) -> tuple[str, ...]:
    """Which versions a statement renews: none for reads and private writes."""
    head = sql.lstrip(" \t\n(")[:10].split(None, 1)
    verb = head[0].upper() if head else ""
    if verb in _READS:
        return ()
    fixed, tables = _written(sql, verb)
    return fixed if tables is None else _keys_for(tables)


@lru_cache(maxsize=256)
def _written(sql: str, verb: str) -> tuple[tuple[str, ...], frozenset[str] | None]:
    """What a write's text alone decides, kept per text (the hot writes repeat theirs; reading a
    support's statement with regular expressions each time was 2 % of its CPU): the tables it writes,
    whose versions depend on the request's proposal scope, or (tables None) versions fixed by the text."""
    if verb == "WITH":
        if not _WRITE_WORD.search(sql):
            return (), None
        return (), frozenset(table.lower() for table in _WRITE_TARGETS.findall(sql))
    match = _WRITE.match(sql)
    if match is None:
        return (SITE, PERSONS), None  # DDL, anything unknown
    table = match.group(1).lower()
    if table == "accounts_user" and verb == "INSERT":
        return (), None  # a new account shows nowhere until it writes something, and has no session yet
    if table == "accounts_user" and verb == "UPDATE":
        columns = _SET_COLUMNS.search(sql)
        if columns:
            names = {c.lower() for c in _COLUMN.findall(columns.group(1))}
            if names <= {"last_login"}:
                return (), None
            if names <= PRIVATE_USER_COLUMNS:
                return (PERSONS,), None  # a password or language: no public page, but the person
    return (), frozenset({table})


def _keys_for(tables: frozenset[str]) -> tuple[str, ...]:
    """The versions that writes to `tables` renew (no table found: as for an unknown statement)."""
    key = _scoped_key(tables)
    if not tables or tables & PERSON_TABLES:
        return (key, PERSONS) if key else (PERSONS,)
    return (key,) if key else ()


def _scoped_key(tables: frozenset[str]) -> str | None:
    """The version that writes to `tables` renew: none for private tables, the proposal's own for its
    rows inside its scope, the site-wide one for anything else (also for no table found)."""
    if tables and tables <= PRIVATE_TABLES:
        return None
    scope = _scope.get()
    if scope is not None and tables and tables <= PROPOSAL_TABLES:
        return scope
    return SITE


def _renew(keys) -> None:
    tokens = {key: secrets.token_hex(8) for key in keys}
    if len(tokens) == 1:  # the usual case (one write renews one key): a plain SET, no MULTI/EXEC around it
        ((key, token),) = tokens.items()
        cache.set(key, token, timeout=_version_timeout())
    else:
        cache.set_many(tokens, timeout=_version_timeout())
    reads = _reads.get()
    if reads is not None:
        reads.versions.update(tokens)


class _AfterCommit:
    """The keys a transaction changed, renewed again once it has committed."""

    def __init__(self):
        self.keys = set()
        self.renewed = set()  # (savepoint ids, key): renewed inside this transaction in that block

    def __call__(self):
        _renew(self.keys)


def track_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if not settings.PAGE_CACHE_TRACK_WRITES:
        return result
    keys = _changed_keys(sql)
    if not keys:
        return result
    connection = context["connection"]
    if connection.vendor == "postgresql" and getattr(context.get("cursor"), "rowcount", -1) == 0:
        return result  # changed no row (an UPDATE or DELETE that matched none, an INSERT … ON CONFLICT)
    if not connection.in_atomic_block:
        _renew(keys)  # already committed
        return result
    pending = getattr(connection, "_content_after_commit", None)
    if pending is None or not any(func is pending for _sids, func, _robust in connection.run_on_commit):
        # The first write of this transaction (or the first after a savepoint's rollback dropped the
        # callback, with the keys it held): everything is renewed afresh.
        pending = connection._content_after_commit = _AfterCommit()
        transaction.on_commit(pending, using=connection.alias, robust=True)
    # Once per atomic block and version: a second write to the same content in the same block (a
    # support's row, then its proposal's counter) makes no page stale that the first renewal and the
    # one after the commit do not cover (others read the old, committed data until then). A new block
    # (savepoint) renews again: the same connection may have read its own uncommitted write in
    # between, as the tests' single transaction does.
    savepoints = tuple(connection.savepoint_ids)
    fresh = [key for key in keys if (savepoints, key) not in pending.renewed]
    if fresh:
        _renew(fresh)
        pending.renewed.update((savepoints, key) for key in fresh)
    pending.keys.update(keys)
    return result


def install(connection, **kwargs):
    """Connected to `connection_created`: every connection tracks its writes (once)."""
    if track_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(track_writes)


def install_all():
    for connection in connections.all(initialized_only=True):
        install(connection)


def current_versions(keys: list[str], also: tuple[str, ...] = ()) -> dict[str, str]:
    """The versions `keys`, created where the cache has none; with `also`, those entries too, read in
    the same round trip (absent ones are left out). Inside a request, a version it has read before is
    not asked for again."""
    reads = _reads.get()
    seen = reads.versions if reads is not None else {}
    found = {key: seen[key] for key in keys if key in seen}
    wanted = [key for key in keys if key not in found]
    along = []
    if (wanted or also) and reads is not None and reads.along:
        along, reads.along = reads.along, []
    if wanted or also:
        found.update(cache.get_many([*also, *along, *wanted]))
        for key in along:
            reads.taken[key] = found.pop(key, None)
    for key in wanted:
        if key not in found:
            token = secrets.token_hex(8)
            if reads is not None:
                # Made with the request's writes at its end (no round trip of its own), and only if still
                # missing then: where anyone renewed or made it in between, theirs counts, and what this
                # request keeps under its token is never served.
                reads.writes[key] = (token, _version_timeout(), True)
                found[key] = token
            else:  # made now, or by someone else a moment before: then theirs counts
                found[key] = token if cache.add(key, token, timeout=_version_timeout()) else cache.get(key)
    if reads is not None:
        seen.update((key, found[key]) for key in wanted)
    return found


def versioned_page(keys_for):
    """Keep the view's page for anonymous readers until one of its versions changes.

    `keys_for(**view_kwargs)` names the versions the page depends on besides the site-wide one. The view
    may set `response.content_expires` (an aware datetime) to end the page's life earlier, e.g. at the
    next phase change. With settings.PAGE_CACHE_SECONDS = 0 the view gets the micro-cache instead.
    """

    def decorate(view):
        micro = public_microcache(view)

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            seconds = settings.PAGE_CACHE_SECONDS
            if not seconds:
                return micro(request, *args, **kwargs)
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            key = f"vpage:{code_version()}:{get_language()}:{request.get_full_path()}"
            keys = [SITE, *keys_for(**kwargs)]
            versions = current_versions(keys, also=(key,))  # the page and its versions in one round trip
            entry = versions.pop(key, None)
            if entry is not None and entry[0] == versions:
                _stamp, body, content_type = entry
                response = HttpResponse(zlib.decompress(body), content_type=content_type)
                response["X-Cache"] = "hit"
                return response
            # The versions were read before the page's data: a change committed meanwhile renews them.
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                timeout = _timeout(seconds, getattr(response, "content_expires", None))
                if timeout > 0:
                    body = zlib.compress(response.content, 1)
                    write_along(key, (versions, body, response["Content-Type"]), timeout)
            return response

        return wrapped

    return decorate


class Fragment:
    """Pieces of a page that are the same for everyone allowed to see the page (a proposal's title and
    author line, its text, facts and timeline), kept like a page until one of its versions changes and
    shared by anonymous and signed-in readers: a signed-in reader's page renders only what is the
    reader's own around them.

    Made before the page's data is read (the versions must be older than the data). With `read`, its
    entry is asked for in the same round trip as the versions (and a signed-in request's session, which
    comes along); without, it is only stored (an anonymous page rendered afresh: the page cache's lookup
    has just missed, and the pieces, kept under the same versions, are as good as never there). Off where
    pages are not kept (PAGE_CACHE_SECONDS = 0): `pieces` renders every time."""

    __slots__ = ("key", "versions", "entry")

    def __init__(self, name: str, keys: list[str], *, read: bool = True):
        self.key = None
        if not settings.PAGE_CACHE_SECONDS or not settings.PAGE_CACHE_TRACK_WRITES:
            return
        self.key = f"vfrag:{code_version()}:{get_language()}:{name}"
        self.versions = current_versions([SITE, *keys], also=(self.key,) if read else ())
        self.entry = self.versions.pop(self.key, None)

    @property
    def fresh(self) -> bool:
        """Whether the kept pieces were read and are current (`pieces` will not render them)."""
        return self.key is not None and self.entry is not None and self.entry[0] == self.versions

    def pieces(self, render, expires: datetime | None = None) -> tuple[str, ...]:
        """The kept pieces if their versions are current, else `render()` (a tuple of HTML strings), then
        kept until `expires` at the latest (the next phase change, where they show what the phase
        allows)."""
        if self.key is None:
            return render()
        if self.fresh:
            text, pieces, start = zlib.decompress(self.entry[2]).decode(), [], 0
            for length in self.entry[1]:
                pieces.append(mark_safe(text[start : start + length]))  # noqa: S308 -- rendered here
                start += length
            return tuple(pieces)
        pieces = render()
        timeout = _timeout(settings.PAGE_CACHE_SECONDS, expires)
        if timeout > 0:  # the pieces compressed together: one call each way, and a smaller entry
            stored = zlib.compress("".join(pieces).encode(), 1)
            write_along(self.key, (self.versions, tuple(map(len, pieces)), stored), timeout)
        return pieces


@cache_result
def code_version() -> str:
    """A digest of the code, templates and translations this process serves: a page kept for a day must
    not outlive a deployment that changes how it looks."""
    digest = hashlib.blake2b(digest_size=8)
    for root in (Path(__file__).resolve().parent.parent, *map(Path, settings.LOCALE_PATHS)):
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".html", ".txt", ".po", ".mo", ".css", ".js", ".svg"):
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _timeout(seconds: int, expires: datetime | None) -> int:
    if expires is None:
        return seconds
    return min(seconds, int((expires - timezone.now()).total_seconds()))
