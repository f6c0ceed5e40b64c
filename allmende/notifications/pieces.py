"""The follow button of a proposal's page and of its htmx answer, kept per kind (allmende/ops/pieces.py)."""

from django.middleware.csrf import get_token

from allmende.notifications import services
from allmende.ops.addresses import address, sign_in_address
from allmende.ops.pieces import kept_piece


def follow_button_html(
    request, proposal, following: bool | None, status_message: str = "", swapped=False, csrf_token=None
):
    """notifications/_follow_button.html, kept per kind (allmende/ops/pieces.py). `following`: None where
    the caller does not know (then asked here). `csrf_token`: the page's (masking another one costs as
    much as the rest of the button)."""
    signed_in = request.user.is_authenticated
    if following is None:
        following = signed_in and services.is_following(request.user, proposal)
    values = {"pk": str(proposal.pk), "status_message": status_message}
    if signed_in:
        values["follow_url"] = address("notifications:follow", proposal.round.slug, proposal.number)
        values["next_value"] = proposal.get_absolute_url() if swapped else request.get_full_path()
        values["csrf_token"] = csrf_token or get_token(request)
        values["settings_url"] = address("notifications:settings")
    elif proposal.is_published:
        values["login_url"] = sign_in_address(proposal.get_absolute_url())
    kind = {
        "signed_in": signed_in,
        "published": proposal.is_published,
        "following": bool(following),
        "swapped": swapped,
        "status": bool(status_message),
    }
    return kept_piece("notifications/_follow_button.html", kind, values)
