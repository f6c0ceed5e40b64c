"""Anonymous readers get public pages from the cache for a few seconds; everyone else fresh pages."""

import pytest
from django.urls import reverse

from allmende.proposals.models import Proposal


@pytest.fixture
def microcache(settings):
    settings.MICROCACHE_SECONDS = 10


@pytest.mark.django_db
def test_anonymous_readers_share_a_cached_page(client, proposal, microcache):
    url = proposal.get_absolute_url()
    first = client.get(url)
    assert "X-Cache" not in first
    Proposal.objects.filter(pk=proposal.pk).update(title="Neuer Titel")
    second = client.get(url)
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert "csrfmiddlewaretoken" not in first.content.decode()  # nothing personal in a shared page


@pytest.mark.django_db
def test_signed_in_people_always_get_a_fresh_page(client, proposal, make_user, microcache):
    url = proposal.get_absolute_url()
    client.get(url)
    Proposal.objects.filter(pk=proposal.pk).update(title="Neuer Titel")
    client.force_login(make_user("anna"))
    response = client.get(url)
    assert "X-Cache" not in response and "Neuer Titel" in response.content.decode()


@pytest.mark.django_db
def test_languages_are_cached_apart(client, proposal, microcache):
    url = reverse("proposals:list", args=[proposal.round.slug])
    german = client.get(url).content.decode()
    client.get(reverse("pages:language"), {"language": "en", "next": "/"})
    english = client.get(url).content.decode()
    assert 'lang="de"' in german and 'lang="en"' in english


@pytest.mark.django_db
def test_off_when_set_to_zero(client, proposal, settings):
    settings.MICROCACHE_SECONDS = 0
    client.get(proposal.get_absolute_url())
    assert "X-Cache" not in client.get(proposal.get_absolute_url())


@pytest.mark.django_db
def test_a_reader_with_a_waiting_message_gets_a_fresh_page_with_it(client, proposal, resident, microcache):
    """Signing out leaves a message for the next page (in the messages cookie): that page is rendered
    afresh with it, neither served from nor kept in the micro-cache, and the page after it comes from
    the cache again."""
    url = proposal.get_absolute_url()
    cached = client.get(url).content.decode()
    client.force_login(resident)
    client.post(reverse("account_logout"))
    del client.cookies["sessionid"]  # emptied and expired: a browser drops it
    assert client.cookies["messages"].value  # the message waits in its cookie
    fresh = client.get(url)
    assert "X-Cache" not in fresh
    assert "abgemeldet" in fresh.content.decode() and "abgemeldet" not in cached
    again = client.get(url)
    assert again["X-Cache"] == "hit" and "abgemeldet" not in again.content.decode()
