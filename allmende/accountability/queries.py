"""Read side of the accountability app, shared by pages, the API and the services."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from allmende.ops.precompiled import ANY_ID, Precompiled
from allmende.proposals.models import Proposal

from .models import (
    Answer,
    AnswerState,
    CouncilPaper,
    Faction,
    Milestone,
    Motion,
    ProposalPaper,
    Retrospective,
    SelectedProposal,
    Selection,
)


def normalise_reference(reference: str) -> str:
    """A reference as staff type it and as it is stored: without surrounding white space."""
    return (reference or "").strip()


def papers_by_reference(reference: str):
    """Papers not deleted in the council information system whose reference is `reference`
    (trimmed, ignoring case). Normally one; several only where two bodies use the same reference."""
    reference = normalise_reference(reference)
    if not reference:
        return CouncilPaper.objects.none()
    return (
        CouncilPaper.objects.alias(reference_lower=Lower("reference"))
        .filter(reference_lower=Lower(Value(reference)), deleted=False)
        .order_by("body_name", "id")
    )


def papers_of_proposal(proposal):
    """The council papers linked to a proposal, oldest paper first (one query)."""
    return (
        ProposalPaper.objects.filter(proposal=proposal)
        .select_related("paper")
        .order_by("paper__date", "paper__reference", "id")
    )


# --- answers, timeline, retrospective, selection, hand-over ------------------------------------------

RANK_ORDER = ["-rank_value", "-pro_count", "created_at", "id"]


def selection_order(round_):
    """The round's published proposals best first: the order of the list's "top" sort."""
    from allmende.proposals.models import Proposal

    return Proposal.objects.filter(round=round_, state=Proposal.State.PUBLISHED).order_by(*RANK_ORDER)


def public_answer(proposal, user=None):
    """The proposal's answer if `user` may see it (published, or staff who write answers), else None."""
    from allmende.rounds.permissions import can_view_answer

    answer = Answer.objects.filter(proposal=proposal).select_related("state").first()
    if answer is None or not can_view_answer(user or AnonymousUser(), answer):
        return None
    return answer


@dataclass
class Step:
    kind: str
    date: object
    title: str
    detail: str = ""
    url: str = ""
    answer: object = None
    progress: int | None = None


def record_flags() -> dict:
    """Which kinds of records a proposal has, as annotations of a Proposal queryset (`has_selected`,
    `has_answered`, …): the timeline asks for the others only where one is there. A proposal's page may
    load them with the proposal (proposals.queries.proposal_for_page)."""
    mine = OuterRef("pk")
    return {
        "has_selected": Exists(
            SelectedProposal.objects.filter(proposal=mine, selection__frozen_at__isnull=False)
        ),
        "has_answered": Exists(Answer.objects.filter(proposal=mine)),
        "has_motions": Exists(Motion.proposals.through.objects.filter(proposal=mine)),
        "has_milestones": Exists(Milestone.objects.filter(proposal=mine)),
        "has_retrospective": Exists(Retrospective.objects.filter(proposal=mine)),
    }


RECORD_FLAGS = tuple(record_flags())  # their names

_RECORDS = Precompiled(lambda pk: Proposal.objects.filter(pk=pk).values(**record_flags()), ANY_ID)


def _timeline_records(proposal) -> dict[str, bool]:
    """Which kinds of records the proposal has: loaded with it (its page), or in one query: most
    proposals have none, and their page then needs one query for the timeline instead of one per kind.
    Compiled once per process (compiling its five subqueries cost 1.4 ms of CPU on every proposal page,
    running it a tenth)."""
    if all(hasattr(proposal, name) for name in RECORD_FLAGS):
        return {name: bool(getattr(proposal, name)) for name in RECORD_FLAGS}
    rows = _RECORDS.rows(proposal.pk)
    if not rows:
        raise Proposal.DoesNotExist
    return {kind: bool(value) for kind, value in zip(_RECORDS.names(), rows[0], strict=True)}


