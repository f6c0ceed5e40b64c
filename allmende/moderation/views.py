from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from allmende.comments.models import Comment
from allmende.proposals import queries as proposal_queries
from allmende.proposals.models import Proposal
from allmende.proposals.services import ActionRefused
from allmende.rounds.models import Round
from allmende.rounds.permissions import can_read_audit_log, is_moderator

from . import queries, services
from .forms import MergeForm, ReasonForm, ReportForm, TitleForm
from .models import Merge


def _moderator_only(request):
    if not is_moderator(request.user):
        raise PermissionDenied(_("Only the moderation can do that."))


def _item(kind, pk):
    if kind not in ("vorschlag", "kommentar"):
        raise Http404
    if kind == "vorschlag":
        proposal = get_object_or_404(Proposal.objects.select_related("round", "author"), pk=pk)
        return {"proposal": proposal}, proposal.get_absolute_url(), proposal
    comment = get_object_or_404(Comment.objects.select_related("proposal__round", "author"), pk=pk)
    return {"comment": comment}, comment.proposal.get_absolute_url() + f"#{comment.anchor}", comment


@login_required
def queue(request):
    _moderator_only(request)
    kind = request.GET.get("art", "")
    round_slug = request.GET.get("runde", "")
    show = request.GET.get("zeigen", "open")
    items = queries.queue(kind=kind, round_slug=round_slug, show=show)
    return render(
        request,
        "moderation/queue.html",
        {
            **items,
            "rounds": Round.objects.all(),
            "kind": kind,
            "round_slug": round_slug,
            "show": show,
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report(request, kind, pk):
    item, back, obj = _item(kind, pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _report, new = services.report(
                request.user, reason=form.cleaned_data["reason"], text=form.cleaned_data["text"], **item
            )
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                _("Thank you. The moderation will look at it.")
                if new
                else _("You have reported this already."),
            )
        return redirect(back)
    return render(request, "moderation/report.html", {"form": form, "item": obj, "kind": kind, "back": back})


@require_POST
@login_required
def act(request, kind, pk, action):
    """hide, unhide, dismiss (reports) for a proposal or comment; approve for a proposal."""
    _moderator_only(request)
    item, back, _obj = _item(kind, pk)
    reason = request.POST.get("reason", "")
    try:
        if action == "ausblenden":
            services.hide(request.user, reason=reason, **item)
            messages.success(request, _("Hidden. The author has been told why."))
        elif action == "einblenden":
            services.unhide(request.user, reason=reason, **item)
            messages.success(request, _("Shown again."))
        elif action == "verwerfen":
            services.dismiss_reports(request.user, reason=reason, **item)
            messages.success(request, _("Reports dismissed."))
        elif action == "freigeben" and "proposal" in item:
            services.approve(request.user, item["proposal"])
            messages.success(request, _("Proposal approved and published."))
        else:
            raise PermissionDenied
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/") else back)


@login_required
@require_http_methods(["GET", "POST"])
def edit_title(request, pk):
    _moderator_only(request)
    proposal = get_object_or_404(Proposal.objects.select_related("round"), pk=pk)
    form = TitleForm(request.POST or None, initial={"title": proposal.title})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_title(
                request.user, proposal, form.cleaned_data["title"], form.cleaned_data["reason"]
            )
        except ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The title has been changed; the original is kept."))
            return redirect(proposal)
    return render(request, "moderation/title.html", {"form": form, "proposal": proposal})


@login_required
@require_http_methods(["GET", "POST"])
def merge(request, pk):
    _moderator_only(request)
    proposal = get_object_or_404(Proposal.objects.select_related("round"), pk=pk)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = proposal_queries.proposal_by_reference(proposal.round, form.cleaned_data["target"])
        if target is None:
            form.add_error("target", _("There is no proposal with this number in this round."))
        else:
            try:
                services.merge(request.user, proposal, target, form.cleaned_data["reason"])
            except ActionRefused as refusal:
                form.add_error("target", str(refusal))
            else:
                messages.success(
                    request, _("Merged. The supports have moved to %(ref)s.") % {"ref": target.reference}
                )
                return redirect(target)
    return render(
        request,
        "moderation/merge.html",
        {"form": form, "proposal": proposal, "merges": queries.open_merges(proposal)},
    )


@require_POST
@login_required
def undo_merge(request, pk):
    _moderator_only(request)
    record = get_object_or_404(Merge.objects.select_related("source__round"), pk=pk)
    try:
        services.undo_merge(request.user, record, request.POST.get("reason", ""))
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The merge has been undone."))
    return redirect(record.source)


@require_POST
@login_required
def block(request, pk):
    _moderator_only(request)
    person = get_object_or_404(get_user_model(), pk=pk)
    try:
        if request.POST.get("unblock"):
            services.unblock(request.user, person, request.POST.get("reason", ""))
            messages.success(request, _("%(name)s can take part again.") % {"name": person.username})
        else:
            services.block(request.user, person, request.POST.get("reason", ""))
            messages.success(request, _("%(name)s has been blocked.") % {"name": person.username})
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    return redirect("moderation:queue")


@login_required
def audit_log(request):
    if not can_read_audit_log(request.user):
        raise PermissionDenied(_("Only process managers can read the audit log."))
    return render(request, "moderation/audit_log.html", {"entries": queries.audit_log()})
