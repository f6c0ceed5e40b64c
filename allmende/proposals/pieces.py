"""A proposal page's title and author line and its text and facts, put together from kept renderings
(allmende/ops/pieces.py): proposals/_head.html and proposals/_body.html are rendered once per process,
language and kind (image or not, costs, place, state, ...) and afterwards only joined with the
proposal's values. An anonymous page rendered afresh spent about a fifth of its CPU in these two
templates. The timeline comes from accountability.pieces, kept the same way.
"""

from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime

from allmende.accountability.pieces import timeline_html
from allmende.ops.pieces import day_format, kept_piece

from .models import Proposal
from .templatetags.proposals import euros, public_name


def head_html(proposal) -> SafeString:
    """The title and author line (proposals/_head.html) of a proposal with its author loaded."""
    created = template_localtime(proposal.created_at)
    published = proposal.state == Proposal.State.PUBLISHED
    merged = proposal.merged_into if not published and proposal.merged_into_id else None
    kind = {
        "edited_title": bool(proposal.original_title),
        "published": published,
        "merged": merged is not None,
        "has_hidden_reason": proposal.state == Proposal.State.HIDDEN and bool(proposal.hidden_reason),
    }
    values = {
        "title": proposal.title,
        "reference": proposal.reference,
        "author_name": public_name(proposal.author),
        "created_iso": created.isoformat(),  # what the format "c" gives
        "created": day_format(created.date(), "DATE_FORMAT"),
    }
    if kind["edited_title"]:
        values["original_title"] = proposal.original_title
    if not published:
        values["state"] = proposal.get_state_display()
    if merged is not None:
        values["merged_url"] = merged.get_absolute_url()
        values["merged_reference"] = merged.reference
        values["merged_title"] = merged.title
    if kind["has_hidden_reason"]:
        values["hidden_reason"] = proposal.hidden_reason
    return kept_piece("proposals/_head.html", kind, values)


def body_html(proposal, request=None) -> SafeString:
    """The picture, text, facts and timeline (proposals/_body.html); `request` where the reader is
    administration staff (the timeline then shows answers not yet published)."""
    image = bool(proposal.image)
    kind = {
        "has_image": image,
        "has_caption": image and bool(proposal.image_caption or proposal.image_credit),
        "has_credit": image and bool(proposal.image_credit),
        "has_district": proposal.district_id is not None,
        "has_costs": proposal.cost_cents is not None or bool(proposal.cost_note),
        "has_amount": proposal.cost_cents is not None,
        "has_period": proposal.cost_cents is not None and bool(proposal.cost_period),
        "has_note": bool(proposal.cost_note),
        "has_place": proposal.latitude is not None,
    }
    values = {
        "summary": proposal.summary,
        "description": proposal.description_rendered,
        "direction": proposal.get_direction_display(),
        "topic": proposal.topic.name,
        "timeline": timeline_html(proposal, getattr(request, "user", None)),
    }
    if image:
        values["image_url"] = proposal.image.url
        values["image_alt"] = proposal.image_alt
        if kind["has_caption"]:
            values["image_caption"] = proposal.image_caption
        if kind["has_credit"]:
            values["image_credit"] = proposal.image_credit
    if kind["has_district"]:
        values["district"] = proposal.district.name
    if kind["has_amount"]:
        values["amount"] = euros(proposal.cost_cents)
    if kind["has_period"]:
        values["period"] = proposal.get_cost_period_display()
    if kind["has_note"]:
        values["cost_note"] = proposal.cost_note
    if kind["has_place"]:
        values["latitude"] = formats.localize(proposal.latitude)
        values["longitude"] = formats.localize(proposal.longitude)
    return kept_piece("proposals/_body.html", kind, values)
