"""The messages middleware (allmende.ops.middleware.MessageMiddleware): Django's, with the storage made
only where a request uses it. A message waits for the page that shows it, whatever requests come in
between; requests that never look at the messages leave their cookie alone."""

import secrets
from unittest import mock

import pytest
from django.contrib import messages
from django.contrib.messages import constants, storage
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import empty

from allmende.ops import middleware
from allmende.ops.middleware import MessageMiddleware, messages_waiting

THANKS = "Danke, Ihre Unterstützung wurde gezählt."
TAKEN_BACK = "Ihre Unterstützung wurde zurückgenommen."


def _rate(client, proposal, data, **headers):
    return client.post(proposal.get_absolute_url() + "bewerten/", data, **headers)


@pytest.mark.django_db
def test_a_message_waits_through_requests_that_do_not_show_it(resident_client, proposal):
    """Supporting without JavaScript leaves a message for the next page; a withdrawal and a support
    through htmx (another tab) in between neither show nor lose it, nor make the storage at all."""
    answer = _rate(resident_client, proposal, {"value": "1"})
    assert answer.status_code == 302
    htmx = _rate(resident_client, proposal, {"withdraw": "1"}, HTTP_HX_REQUEST="true")
    assert TAKEN_BACK in htmx.content.decode()  # the htmx answer says it in place...
    assert "messages" not in htmx.cookies  # ...and leaves the waiting message alone
    with mock.patch.object(middleware, "default_storage", wraps=storage.default_storage) as made:
        _rate(resident_client, proposal, {"value": "1"}, HTTP_HX_REQUEST="true")
    assert made.call_count == 0  # never asked for: no storage made, its cookie's signer neither
    page = resident_client.get(proposal.get_absolute_url()).content.decode()
    assert THANKS in page
    assert TAKEN_BACK not in page  # the htmx answers' words were never messages
    assert THANKS not in resident_client.get(proposal.get_absolute_url()).content.decode()  # shown once


@pytest.mark.django_db
def test_messages_of_one_request_follow_the_redirect(resident_client, proposal):
    page = resident_client.get(_rate(resident_client, proposal, {"value": "1"})["Location"])
    assert THANKS in page.content.decode()
    page = resident_client.get(_rate(resident_client, proposal, {"withdraw": "1"})["Location"])
    content = page.content.decode()
    assert TAKEN_BACK in content
    assert THANKS not in content


def _request(cookies=None, session=None):
    request = RequestFactory().get("/")
    request.COOKIES.update(cookies or {})
    request.session = SessionStore()
    request.session.update(session or {})
    MessageMiddleware(lambda request: HttpResponse()).process_request(request)
    return request


def test_waiting_messages_are_found_without_making_the_storage_where_there_are_none():
    nothing = _request()
    assert not messages_waiting(nothing)
    assert nothing._messages._wrapped is empty  # nothing looked into: no storage made
    in_cookie = _request(
        cookies={"messages": CookieStorage(nothing)._encode([Message(constants.INFO, "Ja.")])}
    )
    assert messages_waiting(in_cookie)


def test_messages_too_long_for_their_cookie_wait_in_the_session_and_are_found():
    writer = _request()
    for number in range(8):
        messages.info(writer, f"Nachricht {number}: " + secrets.token_hex(300))  # compresses badly
    response = HttpResponse()
    writer._messages.update(response)
    assert SessionStorage.session_key in writer.session  # the rest did not fit into the cookie
    reader = _request(cookies={"messages": response.cookies["messages"].value}, session=dict(writer.session))
    assert messages_waiting(reader)
    assert len(list(reader._messages)) == 8


def test_a_message_added_in_this_request_waits_for_its_page():
    request = _request()
    messages.info(request, "Neu.")
    assert messages_waiting(request)
