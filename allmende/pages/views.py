from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from allmende.rounds import queries as round_queries

from . import queries, services
from .forms import AccessibilityFeedbackForm


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
