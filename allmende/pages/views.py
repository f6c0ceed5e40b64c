from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from allmende.ops.microcache import public_microcache
from allmende.rounds import queries as round_queries

from . import queries, services
from .forms import AccessibilityFeedbackForm


def switch_language(request):
    """Switch the language with a plain GET form: no CSRF token on public pages, so they can be cached
    (allmende.ops.microcache). Only a cookie with a known language is set."""
    from django.conf import settings
    from django.http import HttpResponseRedirect
    from django.utils.http import url_has_allowed_host_and_scheme

    language = request.GET.get("language", "")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if language in dict(settings.LANGUAGES) and request.user.is_authenticated:
        # Remembered for the person's mails too (notifications are written in it).
        from allmende.accounts import services as accounts

        accounts.set_language(request.user, language)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
    return response


@public_microcache
def home(request):
    return render(
        request,
        "pages/home.html",
        {
            "page": queries.page_by_slug("start"),
            "current_rounds": round_queries.current_rounds(),
            "past_rounds": round_queries.past_rounds(),
        },
    )


@require_http_methods(["GET", "POST"])
def page(request, slug):
    if slug == "start":
        return redirect("pages:home")
    page = queries.page_by_slug(slug)
    context = {"page": page}
    if slug == "barrierefreiheit":
        form = AccessibilityFeedbackForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            services.submit_accessibility_feedback(**form.cleaned_data)
            messages.success(
                request, _("Thank you. We have received your message and will answer within one month.")
            )
            return redirect(page.get_absolute_url())
        context["feedback_form"] = form
    elif request.method == "POST":
        return redirect(page.get_absolute_url())
    return render(request, "pages/page.html", context)
