from django import template

from allmende.notifications import services

register = template.Library()


@register.simple_tag(takes_context=True)
def is_following(context, proposal) -> bool:
    """`{% is_following proposal as following %}`: whether the person viewing the page follows it."""
    request = context.get("request")
    return services.is_following(getattr(request, "user", None), proposal)
