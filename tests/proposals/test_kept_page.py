"""The proposal page put together from its kept rendering (ops/pieces.kept_page, views.proposal_detail)
is the page rendered in full: for anonymous readers, residents, the author, someone who supports and
follows it, in both languages and two rating modes, with titles that escaping changes, each reader's page
from renderings kept for the readers before. What is kept holds nothing of the page or reader it was first
rendered for; pages with messages and the staff's pages are rendered in full."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from allmende.notifications import services as notifications
from allmende.ops import pieces
from allmende.proposals import services, views
from allmende.rounds.models import Round
from tests.factories import make_proposal, make_round

# A signed-in page's forms carry masked CSRF tokens: a new mask at every rendering.
TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')
AWKWARD = 'Bänke & "Bäume" <für> alle\'s Plätze'


def _page(client, proposal, language, kept, monkeypatch):
    monkeypatch.setattr(views, "KEPT_PAGES", kept)
    cache.clear()  # the page cache and the shared pieces would answer from the other way's rendering
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(proposal.get_absolute_url())
    assert response.status_code == 200
    return TOKEN.sub(r"\1TOKEN", response.content.decode())


@pytest.fixture
def readers(make_user, db):
    """(name, client) for an anonymous reader, a resident, the author and a supporter who follows."""
    author, resident, supporter = make_user("autorin"), make_user("anna"), make_user("bernd")
    clients = [("anonymous", Client())]
    for name, user in [("resident", resident), ("author", author), ("supporter", supporter)]:
        client = Client()
        client.force_login(user)
        clients.append((name, client))
    return author, supporter, clients


@pytest.mark.parametrize("mode", [Round.RatingMode.SUPPORT, Round.RatingMode.PRO_CONTRA])
def test_the_kept_page_is_the_page_rendered_in_full(readers, mode, monkeypatch):
    author, supporter, clients = readers
    round_ = make_round(mode=mode)
    round_.title = f"Runde <{mode}> & 'Co'"
    round_.save()
    proposals = [
        make_proposal(round_, author=author, title=AWKWARD),
        make_proposal(round_, author=author, title="Mehr Bänke am Fluss"),
    ]
    for proposal in proposals:
        services.rate(supporter, proposal, 1)
        notifications.follow(supporter, proposal)
    pieces._KEPT.clear()
    compared = 0
    for language in ("de", "en"):
        for proposal in proposals:
            for name, client in clients:
                kept = _page(client, proposal, language, True, monkeypatch)
                full = _page(client, proposal, language, False, monkeypatch)
                assert kept == full, (language, proposal.title, name)
                # Only others than the author, signed in, may report it; only the author withdraws it
                # (and no one edits it: it has a support).
                assert ("/melden/" in kept) == (name in ("resident", "supporter")), name
                assert ("/zurueckziehen/" in kept) == (name == "author"), name
                assert "/vorschlaege/1/bearbeiten/" not in kept
                compared += 1
    assert compared == 16
    assert pieces._KEPT  # the pages above were put together from kept renderings


@pytest.mark.django_db
def test_what_is_kept_names_no_page_and_no_reader(resident_client, resident, proposal):
    services.rate(resident, proposal, 1)
    pieces._KEPT.clear()
    page = resident_client.get(proposal.get_absolute_url()).content.decode()
    token = re.search(r'csrfmiddlewaretoken" value="([^"]+)', page).group(1)
    kept = [
        "".join(texts)
        for (template, *_rest), (texts, _names) in pieces._KEPT.items()
        if template == "proposals/detail.html"
    ]
    assert len(kept) == 1
    for own in [proposal.title, proposal.round.title, proposal.get_absolute_url(), token]:
        assert own in page
        assert own not in kept[0]


@pytest.mark.django_db
def test_a_page_with_a_message_shows_it(resident_client, proposal):
    """Supporting without JavaScript comes back to the page with a message: that page is rendered in
    full, and the next one again from the kept rendering, without the message."""
    answer = resident_client.post(proposal.get_absolute_url() + "bewerten/", {"value": "1"}, follow=True)
    assert "Danke, Ihre Unterstützung wurde gezählt." in answer.content.decode()
    again = resident_client.get(proposal.get_absolute_url()).content.decode()
    assert "Danke, Ihre Unterstützung wurde gezählt." not in again
    assert 'aria-pressed="true"' in again
