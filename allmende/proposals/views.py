import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from allmende.comments import queries as comment_queries
from allmende.comments.views import thread_html
from allmende.markup import render_markdown
from allmende.notifications.pieces import follow_button_html
from allmende.ops.addresses import address, sign_in_address
from allmende.ops.microcache import public_microcache
from allmende.ops.middleware import messages_waiting
from allmende.ops.pagecache import Fragment, proposal_key, read_along, versioned_page
from allmende.ops.pieces import kept_page
from allmende.rounds import queries as round_queries
from allmende.rounds.models import Round
from allmende.rounds.permissions import Action, can, can_link_papers, is_moderator, sees_unpublished_answers

from . import queries, services
from .forms import ProposalForm
from .models import Proposal
from .pieces import body_html, head_html
from .templatetags.proposals import rating_control_html


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _filters(request):
    params = request.GET
    sort = params.get("sort", "top")
    seed = _int(params.get("seed"))
    if sort == "random" and not seed:
        identity = f"user:{request.user.pk}" if request.user.is_authenticated else ""
        seed = queries.daily_seed(identity) if identity else secrets.randbelow(2**31 - 1) + 1
    return queries.Filters(
        topic=params.get("topic", ""),
        district=params.get("district", ""),
        direction=params.get("direction", ""),
        state=params.get("state", Proposal.State.PUBLISHED),
        q=params.get("q", "")[:200],
        sort=sort if sort in queries.SORTS else "top",
        seed=seed,
        page=_int(params.get("page"), 1),
    )


def _rating_context(request, round_, proposal, own=None):
    """The rating control's arguments besides the proposal and its round (templatetags.rating_control_html)."""
    return {
        "own_value": own,
        "counts_hidden": round_.counts_hidden(),
        "can_rate": can(request.user, Action.SUPPORT, round_, proposal),
        "values": services.allowed_values(round_),
        "points_left": round_.points_per_person - queries.points_spent(request.user, round_)
        if round_.rating_mode == Round.RatingMode.POINTS
        else None,
    }


@public_microcache
def proposal_list(request, slug):
    filters = _filters(request)
    read_along(queries.count_key(slug, filters))  # the count comes with the kept round's version
    round_ = round_queries.round_by_slug(slug)
    page = queries.proposal_page(round_, filters)
    query = request.GET.copy()
    query.pop("page", None)
    if filters.sort == "random":
        query["seed"] = str(filters.seed)
    return render(
        request,
        "proposals/list.html",
        {
            "round": round_,
            "page": page,
            "query": query.urlencode(),
            "counts_hidden": round_.counts_hidden(),
            "can_propose": can(request.user, Action.PROPOSE, round_),
            "directions": Proposal.Direction.choices,
            "states": [(s, Proposal.State(s).label) for s in queries.PUBLIC_STATES],
            "more_filters_set": sum(map(bool, (filters.topic, filters.district, filters.direction)))
            + (filters.state != Proposal.State.PUBLISHED),
        },
    )


_NO_COMMENTS = "no comments"
# The proposal page from its kept rendering (ops/pieces.kept_page); tests switch it off to compare.
KEPT_PAGES = True


@versioned_page(lambda slug, number: [proposal_key(slug, number)])
def proposal_detail(request, slug, number):
    # Title, author line, text, facts and timeline are the same for every reader (pagecache.Fragment):
    # read before the data, and for a signed-in reader (a session cookie; the person is not loaded yet,
    # so that the session comes along) in the same round trip as the versions.
    shared = Fragment(
        f"proposal:{slug}/{number}",
        [proposal_key(slug, number)],
        read=settings.SESSION_COOKIE_NAME in request.COOKIES,
    )
    own_pieces = sees_unpublished_answers(request.user)  # the pieces would differ: theirs alone
    # Where the pieces are rendered, the proposal's statement also brings what they show (its author's
    # name, whether it has comments and council records).
    proposal = queries.proposal_for_page(
        slug, number, request.user, reader_state=True, pieces=own_pieces or not shared.fresh
    )
    if proposal is None:
        raise Http404
    round_ = proposal.round
    next_change = round_.next_change()  # the page shows what the phase allows: kept until then
    thread = None if getattr(proposal, "has_comments", True) else ([], [])
    if own_pieces:
        head, body = _shared_pieces(proposal, request)
    else:
        # The pieces also say whether the discussion had any comment at all (deleted and hidden ones
        # count: they show as such): a first comment renews the versions the pieces are kept under, so
        # where it had none, it still has none, and the page needs no query for it.
        def render_shared():
            nonlocal thread
            if thread is None:
                thread = comment_queries.thread(proposal)
            return (*_shared_pieces(proposal), "" if any(thread) else _NO_COMMENTS)

        head, body, comments = shared.pieces(render_shared, next_change)
        if thread is None and comments == _NO_COMMENTS:
            thread = ([], [])
    user = request.user
    token = get_token(request) if user.is_authenticated else None  # one for all of the page's forms
    staff = {"is_moderator": is_moderator(user), "can_link_papers": can_link_papers(user)}
    kind = {
        "show_report": bool(can(user, Action.REPORT, round_, proposal)),
        "can_edit": can(user, Action.EDIT, round_, proposal),
        "can_withdraw": can(user, Action.WITHDRAW, round_, proposal),
    }
    values = {
        "title": proposal.title,
        "round_title": round_.title,
        "list_address": address("proposals:list", round_.slug),
        "proposal_head": head,
        "proposal_body": body,
        "rating_control": rating_control_html(
            request,
            proposal,
            round_,
            **_rating_context(request, round_, proposal, proposal.reader_value),
            csrf_token=token,
        ),
        "follow_button": follow_button_html(request, proposal, proposal.reader_follows, csrf_token=token),
        "thread": thread_html(
            request, proposal, thread=thread, csrf_token=token, moderator=staff["is_moderator"]
        ),
    }
    if kind["show_report"]:
        values["report_address"] = address("moderation:report", "vorschlag", proposal.pk)
    if kind["can_edit"]:
        values["edit_address"] = address("proposals:edit", round_.slug, proposal.number)
    if kind["can_withdraw"]:
        values["withdraw_address"] = address("proposals:withdraw", round_.slug, proposal.number)
    if any(staff.values()) or messages_waiting(request) or not KEPT_PAGES:
        # The staff's boxes and the messages: rendered in full, with the same values.
        context = {**kind, **values, **staff, "proposal": proposal, "round": round_}
        response = render(request, "proposals/detail.html", context)
    else:
        response = HttpResponse(kept_page(request, "proposals/detail.html", kind, values, token))
    response.content_expires = next_change
    return response


