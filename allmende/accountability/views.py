from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from allmende.ops.microcache import public_microcache
from allmende.pages.models import Page
from allmende.proposals.models import Proposal
from allmende.rounds import queries as round_queries
from allmende.rounds.permissions import ActionRefused, can_answer

from . import handover, queries, services
from .forms import AnswerForm, AnswerImportForm
from .models import Retrospective

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
        raise PermissionDenied


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
    proposal = get_object_or_404(
        Proposal.objects.select_related("round", "topic"), round__slug=slug, number=number
    )
    if proposal.state == Proposal.State.HIDDEN:
        raise Http404
    answer = queries.answer_of(proposal)
    form = AnswerForm(request.POST or None, initial=AnswerForm.initial_for(answer))
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
