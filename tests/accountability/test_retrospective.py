import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext, ngettext

from allmende.accountability.models import Answer, CouncilPaper, ProposalPaper, Retrospective
from allmende.rounds.models import Topic
from tests.factories import make_proposal


def _success(proposal, implementation="done", month=12):
    return Retrospective.objects.create(
        proposal=proposal,
        is_success=True,
        implementation=implementation,
        status_date=datetime.date(2018, month, 1),
    )


def test_list_filters_and_constant_queries(client, rating_round):
    verkehr = rating_round.topics.get()
    sport = Topic.objects.create(name="Sport", slug="sport")
    rating_round.topics.add(sport)
    for number in range(1, 4):
        _success(make_proposal(rating_round, number=number, topic=verkehr))
    _success(make_proposal(rating_round, number=4, topic=sport), implementation="in_progress")
    Retrospective.objects.create(
        proposal=make_proposal(rating_round, number=5), status_date=datetime.date(2018, 1, 1)
    )
    with CaptureQueriesContext(connection) as few:
        response = client.get("/rueckblick/")
    assert response.context["entries"].__len__() == 4
    for number in range(6, 12):
        _success(make_proposal(rating_round, number=number, topic=verkehr))
    with CaptureQueriesContext(connection) as many:
        client.get("/rueckblick/")
    assert len(few) == len(many)
    assert len(client.get("/rueckblick/?umsetzung=in_progress").context["entries"]) == 1
    assert len(client.get("/rueckblick/?thema=sport").context["entries"]) == 1
    assert (
        len(client.get(f"/rueckblick/?haushalt={rating_round.slug}&umsetzung=done").context["entries"]) == 9
    )
    assert b'role="status"' in response.content


def test_detail_has_the_founding_anatomy(client, rating_round, settings, tmp_path):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    proposal = make_proposal(
        rating_round,
        title="Case-Manager",
        summary="Kurz erklärt",
        description="Text\n\n## Zwischentitel\n\nMehr",
        support_count=94,
        image_alt="Ein Schild",
        cost_cents=70_000_000,
        cost_period="yearly",
    )
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    proposal.image_caption, proposal.image_credit = "Willkommen", "Foto: A.J. Schmidt"
    proposal.image.save("schild.png", ContentFile(buffer.getvalue()))
    paper = CouncilPaper.objects.create(reference="G-17/184", web_url="https://ris.example.org/184")
    ProposalPaper.objects.create(proposal=proposal, paper=paper)
    Retrospective.objects.create(
        proposal=proposal,
        is_success=True,
        status_date=datetime.date(2018, 12, 1),
        costs_text="ca. 700.000 Euro/Jahr",
    )
    with translation.override("de"):
        html = client.get(
            f"/rueckblick/{rating_round.slug}/{proposal.number}/", HTTP_ACCEPT_LANGUAGE="de"
        ).content.decode()
        # New texts are looked up through the catalogue, so the test holds before and after translation.
        supported = ngettext(
            "The proposal was supported %(counter)s time in the forum",
            "The proposal was supported %(counter)s times in the forum",
            94,
        ) % {"counter": 94}
        paper_link = gettext("Council paper %(reference)s") % {"reference": "G-17/184"}
        further = gettext("Further information")
        status = gettext("Status: %(date)s") % {"date": "Dezember 2018"}
    for expected in (
        "Vorschlag:",
        "Case-Manager",
        supported,
        "Kurzbeschreibung",
        "<h2>Zwischentitel</h2>",
        "Kosten",
        "ca. 700.000 Euro/Jahr",
        further,
        f'<a href="https://ris.example.org/184">{paper_link}</a>',
        status,
        'alt="Ein Schild"',
        "Willkommen (Foto: A.J. Schmidt)",
    ):
        assert expected in html, expected


def test_unsuccessful_has_no_retrospective_page(client, proposal):
    Retrospective.objects.create(proposal=proposal, status_date=datetime.date(2018, 1, 1))
    assert client.get(f"/rueckblick/{proposal.round.slug}/{proposal.number}/").status_code == 404


def test_timeline_on_proposal_page_hides_unpublished_answer(client, proposal):
    Answer.objects.create(
        proposal=proposal,
        state=proposal.round.answer_states.get(code="feasible"),
        text="Geheim vorbereitet",
        answered_on=datetime.date(2030, 1, 1),
    )
    url = proposal.get_absolute_url()
    html = client.get(url).content.decode()
    assert 'aria-labelledby="timeline-heading"' in html
    assert "Geheim vorbereitet" not in html
    Answer.objects.update(published=True)
    assert "Geheim vorbereitet" in client.get(url).content.decode()


@pytest.mark.django_db
def test_intro_page_exists():
    from allmende.pages.models import Page

    assert Page.objects.filter(slug="rueckblick").exists()
