"""A round's page: where the round stands, what a resident can do now, the ways into its proposals."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from allmende.proposals import services
from allmende.proposals.models import Proposal
from allmende.rounds.models import Phase
from tests.factories import make_proposal, make_round


def page(client, round_):
    response = client.get(reverse("rounds:detail", args=[round_.slug]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_rating_phase_invites_to_support_and_counts_the_published_proposals(client, make_user):
    round_ = make_round(phase=Phase.Kind.RATING)
    first, _second = make_proposal(round_), make_proposal(round_)
    make_proposal(round_, state=Proposal.State.HIDDEN)
    services.rate(make_user("anna"), first)
    html = page(client, round_)
    assert "Sie können die Vorschläge unterstützen, die Ihnen wichtig sind." in html
    list_url = reverse("proposals:list", args=[round_.slug])
    assert f'href="{list_url}">Alle 2 Vorschläge ansehen</a>' in html
    assert "<strong>2</strong> Vorschläge" in html and "<strong>1</strong> Unterstützung" in html
    assert f'href="{list_url}?topic=verkehr">Verkehr</a> (2)' in html
    assert f'href="{list_url}?district=altstadt">Altstadt</a> (0)' in html
    assert reverse("proposals:create", args=[round_.slug]) not in html


@pytest.mark.django_db
def test_proposal_phase_offers_the_form_to_residents_and_sign_in_to_visitors(client, make_user):
    round_ = make_round(phase=Phase.Kind.PROPOSALS)
    create_url = reverse("proposals:create", args=[round_.slug])
    html = page(client, round_)
    assert f"?next={create_url}" in html and "Anmelden, um einen Vorschlag zu machen" in html
    client.force_login(make_user("anna"))
    html = page(client, round_)
    assert f'href="{create_url}">Vorschlag machen</a>' in html


@pytest.mark.django_db
def test_hidden_counts_stay_hidden_on_the_round_page(client, make_user):
    round_ = make_round(phase=Phase.Kind.RATING, hide_counts_until_end=True)
    services.rate(make_user("anna"), make_proposal(round_))
    html = page(client, round_)
    assert "Unterstützung" not in html.split('class="round-numbers"')[1].split("</ul>")[0]


@pytest.mark.django_db
def test_a_round_before_its_start_and_after_its_end_says_so(client):
    round_ = make_round(phase=Phase.Kind.INFORMATION)
    later = timezone.now() + timedelta(days=5)
    round_.phases.filter(kind=Phase.Kind.INFORMATION).update(starts_at=later)
    html = page(client, round_)
    assert "Diese Runde beginnt am" in html
    over = make_round("vorbei", phase=Phase.Kind.CLOSED)
    over.phases.filter(kind=Phase.Kind.CLOSED).update(ends_at=timezone.now() - timedelta(hours=1))
    assert "Diese Runde endete am" in page(client, over)


@pytest.mark.django_db
def test_home_page_leads_straight_to_a_rounds_proposals(client):
    round_ = make_round()
    html = client.get(reverse("pages:home")).content.decode()
    assert f'href="{reverse("proposals:list", args=[round_.slug])}">Vorschläge ansehen' in html
