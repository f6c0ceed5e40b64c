from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from allmende.ops.microcache import public_microcache
from allmende.pages.models import Page
from allmende.rounds import queries as round_queries
from allmende.rounds.models import Phase
from allmende.rounds.permissions import (
    ActionRefused,
    can_answer,
    can_manage_answer_states,
    can_manage_council,
    can_manage_factions_and_papers,
    can_use_staff_pages,
)

from . import handover, queries, services
from .forms import (
    AnswerForm,
    AnswerImportForm,
    AnswerStateForm,
    CouncilPaperForm,
    DecisionForm,
    FactionForm,
    MilestoneForm,
    MotionForm,
    RetrospectiveForm,
    SelectionForm,
)
from .models import AnswerState, Faction, Retrospective

RETROSPECTIVE_PAGE = "rueckblick"


# --- public --------------------------------------------------------------------------------------


@public_microcache
def retrospective_list(request):
    filters = queries.RetrospectiveFilters(
        implementation=request.GET.get("umsetzung", ""),
        topic=request.GET.get("thema", ""),
        round=request.GET.get("haushalt", ""),
    )
    entries = list(queries.successful(filters))
    topics, rounds = queries.retrospective_facets()
    return render(
        request,
        "accountability/retrospective_list.html",
        {
            "intro": Page.objects.filter(slug=RETROSPECTIVE_PAGE).first(),
            "entries": entries,
            "filters": filters,
            "topics": topics,
            "rounds": rounds,
            "implementations": Retrospective.Implementation.choices,
        },
    )


@public_microcache
def retrospective_detail(request, slug, number):
    entry = queries.retrospective_entry(slug, number)
    return render(
        request,
        "accountability/retrospective_detail.html",
        {
            "entry": entry,
            "proposal": entry.proposal,
            "papers": queries.papers_for_retrospective(entry.proposal),
        },
    )


def selection(request, slug):
    round_ = round_queries.round_by_slug(slug)
    selection_, entries = queries.selection_entries(round_)
    return render(
        request,
        "accountability/selection.html",
        {"round": round_, "selection": selection_, "entries": entries},
    )


def _download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def handover_csv(request, slug):
    round_ = round_queries.round_by_slug(slug)
    return _download(handover.as_csv(round_), "text/csv; charset=utf-8", f"vorschlaege-{round_.slug}.csv")


def handover_pdf(request, slug):
    round_ = round_queries.round_by_slug(slug)
    return _download(handover.as_pdf(round_), "application/pdf", f"vorschlaege-{round_.slug}.pdf")


# --- staff: answers ------------------------------------------------------------------------------


def _answer_staff(request):
    if not can_answer(request.user):
        raise PermissionDenied(_("Only administration staff can write and publish answers."))


def _answers_page(request, round_, import_form=None, import_errors=()):
    proposals = queries.proposals_for_answering(round_)
    prepared = sum(1 for p in proposals if hasattr(p, "answer") and not p.answer.published)
    return render(
        request,
        "accountability/answers.html",
        {
            "round": round_,
            "proposals": proposals,
            "prepared": prepared,
            "import_form": import_form or AnswerImportForm(),
            "import_errors": import_errors,
        },
    )


@login_required
def answers(request, slug):
    _answer_staff(request)
    return _answers_page(request, round_queries.round_by_slug(slug))


@login_required
@require_POST
def answers_publish(request, slug):
    _answer_staff(request)
    round_ = round_queries.round_by_slug(slug)
    published = services.publish_answers(request.user, round_)
    messages.success(request, _("%(count)d answers published.") % {"count": len(published)})
    return redirect("accountability:answers", slug=slug)


