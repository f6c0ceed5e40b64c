"""The messages middleware (allmende.ops.middleware.MessageMiddleware): Django's, with the storage made
only where a request uses it. A message waits for the page that shows it, whatever requests come in
between; requests that never look at the messages leave their cookie alone."""

from unittest import mock

import pytest
from django.contrib.messages import storage

from allmende.ops import middleware

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
