from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from allmende.proposals import queries as proposal_queries
from allmende.proposals.services import ActionRefused
from allmende.rounds.permissions import official_role

from . import queries, services
from .forms import CommentForm
from .models import Comment


def _proposal(slug, number):
    return proposal_queries.proposal_by_number(slug, number)


def thread_context(request, proposal, form=None, status_message="", refused=False, thread=None):
    """What comments/_thread.html shows; `thread`: (highlighted, roots) where the caller has them."""
    from allmende.rounds.permissions import Action, can

    highlighted, roots = thread if thread is not None else queries.thread(proposal)
    badge = official_role(request.user)
    return {
        "proposal": proposal,
        "round": proposal.round,
        "highlighted": highlighted,
        "roots": roots,
        "comment_form": form or CommentForm(can_be_official=bool(badge)),
        "can_comment": can(request.user, Action.COMMENT, proposal.round, proposal),
        "can_be_official": bool(badge),
        "status_message": status_message,
        "refused": refused,
    }


@require_POST
@login_required
def post(request, slug, number):
    proposal = _proposal(slug, number)
    parent = None
    if request.POST.get("parent"):
        parent = get_object_or_404(Comment, pk=request.POST["parent"], proposal=proposal)
    badge = official_role(request.user)
    form = CommentForm(request.POST, can_be_official=bool(badge))
    message, refused, comment = "", False, None
    if form.is_valid():
        try:
            comment = services.post_comment(
                request.user,
                proposal,
                form.cleaned_data["body"],
                parent,
                form.cleaned_data.get("official", False),
            )
            message = _("Your comment has been published.")
        except ActionRefused as refusal:
            message, refused = str(refusal), True
    else:
        message, refused = " ".join(e for errors in form.errors.values() for e in errors), True
    if request.htmx:
        proposal.refresh_from_db()
        context = thread_context(
            request,
            proposal,
            None if not refused or parent else form,
            status_message=message,
            refused=refused,
        )
        return render(request, "comments/_thread.html", context)
    (messages.error if refused else messages.success)(request, message)
    anchor = f"#{comment.anchor}" if comment else "#diskussion"
    return redirect(proposal.get_absolute_url() + anchor)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("proposal__round"), pk=pk)
    if not services.can_edit(request.user, comment):
        messages.error(request, _("Comments can only be edited by their author within 15 minutes."))
        return redirect(comment.proposal.get_absolute_url() + f"#{comment.anchor}")
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_comment(request.user, comment, form.cleaned_data["body"])
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Your comment has been changed."))
        return redirect(comment.proposal.get_absolute_url() + f"#{comment.anchor}")
    return render(request, "comments/edit.html", {"form": form, "comment": comment})


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("proposal__round"), pk=pk, author=request.user)
    if request.method == "POST":
        services.delete_comment(request.user, comment)
        messages.success(request, _("Your comment has been deleted."))
        return redirect(comment.proposal.get_absolute_url() + f"#{comment.anchor}")
    return render(request, "comments/delete.html", {"comment": comment})


@require_POST
@login_required
def highlight(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("proposal__round"), pk=pk)
    try:
        services.set_highlight(request.user, comment, request.POST.get("highlighted") == "1")
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    return redirect(comment.proposal.get_absolute_url() + f"#{comment.anchor}")
