"""The hand-over to the council: every proposal of a round (or its selection) with its answer, as CSV
(UTF-8 with BOM, ";" separated, for Excel) and as a PDF to attach to a Drucksache."""

import csv
import io
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from allmende.proposals.templatetags.proposals import euros

from .queries import handover_proposals

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def _support_text(proposal):
    if proposal.round.rating_mode == "support":
        return str(proposal.support_count)
    return f"{proposal.support_count} / {proposal.score_sum}"


def _answer_text(answer):
    if answer is None:
        return "", ""
    cost = ""
    if answer.cost_cents is not None:
        cost = euros(answer.cost_cents) + (
            f" {answer.get_cost_period_display()}" if answer.cost_period else ""
        )
    return answer.get_state_display(), " ".join(filter(None, [answer.text, cost]))


def rows(round_):
    header = [
        _("Number"),
        _("Title"),
        _("Short description"),
        _("Topic"),
        _("District"),
        _("Supports or ratings"),
        _("Assessment"),
        _("Answer of the administration"),
    ]
    body = []
    for proposal in handover_proposals(round_):
        state, answer = _answer_text(proposal.public_answer)
        body.append(
            [
                proposal.reference,
                proposal.title,
                proposal.summary,
                proposal.topic.name,
                proposal.district.name if proposal.district else _("Whole city"),
                _support_text(proposal),
                state,
                answer,
            ]
        )
    return header, body


def as_csv(round_) -> bytes:
    header, body = rows(round_)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(body)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _font(pdf):
    """DejaVu Sans where installed (all of Unicode the city needs); else the core Helvetica (Latin-1:
    umlauts and ß, not €)."""
    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        return "DejaVu", False
    return "Helvetica", True


def as_pdf(round_) -> bytes:
    from fpdf import FPDF

    header, body = rows(round_)
    pdf = FPDF(format="A4")
    pdf.set_title(_("Proposals of %(round)s") % {"round": round_.title})
    pdf.set_lang("de")
    pdf.set_creator("allmende")
    family, latin1 = _font(pdf)

    def text(value):
        value = str(value)
        if latin1:
            value = value.replace("€", "EUR").replace("–", "-").replace("“", '"').replace("”", '"')
            value = value.replace("„", '"').encode("latin-1", "replace").decode("latin-1")
        return value

    def line(height, value):
        pdf.multi_cell(0, height, text(value), new_x="LMARGIN", new_y="NEXT")

    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(family, "B", 16)
    line(8, _("Proposals of %(round)s") % {"round": round_.title})
    pdf.set_font(family, "", 10)
    line(
        6,
        _("%(city)s · as of %(date)s · %(count)s proposals")
        % {"city": settings.CITY_NAME, "date": date_format(timezone.localdate()), "count": len(body)},
    )
    pdf.ln(4)
    for row in body:
        pdf.set_font(family, "B", 11)
        line(6, f"{row[0]}: {row[1]}")
        pdf.set_font(family, "", 10)
        line(5, row[2])
        for label, value in zip(header[3:], row[3:], strict=True):
            if value:
                line(5, f"{label}: {value}")
        pdf.ln(3)
    return bytes(pdf.output())
