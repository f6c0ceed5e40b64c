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


@pytest.mark.django_db
@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_the_person_of_a_session_comes_with_their_roles_in_the_same_query(backend, make_user):
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from allmende.accounts import roles

    moderator = make_user("mona", role=roles.MODERATOR)
    moderator.groups.add(Group.objects.get(name=roles.ADMINISTRATION))
    resident = make_user("rudi")
    nobody = make_user("niemand", role=None)
    with CaptureQueriesContext(connection) as queries:
        found = {user.username: backend().get_user(user.pk) for user in (moderator, resident, nobody)}
        names = {name: roles.role_names(user) for name, user in found.items()}
    assert len(queries) == 3  # one per person, none for their roles
    assert names == {
        "mona": {roles.MODERATOR, roles.ADMINISTRATION},
        "rudi": {roles.RESIDENT},
        "niemand": frozenset(),
    }
    assert roles.has_role(found["mona"], roles.MODERATOR) and not roles.has_role(
        found["rudi"], roles.MODERATOR
    )


@pytest.mark.django_db
def test_request_user_is_the_person_itself_once_read(client, make_user):
    """Permission checks and templates read request.user dozens of times per page: after the first
    read it is the person, not the lazy proxy around them."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from allmende.accounts.middleware import AuthenticationMiddleware
    from allmende.accounts.models import User

    anna = make_user("anna")
    client.force_login(anna)
    seen = []

    def view(request):
        seen.append(type(request.user))
        assert request.user.is_authenticated == (request.session.session_key is not None)
        seen.append(type(request.user))
        return HttpResponse()

    signed_in = RequestFactory().get("/")
    signed_in.session = client.session
    AuthenticationMiddleware(view)(signed_in)
    anonymous = RequestFactory().get("/")
    anonymous.session = type(client.session)()
    AuthenticationMiddleware(view)(anonymous)
    assert seen[1::2] == [User, AnonymousUser]
    assert seen[0] is not User and signed_in.user == anna