@login_required
@require_POST
def answers_import(request, slug):
    _answer_staff(request)
    round_ = round_queries.round_by_slug(slug)
    form = AnswerImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _answers_page(request, round_, form)
    try:
        imported = services.import_answers(request.user, round_, form.cleaned_data["file"].read())
    except services.ImportFailed as failure:
        return _answers_page(request, round_, form, [str(e) for e in failure.errors])
    messages.success(
        request, _("%(count)d answers imported; they are not published yet.") % {"count": len(imported)}
    )
    return redirect("accountability:answers", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def answer_edit(request, slug, number):
    _answer_staff(request)
    proposal = queries.staff_proposal(slug, number)
    answer = queries.answer_of(proposal)
    form = AnswerForm(request.POST or None, initial=AnswerForm.initial_for(answer), round_=proposal.round)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_answer(request.user, proposal, **form.service_data())
        except ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The answer has been saved."))
            return redirect("accountability:answers", slug=slug)
    return render(
        request, "accountability/answer_form.html", {"proposal": proposal, "form": form, "answer": answer}
    )


@login_required
@require_POST
def link_paper(request, slug, number):
    """Staff link a proposal to a council paper by typing its reference."""
    from allmende.proposals import queries as proposal_queries

    from .forms import LinkPaperForm

    proposal = proposal_queries.proposal_by_number(slug, number)
    form = LinkPaperForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            link = services.link_paper(
                request.user, proposal, form.cleaned_data["reference"], form.cleaned_data["note"]
            )
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                _("The council paper %(reference)s is now linked.") % {"reference": link.paper.reference},
            )
    return redirect(proposal.get_absolute_url() + "#zeitleiste")


# --- staff: the round's overview and the process manager's pages ------------------------------------


def _require(request, allowed, message):
    """A forbidden staff page answers 403 with the reason, never a server error."""
    if not allowed(request.user):
        raise PermissionDenied(message)


def _manager(request):
    _require(request, can_manage_council, _("Only process managers can do that."))


def _save(form, action, *args, **kwargs):
    """Call the service; its refusal becomes an error of the form (shown in the error summary)."""
    try:
        return action(*args, **kwargs)
    except ActionRefused as refusal:
        form.add_error(None, str(refusal))
        return None


@login_required
def staff_overview(request, slug):
    _require(request, can_use_staff_pages, _("Only staff of the administration and process managers."))
    round_ = round_queries.round_by_slug(slug)
    proposals = queries.proposals_for_answering(round_)
    answered = [p for p in proposals if hasattr(p, "answer")]
    rating = round_.phase(Phase.Kind.RATING)
    return render(
        request,
        "accountability/staff_overview.html",
        {
            "round": round_,
            "current_phase": round_.current_phase(),
            "may_answer": can_answer(request.user),
            "may_manage": can_manage_council(request.user),
            "may_edit_states": can_manage_answer_states(request.user),
            "proposal_count": len(proposals),
            "answered_count": len(answered),
            "published_count": sum(1 for p in answered if p.answer.published),
            "selection": queries.selection_of(round_),
            "rating_ended": rating is not None and rating.ends_at <= timezone.now(),
            "motion_count": len(queries.motions_of_round(round_)),
        },
    )


# answer states


def _answer_states_page(request, round_, form, state=None):
    return render(
        request,
        "accountability/answer_states.html",
        {"round": round_, "states": queries.answer_states(round_), "form": form, "editing": state},
    )


@login_required
@require_http_methods(["GET", "POST"])
def answer_states(request, slug):
    _require(
        request, can_manage_answer_states, _("Only process managers can change the list of assessments.")
    )
    round_ = round_queries.round_by_slug(slug)
    form = AnswerStateForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(form, services.save_answer_state, request.user, round_, **form.cleaned_data)
    ):
        messages.success(request, _("The assessment has been added."))
        return redirect("accountability:answer_states", slug=slug)
    return _answer_states_page(request, round_, form)


@login_required
@require_http_methods(["GET", "POST"])
def answer_state_edit(request, slug, pk):
    _require(
        request, can_manage_answer_states, _("Only process managers can change the list of assessments.")
    )
    round_ = round_queries.round_by_slug(slug)
    state = get_object_or_404(AnswerState, round=round_, pk=pk)
    form = AnswerStateForm(request.POST or None, initial=AnswerStateForm.initial_for(state))
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(form, services.save_answer_state, request.user, round_, state, **form.cleaned_data)
    ):
        messages.success(request, _("The assessment has been saved."))
        return redirect("accountability:answer_states", slug=slug)
    return _answer_states_page(request, round_, form, state)


