from django.shortcuts import render
from django.utils import timezone

from allmende.ops.microcache import public_microcache
from allmende.proposals import queries as proposal_queries

from . import queries
from .permissions import Action, can, phase_allows


@public_microcache
def detail(request, slug):
    """A round's front door: where it stands, what one can do now, and the ways into its proposals."""
    round_ = queries.round_by_slug(slug)
    now = timezone.now()
    phases = list(round_.phases.all())
    current = round_.current_phase(now)
    return render(
        request,
        "rounds/detail.html",
        {
            "round": round_,
            "current_phase": current,
            "next_phase": next((p for p in phases if p.starts_at > now), None),
            "begins_at": phases[0].starts_at if phases and phases[0].starts_at > now else None,
            "ended_at": phases[-1].ends_at if phases and phases[-1].ends_at <= now else None,
            "overview": proposal_queries.round_overview(round_),
            "counts_hidden": round_.counts_hidden(now),
            "can_propose": can(request.user, Action.PROPOSE, round_),
            "proposing_open": phase_allows(round_, Action.PROPOSE, now),
            "rating_open": phase_allows(round_, Action.SUPPORT, now),
        },
    )
