"""Sessions read from the cache and written through to the database (Django's cached_db), with the
cache entry read in the same round trip as the request's first content versions; and the session's
person kept beside it, so that a signed-in request asks the database for neither.

A signed-in request that shows or changes a proposal reads its session and the site-wide version (for
the kept round) from Redis: two round trips one after the other, where one does. The session's entry
is named to the page cache when the session middleware makes the store (`pagecache.read_along`); if
the request reads versions before it asks for its person, the entry comes along. If it does not (or
the entry is not in the cache), the session is loaded as Django loads it.

**The person kept with the session.** The person of a session (with their roles) was one query per
signed-in request. Now the sign-in backend (`session_person`, from accounts.backends) keeps a snapshot
of the person under the session's key, stamped with `pagecache.PERSONS`: the version that every write
to the person's tables renews (a block, a role, a new password, a changed name; the last login
excepted), whoever makes it — the page cache's statement tracking sees every write of every
connection. The snapshot is used only while that version is unchanged, read in the same round trip as
the session (or, where the session did not come along, both in one round trip of their own) and
before the person would be read from the database: a snapshot made from data older than a write
carries a version older than that write's renewal. It holds no password hash: the password is left
out (deferred: read from the database where something needs it, and never written back by a save),
and the session's check uses the hash computed when the snapshot was made (`User.get_session_auth_hash`).
Snapshots are named by a digest of SECRET_KEY too, so a new key checks every session afresh. Logging
out removes the session's snapshot.
"""

import copy
import hashlib
from functools import lru_cache

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.core.cache import cache

from allmende.ops import pagecache
from allmende.ops.precompiled import copy_as_read

# How long a person's snapshot is kept without being used: an hour (a snapshot nobody reads is only
# memory; one that is read stays valid as long as the version does).
SNAPSHOT_SECONDS = 3600
_NOTE = "session person"
# This process's snapshots, {person_key: (version, user id, snapshot)}; emptied when full.
_LOCAL: dict[str, tuple] = {}
_LOCAL_MAX = 4096


@lru_cache(maxsize=4)
def _secret_digest(secret: str) -> str:
    return hashlib.blake2b(secret.encode(), digest_size=6, person=b"allmende-person").hexdigest()


def person_key(session_key: str) -> str:
    """The cache entry of the snapshot of a session's person."""
    return f"person:{_secret_digest(settings.SECRET_KEY)}:{session_key}"


class _Candidate:
    """What this request read of its session's person: the version and the snapshot (None where the
    cache had none; `version` None where they were not read yet)."""

    __slots__ = ("key", "version", "kept")

    def __init__(self, key, version, kept):
        self.key, self.version, self.kept = key, version, kept


class SessionStore(CachedDBStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        if self.session_key and settings.SESSION_CACHE_ALIAS == "default":  # the page cache's own cache
            pagecache.read_along(self.cache_key_prefix + self.session_key)
            if settings.PAGE_CACHE_TRACK_WRITES:
                pagecache.read_along(pagecache.PERSONS)
                key = person_key(self.session_key)
                if key not in _LOCAL:
                    pagecache.read_along(key)

    def load(self):
        if self.session_key:
            self._note_person()
            came, data = pagecache.taken_along(self.cache_key_prefix + self.session_key)
            if came and data is not None:
                return data
        return super().load()

    def _note_person(self):
        notes = pagecache.request_notes()
        if notes is None or not settings.PAGE_CACHE_TRACK_WRITES or settings.SESSION_CACHE_ALIAS != "default":
            return
        key = person_key(self.session_key)
        came, version = pagecache.taken_along(pagecache.PERSONS)
        kept = _LOCAL.get(key)
        if kept is None:
            _came, kept = pagecache.taken_along(key)
        notes[_NOTE] = _Candidate(key, version if came else None, kept)

    def delete(self, session_key=None):
        key = session_key or self.session_key
        super().delete(session_key)
        if key:
            cache.delete(person_key(key))
            _LOCAL.pop(person_key(key), None)
            notes = pagecache.request_notes()
            if notes is not None:  # signed out, or in again under a new key: the person is read afresh
                notes.pop(_NOTE, None)


def session_person(user_id, load):
    """The person of this request's session with the id `user_id`: its snapshot if current, else
    `load(user_id)` (the database), then kept. Outside a request, for another session engine or with
    writes not tracked: `load(user_id)`."""
    notes = pagecache.request_notes()
    candidate = notes.get(_NOTE) if notes is not None else None
    if candidate is None:
        return load(user_id)
    if candidate.version is None:  # the version before the person is read (created if missing)
        also = (candidate.key,) if candidate.kept is None else ()
        found = pagecache.current_versions([pagecache.PERSONS], also=also)
        candidate.version = found[pagecache.PERSONS]
        if also:
            candidate.kept = found.get(candidate.key)
    kept = candidate.kept
    if kept is not None and kept[0] == candidate.version and kept[1] == user_id:
        _keep(candidate.key, kept)
        return copy_as_read(kept[2])
    person = load(user_id)
    if person is not None:
        kept = (candidate.version, user_id, _snapshot(person))
        cache.set(candidate.key, kept, timeout=SNAPSHOT_SECONDS)
        _keep(candidate.key, kept)
    return person


def _keep(key, kept):
    """Keep `kept` as this process's snapshot for `key` (in place of an older one)."""
    if _LOCAL.get(key) is not kept:
        if len(_LOCAL) >= _LOCAL_MAX and key not in _LOCAL:
            _LOCAL.clear()
        _LOCAL[key] = kept


def _snapshot(person):
    """A copy of `person` without the password hash, with the session hash it gives."""
    kept = copy.copy(person)
    kept._kept_session_auth_hash = person.get_session_auth_hash()
    del kept.__dict__["password"]
    return kept
