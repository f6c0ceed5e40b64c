from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
