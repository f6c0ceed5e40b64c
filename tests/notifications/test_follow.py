"""Following a proposal: idempotent, one row per person and proposal, authors follow automatically."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.urls import reverse

from allmende.accounts import services as account_services
from allmende.notifications import services
from allmende.notifications.models import Follow
from tests.notifications.conftest import make_proposal, make_round


@pytest.mark.django_db
def test_follow_and_unfollow_are_idempotent(proposal, resident):
    assert services.is_following(resident, proposal) is False
    assert services.follow(resident, proposal) is True
    assert services.follow(resident, proposal) is False
    assert services.is_following(resident, proposal) is True
    assert Follow.objects.filter(user=resident, proposal=proposal).count() == 1
    assert services.unfollow(resident, proposal) is True
    assert services.unfollow(resident, proposal) is False
    assert services.is_following(resident, proposal) is False


@pytest.mark.django_db
def test_one_follow_per_person_and_proposal_is_a_database_constraint(proposal, resident):
    Follow.objects.create(user=resident, proposal=proposal)
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=resident, proposal=proposal)


@pytest.mark.django_db
def test_anonymous_visitors_follow_nothing(proposal):
    anonymous = AnonymousUser()
    assert services.is_following(anonymous, proposal) is False
    assert services.unfollow(anonymous, proposal) is False
    with pytest.raises(ValueError):
        services.follow(anonymous, proposal)


@pytest.mark.django_db
def test_authors_follow_their_new_proposal_automatically(make_user):
    author = make_user("autorin")
    proposal = make_proposal(make_round(), author=author)
    assert services.is_following(author, proposal)
    # Saving it again does not bring back a follow the author has ended.
    services.unfollow(author, proposal)
    proposal.title = "Geändert"
    proposal.save()
    assert not services.is_following(author, proposal)


@pytest.mark.django_db
def test_a_proposal_without_author_has_no_follower(db):
    proposal = make_proposal(make_round(), author=None)
    assert not Follow.objects.filter(proposal=proposal).exists()


@pytest.mark.django_db
def test_data_download_holds_follows_and_settings(proposal, resident, resident_client):
    services.follow(resident, proposal)
    services.update_settings(resident, {services.COMMENTED: False})
    data = json.loads(resident_client.get(reverse("accounts:export")).content)
    section = data["notifications"]
    assert [f["proposal"] for f in section["follows"]] == [proposal.reference]
    assert section["follows"][0]["title"] == proposal.title
    assert section["settings"] == {
        "commented": False,
        "answered": True,
        "merged": True,
        "hidden": True,
        "state_changed": True,
    }
    assert services.export_user_data in account_services.DATA_EXPORTERS


@pytest.mark.django_db
def test_deleting_an_account_deletes_its_follows_and_settings(proposal, resident):
    services.follow(resident, proposal)
    services.update_settings(resident, {services.MERGED: False})
    account_services.delete_account(resident)
    assert not Follow.objects.filter(proposal=proposal).exclude(user=proposal.author).exists()