def timeline(proposal, user=None) -> list[Step]:
    """The way of a proposal from the forum into the budget, as ordered steps (a handful of queries)."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from allmende.proposals.templatetags.proposals import euros

    steps = [Step("submitted", proposal.created_at, _("Submitted"), proposal.reference)]
    round_ = proposal.round
    rating = round_.phase("rating")
    if proposal.support_count and not round_.counts_hidden():
        steps.append(
            Step(
                "supported",
                rating.ends_at if rating and rating.ends_at < timezone.now() else None,
                ngettext("Supported %(n)s time", "Supported %(n)s times", proposal.support_count)
                % {"n": proposal.support_count},
            )
        )
    present = _timeline_records(proposal)
    entry = (
        SelectedProposal.objects.filter(proposal=proposal, selection__frozen_at__isnull=False)
        .select_related("selection")
        .first()
        if present["has_selected"]
        else None
    )
    if entry:
        steps.append(
            Step(
                "selected",
                entry.selection.frozen_at,
                _("Selected for the council"),
                _("Rank %(rank)s") % {"rank": entry.rank},
            )
        )
    answer = public_answer(proposal, user) if present["has_answered"] else None
    if answer:
        steps.append(
            Step(
                "answered",
                answer.answered_on,
                _("Answered by the administration: %(state)s") % {"state": answer.get_state_display()},
                answer.office,
                answer=answer,
            )
        )
    motions = (
        Motion.objects.filter(proposals=proposal)
        .select_related("faction", "paper", "decision__paper", "decision__budget_line")
        .order_by("date", "id")
        if present["has_motions"]
        else []
    )
    for motion in motions:
        steps.append(
            Step(
                "motion",
                motion.date,
                _("Taken up by %(faction)s in motion %(number)s")
                % {"faction": motion.faction, "number": motion.number},
                motion.title,
                motion.paper.url if motion.paper else "",
            )
        )
        decision = getattr(motion, "decision", None)
        if decision is None:
            continue
        steps.append(
            Step(
                "decided",
                decision.date,
                _("Council decision: %(outcome)s") % {"outcome": decision.get_outcome_display()},
                euros(decision.amount_granted_cents) if decision.amount_granted_cents else "",
                decision.paper.url if decision.paper else "",
            )
        )
        if decision.budget_line:
            line = decision.budget_line
            steps.append(
                Step(
                    "budget",
                    decision.date,
                    _("In the budget: %(code)s %(name)s") % {"code": line.code, "name": line.name},
                    _("%(amount)s in %(year)s")
                    % {"amount": euros(decision.amount_granted_cents), "year": line.year},
                )
            )
        elif decision.grant_recipient:
            steps.append(
                Step(
                    "budget",
                    decision.date,
                    _("On the grants list: %(recipient)s") % {"recipient": decision.grant_recipient},
                    euros(decision.amount_granted_cents),
                )
            )
    for milestone in proposal.milestones.all() if present["has_milestones"] else []:
        steps.append(Step("milestone", milestone.date, milestone.text, progress=milestone.progress))
    retrospective = (
        Retrospective.objects.filter(proposal=proposal).first() if present["has_retrospective"] else None
    )
    if retrospective:
        steps.append(
            Step(
                "status",
                retrospective.status_date,
                _("Implementation: %(state)s") % {"state": retrospective.get_implementation_display()},
                url=reverse("accountability:retrospective_detail", args=[round_.slug, proposal.number])
                if retrospective.is_success
                else "",
            )
        )
    return steps


@dataclass
class RetrospectiveFilters:
    implementation: str = ""
    topic: str = ""
    round: str = ""


def successful(filters: RetrospectiveFilters):
    """The successful proposals for the retrospective's cards (one query for the page)."""
    from allmende.proposals.models import Proposal

    queryset = Retrospective.objects.filter(
        is_success=True, proposal__state__in=[Proposal.State.PUBLISHED, Proposal.State.MERGED]
    ).select_related("proposal__round", "proposal__topic")
    if filters.implementation:
        queryset = queryset.filter(implementation=filters.implementation)
    if filters.topic:
        queryset = queryset.filter(proposal__topic__slug=filters.topic)
    if filters.round:
        queryset = queryset.filter(proposal__round__slug=filters.round)
    return queryset.order_by("-proposal__round__created_at", "-status_date", "proposal__number")


def retrospective_facets():
    """Topics and rounds that have successful proposals, for the filter form (two queries)."""
    from allmende.rounds.models import Round, Topic

    topics = Topic.objects.filter(proposals__retrospective__is_success=True).distinct().order_by("name")
    rounds = (
        Round.objects.filter(proposals__retrospective__is_success=True).distinct().order_by("-created_at")
    )
    return list(topics), list(rounds)


def retrospective_entry(round_slug, number):
    return get_object_or_404(
        Retrospective.objects.select_related("proposal__round", "proposal__topic", "proposal__district"),
        is_success=True,
        proposal__round__slug=round_slug,
        proposal__number=number,
    )


def papers_for_retrospective(proposal):
    """Every council paper about the proposal: linked papers, motion and decision papers, oldest first."""
    papers = {link.paper.pk: link.paper for link in papers_of_proposal(proposal)}
    for motion in Motion.objects.filter(proposals=proposal).select_related("paper", "decision__paper"):
        for paper in (motion.paper, getattr(getattr(motion, "decision", None), "paper", None)):
            if paper is not None and not paper.deleted:
                papers.setdefault(paper.pk, paper)
    return sorted(papers.values(), key=lambda p: (p.date or datetime.date.min, p.reference))


def selection_entries(round_):
    selection = Selection.objects.filter(round=round_, frozen_at__isnull=False).first()
    if selection is None:
        return None, []
    entries = selection.entries.select_related("proposal__round", "proposal__topic", "proposal__district")
    return selection, list(entries)


