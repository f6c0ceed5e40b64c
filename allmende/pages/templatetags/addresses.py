from django import template

from allmende.ops.addresses import address as _address

register = template.Library()


@register.simple_tag
def address(name, *args):
    """`{% address 'moderation:report' 'kommentar' comment.pk [as var] %}`: `{% url %}` with positional
    arguments, reversed once per route and fixed arguments (allmende.ops.addresses)."""
    return _address(name, *args)
