import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .forms import DeleteAccountForm, UsernameForm


@login_required
def profile(request):
    return render(request, "accounts/profile.html")


@login_required
@require_http_methods(["GET", "POST"])
def change_username(request):
    form = UsernameForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.change_username(request.user, form.cleaned_data["username"])
        message = _("Your username is now “%(username)s”.") % {"username": request.user.username}
        messages.success(request, message)
        return redirect("accounts:profile")
    if request.method == "POST":
        request.user.refresh_from_db()
    return render(request, "accounts/username_form.html", {"form": form})


@login_required
def export_data(request):
    data = services.export_data(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    filename = f"allmende-{request.user.username}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.delete_account(user)
        messages.success(
            request, _("Your account has been deleted. Your contributions remain as “deleted account”.")
        )
        return redirect("pages:home")
    return render(request, "accounts/delete_form.html", {"form": form})