def handover_proposals(round_):
    """What the council receives: the frozen selection, else every published proposal, best first, each
    with its published answer (`public_answer` attribute), in three queries."""
    selection, entries = selection_entries(round_)
    if selection is not None:
        proposals = [entry.proposal for entry in entries]
    else:
        proposals = list(selection_order(round_).select_related("round", "topic", "district"))
    answers = {
        a.proposal_id: a
        for a in Answer.objects.filter(proposal__in=[p.pk for p in proposals], published=True).select_related(
            "state"
        )
    }
    for proposal in proposals:
        proposal.public_answer = answers.get(proposal.pk)
    return proposals


def proposals_for_answering(round_):
    """Every proposal of the round the administration may answer (not hidden), with its answer."""
    return list(
        Proposal.objects.filter(round=round_)
        .exclude(state=Proposal.State.HIDDEN)
        .select_related("answer__state", "round")
        .order_by("number")
    )


def answer_of(proposal):
    """The proposal's answer, published or not (for staff)."""
    return Answer.objects.filter(proposal=proposal).select_related("state").first()


def answer_states(round_):
    """The round's list of answer states in its order, each with how many answers use it."""
    from django.db.models import Count

    return list(
        AnswerState.objects.filter(round=round_)
        .annotate(answer_count=Count("answers"))
        .order_by("position", "id")
    )


# --- staff pages: motions, decisions, milestones, retrospective --------------------------------------


def motions_of_round(round_):
    """The round's amendment motions with faction, paper, decision and the proposals they take up."""
    return list(
        Motion.objects.filter(round=round_)
        .select_related("faction", "paper", "decision__paper", "decision__budget_line")
        .prefetch_related("proposals__round")
        .order_by("date", "faction__name", "number")
    )


def motion_of_round(round_, pk):
    return get_object_or_404(
        Motion.objects.select_related("faction", "paper", "round").prefetch_related("proposals__round"),
        round=round_,
        pk=pk,
    )


def decision_of(motion):
    from .models import Decision

    return Decision.objects.filter(motion=motion).select_related("paper", "budget_line").first()


def proposals_by_numbers(round_, numbers):
    """The round's proposals (not hidden) with these numbers, as {number: proposal}."""
    proposals = (
        Proposal.objects.filter(round=round_, number__in=numbers)
        .exclude(state=Proposal.State.HIDDEN)
        .select_related("round")
    )
    return {p.number: p for p in proposals}


def staff_proposal(round_slug, number):
    """A proposal of the round for the staff pages (any state but hidden)."""
    proposal = get_object_or_404(
        Proposal.objects.select_related("round", "topic"), round__slug=round_slug, number=number
    )
    if proposal.state == Proposal.State.HIDDEN:
        from django.http import Http404

        raise Http404
    return proposal


def milestones_of(proposal):
    return list(Milestone.objects.filter(proposal=proposal).order_by("date", "id"))


def milestone_of(proposal, pk):
    return get_object_or_404(Milestone, proposal=proposal, pk=pk)


def retrospective_of(proposal):
    return Retrospective.objects.filter(proposal=proposal).first()


def implementation_overview(round_):
    """Every proposal of the round (not hidden) with its number of milestones and its retrospective
    entry, for the process manager's implementation list (one query)."""
    from django.db.models import Count

    return list(
        Proposal.objects.filter(round=round_)
        .exclude(state=Proposal.State.HIDDEN)
        .annotate(milestone_count=Count("milestones"))
        .select_related("round", "retrospective")
        .order_by("number")
    )


def selection_of(round_):
    """The round's selection, frozen or not (for the process manager's page), or None."""
    return Selection.objects.filter(round=round_).first()


def handover_ready(round_, now=None):
    """The selection and the hand-over are linked from the round's page once the rating phase has
    ended (or the selection is frozen): before that there is nothing to hand over."""
    rating = round_.phase("rating")
    if rating is not None and rating.ends_at <= (now or timezone.now()):
        return True
    return Selection.objects.filter(round=round_, frozen_at__isnull=False).exists()


# --- staff pages: factions and council papers ---------------------------------------------------------


def factions_for_staff():
    """Every faction with the number of its motions (in all rounds)."""
    from django.db.models import Count

    return list(Faction.objects.annotate(motion_count=Count("motions")).order_by("name"))


def faction_by_pk(pk):
    return get_object_or_404(Faction, pk=pk)


def papers_for_staff(search=""):
    """Council papers, newest first; `search` finds a part of the reference or the title (ignoring case)."""
    papers = CouncilPaper.objects.all()
    search = normalise_reference(search)
    if search:
        papers = papers.filter(Q(reference__icontains=search) | Q(title__icontains=search))
    return papers.order_by(F("date").desc(nulls_last=True), "reference", "id")


def paper_by_pk(pk):
    return get_object_or_404(CouncilPaper, pk=pk)
