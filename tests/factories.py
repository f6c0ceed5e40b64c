"""Factories for rounds and proposals, shared by all tests."""

from datetime import timedelta

from django.utils import timezone

from allmende.proposals.models import Proposal
from allmende.rounds.models import District, Phase, Round, Topic


def make_round(slug="bh-test", phase=Phase.Kind.RATING, mode=Round.RatingMode.SUPPORT, **extra):
    """A round whose `phase` is running now; the other phases lie before and after it."""
    round_ = Round.objects.create(
        title=f"Runde {slug}", slug=slug, reference_prefix="BH2030", rating_mode=mode, **extra
    )
    now = timezone.now()
    kinds = list(Phase.Kind)
    current = kinds.index(phase)
    for index, kind in enumerate(kinds):
        start = now + timedelta(days=(index - current) * 10 - 1)
        Phase.objects.create(round=round_, kind=kind, starts_at=start, ends_at=start + timedelta(days=10))
    topic, _created = Topic.objects.get_or_create(slug="verkehr", defaults={"name": "Verkehr"})
    district, _created = District.objects.get_or_create(slug="altstadt", defaults={"name": "Altstadt"})
    round_.topics.add(topic)
    round_.districts.add(district)
    return round_


def make_proposal(round_, author=None, number=None, **fields):
    number = number or (round_.proposals.count() + 1)
    data = {
        "title": f"Vorschlag {number}",
        "summary": "Kurz",
        "description": "Lang",
        "direction": Proposal.Direction.MORE,
        "topic": round_.topics.first(),
        **fields,
    }
    return Proposal.objects.create(round=round_, number=number, author=author, **data)
