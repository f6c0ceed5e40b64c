"""A proposal's timeline (from the forum into the budget) put together from kept renderings
(allmende/ops/pieces.py): accountability/_timeline.html around the steps, and each step
accountability/_timeline_step.html kept per language and kind (dated, linked, with progress, with an
answer, ...) and joined with its values. Through the templates the timeline of a proposal with two
steps took about 0.2 ms, a tenth of an anonymous page rendered afresh.
"""

from datetime import datetime

from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language

from allmende.markup import render_markdown
from allmende.ops.pieces import day_format, kept_piece

from . import queries


def timeline_html(proposal, user=None) -> SafeString:
    """The timeline of `proposal` for `user` (administration staff see answers not yet published)."""
    language = get_language()
    steps = mark_safe("".join(_step_html(step, language) for step in queries.timeline(proposal, user)))  # noqa: S308
    return kept_piece("accountability/_timeline.html", {}, {"steps": steps}, language)


def _step_html(step, language: str) -> SafeString:
    answer = step.answer
    kind = {
        "dated": step.date is not None,
        "status": step.kind == "status",
        "linked": bool(step.url),
        "has_detail": bool(step.detail),
        "has_progress": step.progress is not None,
        "has_answer": answer is not None,
        "answer_cost": answer is not None and answer.cost_cents is not None,
        "answer_period": answer is not None and answer.cost_cents is not None and bool(answer.cost_period),
        "unpublished": answer is not None and not answer.published,
    }
    values = {"kind": step.kind, "title": step.title}
    if step.date is not None:
        day = template_localtime(step.date)
        day = day.date() if isinstance(day, datetime) else day
        values["date_iso"] = day.isoformat()  # what the format "Y-m-d" gives
        values["date"] = day_format(day, "F Y" if kind["status"] else "DATE_FORMAT")
    if kind["linked"]:
        values["url"] = step.url
    if kind["has_detail"]:
        values["detail"] = step.detail
    if kind["has_progress"]:
        values["progress"] = formats.localize(step.progress)
    if answer is not None:
        values["answer_text"] = render_markdown(answer.text)
        if kind["answer_cost"]:
            from allmende.proposals.templatetags.proposals import euros

            values["answer_cost"] = euros(answer.cost_cents)
        if kind["answer_period"]:
            values["answer_period"] = answer.get_cost_period_display()
    return kept_piece("accountability/_timeline_step.html", kind, values, language)
