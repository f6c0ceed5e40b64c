from django import template

from allmende.accountability import queries

register = template.Library()


@register.simple_tag(takes_context=True)
def proposal_timeline(context, proposal):
    """The steps of a proposal's way into the budget, for the timeline on its page."""
    request = context.get("request")
    return queries.timeline(proposal, getattr(request, "user", None))
