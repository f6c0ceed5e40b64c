"""Staff link a proposal to a council paper by typing its reference on the proposal's page."""

import pytest
from django.urls import reverse

from allmende.accountability.models import CouncilPaper, ProposalPaper
from allmende.accounts import roles


@pytest.fixture
def paper(db):
    return CouncilPaper.objects.create(reference="G-17/184", title="Pakt für Integration")


@pytest.mark.django_db
def test_administration_links_by_reference(client, proposal, paper, make_user):
    client.force_login(make_user("verwaltung", role=roles.ADMINISTRATION))
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Drucksache verknüpfen" in page
    url = reverse("accountability:link_paper", args=[proposal.round.slug, proposal.number])
    response = client.post(url, {"reference": " g-17/184 ", "note": ""}, follow=True)
    assert ProposalPaper.objects.filter(proposal=proposal, paper=paper).exists()
    assert "G-17/184" in response.content.decode()
    response = client.post(url, {"reference": "G-17/999"}, follow=True)
    assert "Es gibt keine Drucksache mit der Nummer „G-17/999“." in response.content.decode()
    assert ProposalPaper.objects.count() == 1


@pytest.mark.django_db
def test_residents_neither_see_nor_use_the_form(client, proposal, paper, make_user):
    client.force_login(make_user("anna"))
    assert "Drucksache verknüpfen" not in client.get(proposal.get_absolute_url()).content.decode()
    url = reverse("accountability:link_paper", args=[proposal.round.slug, proposal.number])
    client.post(url, {"reference": "G-17/184"})
    assert not ProposalPaper.objects.exists()
