from django.conf import settings
from django.db.models import Max, Min, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from allmende.ops import pagecache
from allmende.ops.precompiled import copy_as_read

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


_PHASE_ROUND = Phase._meta.get_field("round")
_RELATED = ("phases", "topics", "districts")


class _KeptRound:
    """A round read with its phases, topics and districts, from which each caller gets a copy."""

    __slots__ = ("round", "related", "choices")

    def __init__(self, round_):
        self.round = round_
        prefetched = round_._prefetched_objects_cache
        # {name: (its query, its objects)}; reading `.query` applies the related manager's filter now,
        # so that the query the copies share is never changed again
        self.related = {name: (prefetched[name].query, list(prefetched[name])) for name in _RELATED}
        self.choices = {(name, c.pk): c for name in _RELATED[1:] for c in self.related[name][1]}

    def copy(self, *, choices: bool):
        """The round with copies of its phases (and with `choices` its topics and districts) in
        querysets evaluated already, as prefetching leaves them."""
        round_ = copy_as_read(self.round)
        round_._prefetched_objects_cache = {}
        for name in _RELATED if choices else _RELATED[:1]:
            query, objects = self.related[name]
            found = QuerySet(model=query.model, query=query, hints={"instance": round_})
            if name == "phases":
                found._result_cache = [copy_as_read(phase, {"round": round_}) for phase in objects]
                found._known_related_objects = {_PHASE_ROUND: {round_.pk: round_}}
            else:
                found._result_cache = [copy_as_read(choice) for choice in objects]
            found._prefetch_done = True
            round_._prefetched_objects_cache[name] = found
        return round_


def _kept(slug) -> tuple | None:
    """(version, the round with its phases, topics and districts as read) for the round `slug`, kept in
    this process until the site-wide content version changes; None where writes are not tracked."""
    if not settings.PAGE_CACHE_TRACK_WRITES:
        return None
    version = pagecache.current_versions([pagecache.SITE])[pagecache.SITE]  # before reading the data
    kept = _KEPT.get(slug)
    if kept is None or kept[0] != version:
        round_ = get_object_or_404(
            _with_phases(Round.objects.prefetch_related("topics", "districts")), slug=slug
        )
        if len(_KEPT) >= 256:
            _KEPT.clear()
        kept = _KEPT[slug] = (version, _KeptRound(round_))
    return kept


def kept_round(slug, *, choices=True):
    """The round with its phases, topics and districts, kept in this process until anything a page shows is written (the
    site-wide content version of allmende.ops.pagecache): nearly every page and every support asks for
    its round, and rounds change rarely. Each caller gets its own copy. With `choices=False` the copy
    holds the phases only (a support needs no topics or districts; asked for anyway, they are queried;
    `kept_choice` gives one of them). None where writes are not tracked (no shared cache); 404 if
    there is no such round."""
    kept = _kept(slug)
    if kept is None:
        return None
    return kept[1].copy(choices=choices)


def kept_choice(slug, kind: str, pk):
    """A copy of the kept round's topic (`kind` "topics") or district ("districts") with this id, or None
    (none such, or writes not tracked)."""
    kept = _kept(slug)
    found = kept and kept[1].choices.get((kind, pk))
    return copy_as_read(found) if found else None
