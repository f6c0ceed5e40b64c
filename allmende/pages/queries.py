from django.shortcuts import get_object_or_404

from .models import Page


def page_by_slug(slug: str) -> Page:
    return get_object_or_404(Page, slug=slug)
