import pickle

from django.conf import settings
from django.db.models import Max, Min, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone

from allmende.ops import pagecache

from .models import Phase, Round


def _with_phases(queryset):
    return queryset.prefetch_related(Prefetch("phases", queryset=Phase.objects.order_by("starts_at")))


def current_rounds(now=None):
    """Rounds that have begun and whose last phase has not ended."""
    now = now or timezone.now()
    rounds = Round.objects.annotate(first=Min("phases__starts_at"), last=Max("phases__ends_at")).filter(
        first__lte=now, last__gt=now
    )
    return _with_phases(rounds.order_by("-first"))


def past_rounds(now=None):
    now = now or timezone.now()
    rounds = Round.objects.annotate(last=Max("phases__ends_at")).filter(last__lte=now)
    return _with_phases(rounds.order_by("-last"))


def round_by_slug(slug):
    """The round with its phases (404 if there is none)."""
    return kept_round(slug) or get_object_or_404(_with_phases(Round.objects.all()), slug=slug)


_KEPT: dict[str, tuple] = {}


def _kept(slug) -> tuple | None:
    """(version, the round pickled with its phases, topics and districts, the same with its phases only,
    {(kind, pk): the topic or district pickled}) for the round `slug`, kept in this process until the
    site-wide content version changes; None where writes are not tracked."""
    if not settings.PAGE_CACHE_TRACK_WRITES:
        return None
    version = pagecache.current_versions([pagecache.SITE])[pagecache.SITE]  # before reading the data
    kept = _KEPT.get(slug)
    if kept is None or kept[0] != version:
        round_ = get_object_or_404(
            _with_phases(Round.objects.prefetch_related("topics", "districts")), slug=slug
        )
        lean = pickle.loads(pickle.dumps(round_))  # noqa: S301 (bytes this process pickled itself)
        choices = {}
        for name in ("topics", "districts"):
            for choice in lean._prefetched_objects_cache.pop(name):
                choices[name, choice.pk] = pickle.dumps(choice)
        if len(_KEPT) >= 256:
            _KEPT.clear()
        kept = _KEPT[slug] = (version, pickle.dumps(round_), pickle.dumps(lean), choices)
    return kept


def kept_round(slug, *, choices=True):
    """The round with its phases, topics and districts, kept in this process until anything a page shows is written (the
    site-wide content version of allmende.ops.pagecache): nearly every page and every support asks for
    its round, and rounds change rarely. Each caller gets its own copy. With `choices=False` the copy
    holds the phases only (a support needs no topics or districts; copying them took half the time;
    asked for anyway, they are queried; `kept_choice` gives one of them). None where writes are not
    tracked (no shared cache); 404 if there is no such round."""
    kept = _kept(slug)
    if kept is None:
        return None
    return pickle.loads(kept[1] if choices else kept[2])  # noqa: S301 (bytes this process pickled itself)


def kept_choice(slug, kind: str, pk):
    """A copy of the kept round's topic (`kind` "topics") or district ("districts") with this id, or None
    (none such, or writes not tracked)."""
    kept = _kept(slug)
    found = kept and kept[3].get((kind, pk))
    return pickle.loads(found) if found else None  # noqa: S301 (bytes this process pickled itself)
