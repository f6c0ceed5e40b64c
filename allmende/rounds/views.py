from django.shortcuts import render

from . import queries


def detail(request, slug):
    round_ = queries.round_by_slug(slug)
    return render(request, "rounds/detail.html", {"round": round_, "current_phase": round_.current_phase()})