def _shared_pieces(proposal, request=None) -> tuple[str, str]:
    """The proposal page's title and author line, and its text, facts and timeline: the same for every
    reader but the administration staff (who see answers before they are published, with `request`)."""
    queries.with_author(proposal)
    return head_html(proposal), body_html(proposal, request)


def _form_page(request, round_, form, proposal=None):
    preview = None
    similar = []
    if request.method == "POST" and "preview" in request.POST and form.is_valid():
        preview = render_markdown(form.cleaned_data["description"])
    if request.method == "POST":
        similar = queries.similar(
            round_, request.POST.get("title", ""), exclude_pk=proposal.pk if proposal else None
        )
    return render(
        request,
        "proposals/form.html",
        {"round": round_, "form": form, "proposal": proposal, "preview": preview, "similar": similar},
    )


def similar_proposals(request, slug):
    """The hint beside the title field: similar proposals, fetched by htmx as the person types."""
    round_ = round_queries.round_by_slug(slug)
    similar = queries.similar(round_, request.GET.get("title", ""))
    return render(request, "proposals/_similar.html", {"similar": similar, "round": round_})


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request, slug):
    round_ = round_queries.round_by_slug(slug)
    decision = can(request.user, Action.PROPOSE, round_)
    if not decision:
        messages.error(request, decision.reason)
        return redirect("proposals:list", slug=slug)
    form = ProposalForm(request.POST or None, request.FILES or None, round_=round_)
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            proposal = services.create_proposal(
                request.user, round_, form.service_data(), form.processed_image
            )
        except services.ActionRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("proposals:list", slug=slug)
        if proposal.state == Proposal.State.PENDING:
            messages.success(
                request, _("Thank you! Your proposal will appear once the moderation has approved it.")
            )
        else:
            messages.success(request, _("Thank you! Your proposal has been published."))
        return redirect(proposal)
    return _form_page(request, round_, form)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request, slug, number):
    proposal = queries.proposal_by_number(slug, number)
    decision = can(request.user, Action.EDIT, proposal.round, proposal)
    if not decision:
        messages.error(request, decision.reason)
        return redirect(proposal)
    form = ProposalForm(request.POST or None, request.FILES or None, instance=proposal, round_=proposal.round)
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            services.update_proposal(request.user, proposal, form.service_data(), form.processed_image)
        except services.ActionRefused as refusal:
            messages.error(request, str(refusal))
            return redirect(proposal)
        messages.success(request, _("Your changes have been saved."))
        return redirect(proposal)
    if request.method == "POST":
        proposal.refresh_from_db()
    return _form_page(request, proposal.round, form, proposal)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_withdraw(request, slug, number):
    proposal = queries.proposal_by_number(slug, number)
    decision = can(request.user, Action.WITHDRAW, proposal.round, proposal)
    if not decision:
        messages.error(request, decision.reason)
        return redirect(proposal)
    if request.method == "POST":
        services.withdraw_proposal(request.user, proposal)
        messages.success(request, _("Your proposal has been withdrawn."))
        return redirect(proposal)
    return render(request, "proposals/withdraw.html", {"proposal": proposal})


def _back(request, proposal):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(proposal.get_absolute_url())


@require_POST
def proposal_rate(request, slug, number):
    proposal = queries.proposal_by_number(slug, number)
    if not request.user.is_authenticated:
        messages.error(request, _("Please sign in to support proposals."))
        return redirect(sign_in_address(proposal.get_absolute_url()))
    status = 200
    message = ""
    own = None
    try:
        if "withdraw" in request.POST:
            services.unrate(request.user, proposal)
            message = _("Your support has been taken back.")
        else:
            own = services.rate(request.user, proposal, _int(request.POST.get("value"), 1)).value
            message = _("Thank you, your support has been counted.")
    except services.ActionRefused as refusal:
        message, status = str(refusal), 403
        own = queries.own_ratings(request.user, [proposal]).get(proposal.pk)
    # Only the counters changed: the round and its phases loaded with the proposal stay valid.
    services.refresh_counters(proposal)
    if request.htmx:
        # The swapped-in form posts through htmx, with the page's X-CSRFToken header (base.html), so it
        # carries no token field of its own (masking a new one cost as much as the rest of the form), and
        # it posts to this very address.
        return HttpResponse(
            rating_control_html(
                request,
                proposal,
                proposal.round,
                **_rating_context(request, proposal.round, proposal, own),
                rate_url=request.path,
                status_message=message,
                refused=status != 200,
            )
        )
    (messages.success if status == 200 else messages.error)(request, message)
    return _back(request, proposal)
