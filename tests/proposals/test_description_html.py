"""A proposal's description is rendered when it is saved and kept beside it (allmende.markup
stored_markdown / from_stored): pages show the kept HTML, and where it no longer belongs to the text
(written without it, or by another version of the renderer) they render the text themselves until
`manage.py rerender_texts` stores it again."""

import io

import pytest
from django.core.management import call_command

from allmende import markup
from allmende.proposals.models import Proposal
from allmende.proposals.services import rerender_descriptions
from tests.factories import make_proposal


@pytest.mark.django_db
def test_the_description_is_rendered_when_saved_and_shown_from_there(client, rating_round, monkeypatch):
    proposal = make_proposal(rating_round, description="Mehr **Bänke** <script>alert(1)</script>")
    stored = Proposal.objects.get(pk=proposal.pk).description_html
    assert markup.is_current(stored, proposal.description)
    assert "<strong>Bänke</strong>" in stored and "<script>" not in stored
    calls = []
    markup._render_kept.cache_clear()  # the process's own keep would hide a rendering
    monkeypatch.setattr(markup, "_render", lambda text: calls.append(text) or "")
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "<strong>Bänke</strong>" in page and "<script>alert" not in page
    assert proposal.description not in calls  # not rendered again for the page
    proposal.description = "Jetzt *anders*"
    monkeypatch.undo()
    proposal.save(update_fields=["description"])
    assert "<em>anders</em>" in Proposal.objects.get(pk=proposal.pk).description_html


@pytest.mark.django_db
def test_html_that_no_longer_belongs_to_the_text_is_not_shown_and_is_made_again(client, rating_round):
    fresh = make_proposal(rating_round, description="Bleibt")
    stale = make_proposal(rating_round, description="Alt")
    Proposal.objects.filter(pk=stale.pk).update(description="Ganz **neu**")
    other_version = Proposal.objects.get(pk=fresh.pk).description_html.replace(markup.RENDERER, "0" * 12, 1)
    never = make_proposal(rating_round, description="Nie *gespeichert*")
    Proposal.objects.filter(pk=never.pk).update(description_html="")
    page = client.get(stale.get_absolute_url()).content.decode()
    assert "Ganz <strong>neu</strong>" in page and "<p>Alt</p>" not in page
    assert (
        Proposal(description="Bleibt", description_html=other_version).description_rendered
        == "<p>Bleibt</p>\n"
    )
    out = io.StringIO()
    call_command("rerender_texts", stdout=out)
    assert out.getvalue().strip() == "2 description(s) rendered again."
    for proposal in (stale, never):
        row = Proposal.objects.get(pk=proposal.pk)
        assert markup.is_current(row.description_html, row.description)
    assert rerender_descriptions() == 0
