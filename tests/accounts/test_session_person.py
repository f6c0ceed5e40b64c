"""A signed-in request's person comes from the snapshot kept with the session while nothing about them
changed, and from the database as soon as anything did (allmende/accounts/sessions.py)."""

import pickle
import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.urls import reverse

from allmende.accounts import backends, roles, sessions
from allmende.accounts.models import User
from allmende.ops import pagecache
from tests.conftest import PASSWORD


@pytest.fixture
def lookups(monkeypatch):
    """How often a session's person was read from the database."""
    count = []
    real = backends._PersonLookup._load

    def load(self, user_id):
        count.append(user_id)
        return real(self, user_id)

    monkeypatch.setattr(backends._PersonLookup, "_load", load)
    return count


def _signed_in(client, proposal) -> bool:
    response = client.get(proposal.get_absolute_url())
    assert response.status_code == 200
    return reverse("account_logout") in response.content.decode()


@pytest.mark.django_db
def test_the_database_is_asked_for_a_sessions_person_once_while_nothing_about_them_changes(
    client, proposal, resident, redis_sessions, lookups
):
    client.force_login(resident)
    assert all(_signed_in(client, proposal) for _ in range(3))
    assert lookups == [resident.pk]
    assert client.get(reverse("accounts:profile")).status_code == 200  # a page that reads no versions
    assert lookups == [resident.pk]


@pytest.mark.django_db
def test_after_a_change_the_person_is_read_once_again_then_kept_again(
    client, proposal, resident, make_user, redis_sessions, lookups
):
    """A write to anyone's person tables renews the version: each session's person is read from the
    database once more, and the new snapshot serves the requests after it, in this process too."""
    client.force_login(resident)
    assert all(_signed_in(client, proposal) for _ in range(2))
    make_user("neu")  # someone signs up
    assert all(_signed_in(client, proposal) for _ in range(3))
    assert lookups == [resident.pk, resident.pk]


@pytest.mark.django_db
def test_a_snapshot_in_the_cache_serves_a_process_that_has_none(
    client, proposal, resident, redis_sessions, lookups
):
    """Another app process (here: this one without its own snapshots) reads the snapshot along from
    the cache with the session."""
    client.force_login(resident)
    assert _signed_in(client, proposal)
    sessions._LOCAL.clear()
    assert _signed_in(client, proposal)
    assert lookups == [resident.pk]


@pytest.mark.django_db
def test_each_request_gets_its_own_copy_of_the_person(client, proposal, resident, redis_sessions, lookups):
    """What one request changes on its person without saving never reaches the next request."""
    client.force_login(resident)
    for _ in range(3):  # read from the database, then twice from the snapshot
        person = client.get(proposal.get_absolute_url()).wsgi_request.user
        assert person.pk == resident.pk and person.first_name == resident.first_name
        person.first_name = "Geändert"
    assert lookups == [resident.pk]


@pytest.mark.django_db
def test_a_block_counts_at_once_also_when_written_past_the_models(client, proposal, resident, redis_sessions):
    client.force_login(resident)
    assert _signed_in(client, proposal)
    User.objects.filter(pk=resident.pk).update(is_active=False)  # no save(), no signal
    assert not _signed_in(client, proposal)


@pytest.mark.django_db
def test_a_new_or_taken_role_counts_at_once(client, proposal, resident, redis_sessions):
    client.force_login(resident)
    moderation = Group.objects.get(name=roles.MODERATOR)
    assert "moderation-heading" not in client.get(proposal.get_absolute_url()).content.decode()
    resident.groups.add(moderation)
    assert "moderation-heading" in client.get(proposal.get_absolute_url()).content.decode()
    resident.groups.remove(moderation)
    assert "moderation-heading" not in client.get(proposal.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_new_password_signs_out_the_other_sessions(client, proposal, resident, redis_sessions):
    from django.test import Client

    other = Client()
    client.force_login(resident)
    other.force_login(resident)
    assert _signed_in(client, proposal) and _signed_in(other, proposal)
    resident.set_password("ein-ganz-neues-Passwort")
    resident.save(update_fields=["password"])  # the password alone, as a rehash on sign-in writes it
    assert not _signed_in(other, proposal)


@pytest.mark.django_db
def test_a_change_written_while_the_person_was_read_is_not_missed(
    client, proposal, resident, redis_sessions, monkeypatch
):
    """The snapshot carries the version read before the person: a write between that read and the
    snapshot renews the version, so the snapshot is never used."""
    client.force_login(resident)
    real = backends._PersonLookup._load

    def load_then_blocked(self, user_id):
        person = real(self, user_id)
        User.objects.filter(pk=user_id).update(is_active=False)  # another process, a moment later
        return person

    monkeypatch.setattr(backends._PersonLookup, "_load", load_then_blocked)
    assert _signed_in(client, proposal)  # read before the block
    monkeypatch.setattr(backends._PersonLookup, "_load", real)
    assert not _signed_in(client, proposal)


@pytest.mark.django_db
def test_the_snapshot_holds_no_password_hash_and_saving_it_keeps_the_password(
    client, proposal, resident, redis_sessions
):
    client.force_login(resident)
    assert _signed_in(client, proposal)
    version, user_id, kept = cache.get(sessions.person_key(client.session.session_key))
    stored = User.objects.get(pk=resident.pk).password
    assert user_id == resident.pk and version == cache.get(pagecache.PERSONS)
    assert "password" not in kept.__dict__ and stored.encode() not in pickle.dumps(kept)
    kept.first_name = "Anna"
    kept.save()  # e.g. a view that saves request.user
    assert User.objects.get(pk=resident.pk).password == stored
    assert client.login(username=resident.username, password=PASSWORD)


@pytest.mark.django_db
def test_a_new_secret_key_checks_every_session_afresh(client, proposal, resident, redis_sessions, settings):
    client.force_login(resident)
    assert _signed_in(client, proposal)
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = []
    assert not _signed_in(client, proposal)


@pytest.mark.django_db
def test_signing_out_removes_the_snapshot(client, proposal, resident, redis_sessions):
    client.force_login(resident)
    assert _signed_in(client, proposal)
    key = sessions.person_key(client.session.session_key)
    assert cache.get(key) is not None
    client.post(reverse("account_logout"))
    assert cache.get(key) is None and not _signed_in(client, proposal)


@pytest.mark.django_db
def test_the_persons_query_reads_only_tables_whose_writes_renew_the_snapshots():
    sql, _params = backends._SESSION_PERSON.sql(1)
    tables = {name.lower() for name in re.findall(r'\b(?:FROM|JOIN)\s+"(\w+)"', sql)}
    assert tables and tables <= pagecache.PERSON_TABLES
