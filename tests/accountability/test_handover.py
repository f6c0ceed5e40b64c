import datetime

from allmende.accountability import handover
from allmende.accountability.models import Answer
from tests.factories import make_proposal


def test_csv_for_excel(client, rating_round):
    proposal = make_proposal(rating_round, title="Grünfläche für Kinder; Spielplatz", support_count=7)
    Answer.objects.create(
        proposal=proposal,
        state=proposal.round.answer_states.get(code="feasible"),
        text="Öffentlich",
        answered_on=datetime.date(2030, 1, 1),
        published=True,
    )
    hidden = make_proposal(rating_round, title="Zweiter")
    Answer.objects.create(
        proposal=hidden,
        state=hidden.round.answer_states.get(code="feasible"),
        text="Vorbereitet",
        answered_on=datetime.date(2030, 1, 1),
    )
    response = client.get(f"/runden/{rating_round.slug}/uebergabe.csv")
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert '"Grünfläche für Kinder; Spielplatz"' in text
    assert "Öffentlich" in text and "Vorbereitet" not in text
    assert text.splitlines()[0].count(";") == 7


def test_pdf_renders_umlauts(rating_round):
    make_proposal(rating_round, title="Straßenbäume für Süd – Ökologie €", summary="Größer, schöner")
    pdf = handover.as_pdf(rating_round)
    assert pdf.startswith(b"%PDF")
    from fpdf import FPDF  # noqa: F401 -- the dependency is installed

    try:
        from pypdf import PdfReader
    except ImportError:
        return
    import io

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Straßenbäume für Süd" in text and "Größer, schöner" in text


def test_pdf_core_font_fallback(rating_round, monkeypatch, tmp_path):
    monkeypatch.setattr(handover, "DEJAVU", tmp_path)
    make_proposal(rating_round, title="Straßenbäume für Süd – €")
    assert handover.as_pdf(rating_round).startswith(b"%PDF")
