from django import template

from allmende.accountability import queries

register = template.Library()


@register.simple_tag(takes_context=True)
def may_use_staff_pages(context):
    """Whether the reader sees the link to the round's staff overview."""
    from allmende.rounds.permissions import can_use_staff_pages

    request = context.get("request")
    user = getattr(request, "user", None)
    return user is not None and can_use_staff_pages(user)


@register.simple_tag
def handover_ready(round_):
    """Whether the round's selection and hand-over to the council are worth linking publicly."""
    return queries.handover_ready(round_)
