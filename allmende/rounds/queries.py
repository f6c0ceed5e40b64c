from django.db.models import Max, Min, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone

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
    return get_object_or_404(_with_phases(Round.objects.all()), slug=slug)
