"""Sessions read from the cache and written through to the database (Django's cached_db), with the
cache entry read in the same round trip as the request's first content versions.

A signed-in request that shows or changes a proposal reads its session and the site-wide version (for
the kept round) from Redis: two round trips one after the other, where one does. The session's entry
is named to the page cache when the session middleware makes the store (`pagecache.read_along`); if
the request reads versions before it asks for its person, the entry comes along. If it does not (or
the entry is not in the cache), the session is loaded as Django loads it.
"""

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from allmende.ops import pagecache


class SessionStore(CachedDBStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        if self.session_key and settings.SESSION_CACHE_ALIAS == "default":  # the page cache's own cache
            pagecache.read_along(self.cache_key_prefix + self.session_key)

    def load(self):
        if self.session_key:
            came, data = pagecache.taken_along(self.cache_key_prefix + self.session_key)
            if came and data is not None:
                return data
        return super().load()
