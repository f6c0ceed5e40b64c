from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from allmende.ops.addresses import sign_in_address
from allmende.proposals import queries as proposal_queries

from . import services
from .forms import NotificationSettingsForm
from .models import KIND_LABELS, KINDS
from .pieces import follow_button_html


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    form = NotificationSettingsForm(
        request.POST if request.method == "POST" else None, instance=services.get_settings(request.user)
    )
    if request.method == "POST" and form.is_valid():
        services.update_settings(request.user, {kind: form.cleaned_data[kind] for kind in KINDS})
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("notifications:settings")
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "follows": services.followed_proposals(request.user)},
    )


def _back(request, proposal):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(proposal.get_absolute_url())


@require_POST
def follow_toggle(request, slug, number):
    """Follow (action=follow) or stop following (action=unfollow); no-JS: redirect back, htmx: the button."""
    proposal = proposal_queries.proposal_for_page(slug, number, request.user)
    if proposal is None:
        raise Http404
    if not request.user.is_authenticated:
        login = sign_in_address(proposal.get_absolute_url())
        if request.htmx:
            return HttpResponseClientRedirect(login)
        messages.error(request, _("Please sign in to follow proposals."))
        return redirect(login)
    if request.POST.get("action") == "unfollow":
        services.unfollow(request.user, proposal)
        message = _("You no longer follow this proposal.")
    else:
        services.follow(request.user, proposal)
        message = _("You follow this proposal now and will get e-mails about it.")
    if request.htmx:
        following = services.is_following(request.user, proposal)
        return HttpResponse(follow_button_html(request, proposal, following, message, swapped=True))
    messages.success(request, message)
    return _back(request, proposal)


def csrf_exempt_for_valid_token(view):
    """RFC 8058 one-click unsubscribe: mail programs POST without a CSRF token. The signed token
    already proves the request comes from the mail, so only a valid token skips the CSRF check."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request, token):
        if services.user_for_token(token) is None:
            return protected(request, token)
        return view(request, token)

    return csrf_exempt(wrapper)


@never_cache
@csrf_exempt_for_valid_token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows what the link switches off, with one button; POST switches it off, no login needed."""
    found = services.user_for_token(token)
    if found is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    user, kind = found
    if request.method == "POST":
        services.switch_off(user, kind)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            # A mail program's one-click request (RFC 8058): done, nobody reads the page.
            return render(request, "notifications/unsubscribe.html", {"kind_label": KIND_LABELS[kind]})
        messages.success(request, _("Done: you will get no more e-mails of this kind."))
        return redirect(request.path)
    return render(
        request,
        "notifications/unsubscribe.html",
        {"kind_label": KIND_LABELS[kind], "is_on": services.wants(user, kind), "account": user},
    )
