from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from allmende.ops.addresses import address, sign_in_address
from allmende.ops.pieces import kept_piece
from allmende.proposals import queries as proposal_queries
from allmende.proposals.services import ActionRefused
from allmende.rounds.permissions import can_delete_comment, can_edit_comment, official_role

from . import queries, services
from .forms import CommentForm
from .models import Comment
from .pieces import comments_html


def _proposal(slug, number):
    return proposal_queries.proposal_by_number(slug, number)


def thread_html(
    request,
    proposal,
    form=None,
    status_message="",
    refused=False,
    thread=None,
    csrf_token=None,
    moderator=None,
):
    """The discussion under a proposal for this reader (comments/_thread.html, kept per kind by
    ops/pieces.kept_piece, with the comments put together by comments.pieces.comments_html). `thread`:
    (highlighted, roots) where the caller has them; `csrf_token` and `moderator` where the page has them."""
    from allmende.rounds.permissions import Action, can, is_moderator

    highlighted, roots = thread if thread is not None else queries.thread(proposal)
    user = request.user
    signed_in = bool(user.is_authenticated)
    if signed_in and csrf_token is None:
        csrf_token = get_token(request)
    badge = official_role(user)
    can_comment = can(user, Action.COMMENT, proposal.round, proposal)
    n = proposal.comment_count
    values = {
        "heading": mark_safe(  # noqa: S308 -- the catalogue's text and a number
            ngettext("Discussion (%(counter)s comment)", "Discussion (%(counter)s comments)", n)
            % {"counter": n}
        )
    }
    if highlighted or roots:
        reader = {
            "user": user,
            "proposal": proposal,
            "round": proposal.round,
            "can_comment": can_comment,
            "can_be_official": bool(badge),
            "is_moderator": is_moderator(user) if moderator is None else moderator,
            "csrf_token": csrf_token,  # a signed-in reader's (the only ones offered forms)
        }
        if highlighted:
            values["highlighted"] = comments_html(highlighted, reader, nested=False)
        if roots:
            values["roots"] = comments_html(roots, reader, nested=True)
    if can_comment:
        values["post_url"] = address("comments:post", proposal.round.slug, proposal.number)
        values["csrf_token"] = csrf_token
        values["comment_form"] = (
            form.render() if form is not None else CommentForm.empty_html(can_be_official=bool(badge))
        )
    elif not signed_in:
        values["login_url"] = f"{sign_in_address(proposal.get_absolute_url())}%23diskussion"
    else:
        values["reason"] = str(can_comment.reason)
    status = bool(getattr(request, "htmx", False)) and bool(status_message)
    if status:
        values["status_message"] = status_message
    kind = {
        "has_highlighted": bool(highlighted),
        "can_comment": bool(can_comment),
        "signed_in": signed_in,
        "has_roots": bool(roots),
        "status": status,
        "refused": bool(refused),
    }
    return kept_piece("comments/_thread.html", kind, values)


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
        return HttpResponse(
            thread_html(
                request,
                proposal,
                None if not refused or parent else form,
                status_message=message,
                refused=refused,
            )
        )
    (messages.error if refused else messages.success)(request, message)
    anchor = f"#{comment.anchor}" if comment else "#diskussion"
    return redirect(proposal.get_absolute_url() + anchor)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("proposal__round"), pk=pk)
    decision = can_edit_comment(request.user, comment)
    if not decision:
        messages.error(request, decision.reason)
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
    comment = get_object_or_404(Comment.objects.select_related("proposal__round"), pk=pk)
    decision = can_delete_comment(request.user, comment)
    if not decision:
        messages.error(request, decision.reason)
        return redirect(comment.proposal.get_absolute_url() + f"#{comment.anchor}")
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
