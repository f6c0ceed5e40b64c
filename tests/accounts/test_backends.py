"""A session's person is looked up by a query compiled once per process (allmende/accounts/backends.py)."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user
from django.test import RequestFactory

from allmende.accounts.backends import AuthenticationBackend, ModelBackend


@pytest.mark.django_db
@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_the_person_of_a_session_is_the_one_stored(backend, make_user):
    anna, bert = make_user("anna"), make_user("bert")
    assert backend().get_user(bert.pk) == bert
    assert backend().get_user(anna.pk).username == "anna"
    assert backend().get_user(bert.pk + 1000) is None


@pytest.mark.django_db
def test_a_deactivated_person_is_signed_out(make_user):
    anna = make_user("anna")
    anna.is_active = False
    anna.save()
    assert ModelBackend().get_user(anna.pk) is None


@pytest.mark.django_db
def test_a_signed_in_request_gets_its_person(client, make_user):
    anna = make_user("anna")
    client.force_login(anna, backend=settings.AUTHENTICATION_BACKENDS[1])
    request = RequestFactory().get("/")
    request.session = client.session
    person = get_user(request)
    assert person == anna and person.is_authenticated
    assert person.date_joined == anna.date_joined and person.email == anna.email