@login_required
@require_POST
def answer_state_delete(request, slug, pk):
    _require(
        request, can_manage_answer_states, _("Only process managers can change the list of assessments.")
    )
    round_ = round_queries.round_by_slug(slug)
    state = get_object_or_404(AnswerState, round=round_, pk=pk)
    try:
        services.delete_answer_state(request.user, state)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The assessment has been removed."))
    return redirect("accountability:answer_states", slug=slug)


# motions and decisions


@login_required
def motions(request, slug):
    _manager(request)
    round_ = round_queries.round_by_slug(slug)
    return render(
        request,
        "accountability/motions.html",
        {"round": round_, "motions": queries.motions_of_round(round_)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def motion_edit(request, slug, pk=None):
    _manager(request)
    round_ = round_queries.round_by_slug(slug)
    motion = queries.motion_of_round(round_, pk) if pk else None
    form = MotionForm(request.POST or None, initial=MotionForm.initial_for(motion), round_=round_)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, services.save_motion, request.user, round_, motion, **form.service_data())
        if saved:
            messages.success(request, _("The motion %(number)s has been saved.") % {"number": saved.number})
            return redirect("accountability:motions", slug=slug)
    return render(
        request,
        "accountability/motion_form.html",
        {"round": round_, "motion": motion, "form": form, "has_factions": Faction.objects.exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_edit(request, slug, pk):
    _manager(request)
    round_ = round_queries.round_by_slug(slug)
    motion = queries.motion_of_round(round_, pk)
    decision = queries.decision_of(motion)
    form = DecisionForm(request.POST or None, initial=DecisionForm.initial_for(decision, motion))
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(form, services.decide_motion, request.user, motion, **form.service_data())
    ):
        messages.success(
            request, _("The decision on motion %(number)s has been saved.") % {"number": motion.number}
        )
        return redirect("accountability:motions", slug=slug)
    return render(
        request,
        "accountability/decision_form.html",
        {"round": round_, "motion": motion, "decision": decision, "form": form},
    )


# implementation: milestones and retrospective


@login_required
def implementation(request, slug):
    _manager(request)
    round_ = round_queries.round_by_slug(slug)
    return render(
        request,
        "accountability/implementation.html",
        {"round": round_, "proposals": queries.implementation_overview(round_)},
    )


def _proposal_implementation_page(request, proposal, form, milestone=None):
    return render(
        request,
        "accountability/proposal_implementation.html",
        {
            "round": proposal.round,
            "proposal": proposal,
            "milestones": queries.milestones_of(proposal),
            "retrospective": queries.retrospective_of(proposal),
            "form": form,
            "editing": milestone,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_implementation(request, slug, number):
    """A proposal's milestones, with the form to add one."""
    _manager(request)
    proposal = queries.staff_proposal(slug, number)
    form = MilestoneForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(form, services.add_milestone, request.user, proposal, **form.cleaned_data)
    ):
        messages.success(request, _("The milestone has been added."))
        return redirect("accountability:proposal_implementation", slug=slug, number=number)
    return _proposal_implementation_page(request, proposal, form)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request, slug, number, pk):
    _manager(request)
    proposal = queries.staff_proposal(slug, number)
    milestone = queries.milestone_of(proposal, pk)
    form = MilestoneForm(request.POST or None, initial=MilestoneForm.initial_for(milestone))
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(form, services.change_milestone, request.user, milestone, **form.cleaned_data)
    ):
        messages.success(request, _("The milestone has been saved."))
        return redirect("accountability:proposal_implementation", slug=slug, number=number)
    return _proposal_implementation_page(request, proposal, form, milestone)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_delete(request, slug, number, pk):
    """GET asks for confirmation (works without JavaScript), POST removes the milestone."""
    _manager(request)
    proposal = queries.staff_proposal(slug, number)
    milestone = queries.milestone_of(proposal, pk)
    if request.method == "POST":
        return _remove(
            request,
            services.delete_milestone,
            milestone,
            _("The milestone has been removed."),
            reverse("accountability:proposal_implementation", args=[slug, number]),
        )
    return _confirm_remove(
        request,
        proposal.round,
        heading=_("Remove the milestone?"),
        details=[
            (_("Date"), date_format(milestone.date, "DATE_FORMAT")),
            (_("What happened"), milestone.text),
            (_("Progress"), f"{milestone.progress} %"),
        ],
        consequence=_(
            "The milestone disappears from the proposal's public timeline. The audit log keeps what it said."
        ),
        button=_("Remove milestone"),
        back=(
            reverse("accountability:proposal_implementation", args=[slug, number]),
            _("Implementation of %(reference)s") % {"reference": proposal.reference},
        ),
    )


def _confirm_remove(request, round_, *, heading, details, consequence, button, back):
    """The confirmation page before removing a record (works without JavaScript)."""
    back_url, back_label = back
    return render(
        request,
        "accountability/confirm_remove.html",
        {
            "round": round_,
            "heading": heading,
            "details": details,
            "consequence": consequence,
            "button": button,
            "back_url": back_url,
            "back_label": back_label,
        },
    )


def _remove(request, remove, obj, success, target):
    """POST: remove `obj` with the service `remove`, say how it went, return to `target`."""
    try:
        remove(request.user, obj)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, success)
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def retrospective_edit(request, slug, number):
    _manager(request)
    proposal = queries.staff_proposal(slug, number)
    entry = queries.retrospective_of(proposal)
    form = RetrospectiveForm(request.POST or None, initial=RetrospectiveForm.initial_for(entry))
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(form, services.save_retrospective, request.user, proposal, **form.cleaned_data)
    ):
        messages.success(request, _("The retrospective has been saved."))
        return redirect("accountability:proposal_implementation", slug=slug, number=number)
    return render(
        request,
        "accountability/retrospective_form.html",
        {"round": proposal.round, "proposal": proposal, "entry": entry, "form": form},
    )


