"""Rate limits on posting, supporting, commenting and reporting.

Counted in the cache, so with REDIS_URL every app server shares them (docs/scaling.md). Fixed windows:
`hit()` adds one to the person's counter for the action and says whether they are still within the limit.
Limits come from settings.RATE_LIMITS ("count/seconds"), e.g. {"comment": "10/60"}.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

DEFAULTS = {
    "propose": "5/3600",
    "rate": "120/60",
    "comment": "10/60",
    "report": "20/3600",
}

MESSAGE = _("You are doing this very often. Please wait a moment and try again.")


def _limit(action):
    spec = getattr(settings, "RATE_LIMITS", {}).get(action, DEFAULTS[action])
    count, seconds = spec.split("/")
    return int(count), int(seconds)


def hit(action: str, user) -> bool:
    """Count one `action` by `user`; False once the limit for the current window is exceeded."""
    count, seconds = _limit(action)
    window = int(time.time() // seconds)
    key = f"ratelimit:{action}:{user.pk}:{window}"
    if hasattr(cache, "count"):  # Redis (allmende.ops.cache): one round trip
        return cache.count(key, seconds + 5) <= count
    cache.add(key, 0, timeout=seconds + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=seconds + 5)
        used = 1
    return used <= count
