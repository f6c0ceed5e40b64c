from django import template
from django.middleware.csrf import get_token
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from allmende.ops.addresses import address, sign_in_address
from allmende.ops.pieces import kept_piece
from allmende.rounds.models import Round

register = template.Library()


@register.filter
def euros(cents):
    """Cents as a euro amount in the reader's locale: 70000000 -> "700.000 €" (de) / "€700,000" (en)."""
    if cents is None:
        return ""
    decimals = 0 if cents % 100 == 0 else 2
    amount = number_format(cents / 100, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return _("%(amount)s €") % {"amount": amount}


@register.filter
def public_name(user):
    return user.username if user else _("deleted account")


@register.simple_tag
def rating_sentence(proposal):
    """The detail page's sentence, e.g. "Der Vorschlag wurde 94 mal unterstützt"."""
    mode = proposal.round.rating_mode
    n = proposal.support_count
    if mode == Round.RatingMode.SUPPORT:
        return ngettext(
            "The proposal has been supported %(n)s time.", "The proposal has been supported %(n)s times.", n
        ) % {"n": n}
    if mode == Round.RatingMode.PRO_CONTRA:
        return _("%(pro)s in favour, %(contra)s against (balance %(balance)s).") % {
            "pro": proposal.pro_count,
            "contra": proposal.contra_count,
            "balance": proposal.score_sum,
        }
    if mode == Round.RatingMode.SCALE:
        average = number_format(proposal.rank_value / 10000, decimal_pos=1, use_l10n=True)
        return ngettext(
            "Average rating %(avg)s from %(n)s rating.", "Average rating %(avg)s from %(n)s ratings.", n
        ) % {"avg": average, "n": n}
    return ngettext("%(points)s points from %(n)s person.", "%(points)s points from %(n)s people.", n) % {
        "points": proposal.score_sum,
        "n": n,
    }


def rating_control_html(
    request,
    proposal,
    round_,
    *,
    own_value,
    can_rate,
    counts_hidden,
    values,
    points_left,
    rate_url=None,
    csrf_token=None,
    status_message="",
    refused=False,
):
    """proposals/_rating.html, kept per kind (allmende/ops/pieces.py): the support button (or the
    buttons of the round's rating mode) with the reader's own value, the counts and the summary."""
    mode = round_.rating_mode
    signed_in = request.user.is_authenticated
    htmx = bool(getattr(request, "htmx", False))
    page = {"pk": str(proposal.pk), "status_message": status_message}
    if can_rate:
        page["rate_url"] = rate_url or address("proposals:rate", round_.slug, proposal.number)
        page["next_path"] = request.get_full_path()
        if not htmx:
            page["csrf_token"] = csrf_token or get_token(request)
        if mode == Round.RatingMode.SUPPORT:
            n = proposal.support_count
            page["support_label"] = mark_safe(  # noqa: S308 -- the catalogue's text and a number
                _("Support proposal")
                if counts_hidden
                else ngettext(
                    "Support proposal (%(counter)s support)", "Support proposal (%(counter)s supports)", n
                )
                % {"counter": n}
            )
        elif mode == Round.RatingMode.PRO_CONTRA and not counts_hidden:
            page["pro_count"], page["contra_count"] = str(proposal.pro_count), str(proposal.contra_count)
        if points_left is not None:
            page["points_left"], page["points_total"] = str(points_left), str(round_.points_per_person)
    elif not signed_in and proposal.is_published:
        page["login_url"] = sign_in_address(proposal.get_absolute_url())
    if not counts_hidden:
        page["summary"] = rating_sentence(proposal)
    kind = {
        "mode": str(mode),
        "can_rate": bool(can_rate),
        "signed_in": signed_in,
        "published": proposal.is_published,
        "own_value": own_value,
        "counts_hidden": bool(counts_hidden),
        "values": tuple(values or ()),
        "points": points_left is not None,
        "htmx": htmx,
        "status": bool(status_message),
        "refused": bool(refused),
    }
    return kept_piece("proposals/_rating.html", kind, page)