# factions and council papers (shared by all rounds; reached from each round's staff overview)


def _records_keeper(request):
    _require(
        request,
        can_manage_factions_and_papers,
        _("Only process managers can keep the factions and council papers."),
    )


def _factions_page(request, round_, form, faction=None):
    return render(
        request,
        "accountability/factions.html",
        {"round": round_, "factions": queries.factions_for_staff(), "form": form, "editing": faction},
    )


@login_required
@require_http_methods(["GET", "POST"])
def factions(request, slug):
    _records_keeper(request)
    round_ = round_queries.round_by_slug(slug)
    form = FactionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, services.save_faction, request.user, **form.cleaned_data)
        if saved:
            messages.success(request, _("The faction %(name)s has been added.") % {"name": saved.name})
            return redirect("accountability:factions", slug=slug)
    return _factions_page(request, round_, form)


@login_required
@require_http_methods(["GET", "POST"])
def faction_edit(request, slug, pk):
    _records_keeper(request)
    round_ = round_queries.round_by_slug(slug)
    faction = queries.faction_by_pk(pk)
    form = FactionForm(request.POST or None, initial=FactionForm.initial_for(faction))
    if request.method == "POST" and form.is_valid():
        saved = _save(form, services.save_faction, request.user, faction, **form.cleaned_data)
        if saved:
            messages.success(request, _("The faction %(name)s has been saved.") % {"name": saved.name})
            return redirect("accountability:factions", slug=slug)
    return _factions_page(request, round_, form, faction)


@login_required
@require_http_methods(["GET", "POST"])
def faction_delete(request, slug, pk):
    _records_keeper(request)
    round_ = round_queries.round_by_slug(slug)
    faction = queries.faction_by_pk(pk)
    back = reverse("accountability:factions", args=[slug])
    if request.method == "POST":
        removed = _("The faction %(name)s has been removed.") % {"name": faction.name}
        return _remove(request, services.delete_faction, faction, removed, back)
    return _confirm_remove(
        request,
        round_,
        heading=_("Remove the faction?"),
        details=[(_("Name"), faction.name), (_("Short name"), faction.short_name)],
        consequence=_("Only a faction without amendment motions can be removed. The audit log keeps it."),
        button=_("Remove faction"),
        back=(back, _("Factions")),
    )


@login_required
@require_http_methods(["GET", "POST"])
def paper_delete(request, slug, pk):
    _records_keeper(request)
    round_ = round_queries.round_by_slug(slug)
    paper = queries.paper_by_pk(pk)
    back = reverse("accountability:papers", args=[slug])
    if request.method == "POST":
        removed = _("The council paper %(reference)s has been removed.") % {"reference": paper.reference}
        return _remove(request, services.delete_paper, paper, removed, back)
    return _confirm_remove(
        request,
        round_,
        heading=_("Remove the council paper?"),
        details=[(_("Reference"), paper.reference), (_("Title"), paper.title)],
        consequence=_(
            "Only a paper entered here by hand that nothing refers to can be removed. The audit log keeps it."
        ),
        button=_("Remove council paper"),
        back=(back, _("Council papers")),
    )


PAPERS_PER_PAGE = 50


@login_required
def papers(request, slug):
    _records_keeper(request)
    round_ = round_queries.round_by_slug(slug)
    search = request.GET.get("suche", "").strip()[:100]
    page = Paginator(queries.papers_for_staff(search), PAPERS_PER_PAGE).get_page(request.GET.get("seite"))
    return render(
        request,
        "accountability/papers.html",
        {"round": round_, "search": search, "page": page, "papers": page.object_list},
    )


@login_required
@require_http_methods(["GET", "POST"])
def paper_edit(request, slug, pk=None):
    """Enter a council paper by hand, or change one entered by hand; a paper taken over from the
    council information system is shown read-only (the import would overwrite a change here)."""
    _records_keeper(request)
    round_ = round_queries.round_by_slug(slug)
    paper = queries.paper_by_pk(pk) if pk else None
    form = CouncilPaperForm(request.POST or None, initial=CouncilPaperForm.initial_for(paper))
    if request.method == "POST" and form.is_valid():
        saved = _save(form, services.save_paper, request.user, paper, **form.cleaned_data)
        if saved:
            messages.success(
                request, _("The council paper %(reference)s has been saved.") % {"reference": saved.reference}
            )
            return redirect("accountability:papers", slug=slug)
    elif request.method == "POST" and paper is not None and paper.oparl_id:
        form.add_error(None, services.imported_refusal())
    return render(
        request,
        "accountability/paper_form.html",
        {"round": round_, "paper": paper, "form": form, "imported": bool(paper and paper.oparl_id)},
    )


# selection


def _selection_page(request, round_, form):
    selection_, entries = queries.selection_entries(round_)
    rating = round_.phase(Phase.Kind.RATING)
    return render(
        request,
        "accountability/selection_staff.html",
        {
            "round": round_,
            "selection": selection_ or queries.selection_of(round_),
            "entries": entries,
            "form": form,
            "rating": rating,
            "rating_ended": rating is not None and rating.ends_at <= timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def selection_staff(request, slug):
    """The process manager chooses the rule and its parameters (until the selection is frozen)."""
    _manager(request)
    round_ = round_queries.round_by_slug(slug)
    form = SelectionForm(
        request.POST or None, initial=SelectionForm.initial_for(queries.selection_of(round_))
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(form, services.configure_selection, request.user, round_, **form.service_data())
    ):
        messages.success(request, _("The selection rule has been saved."))
        return redirect("accountability:selection_staff", slug=slug)
    return _selection_page(request, round_, form)


@login_required
@require_POST
def selection_freeze(request, slug):
    _manager(request)
    round_ = round_queries.round_by_slug(slug)
    try:
        selection_ = services.select_proposals(request.user, round_)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("The selection has been computed and frozen: %(count)d proposals.")
            % {"count": selection_.entries.count()},
        )
    return redirect("accountability:selection_staff", slug=slug)
