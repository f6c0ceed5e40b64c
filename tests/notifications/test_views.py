"""The pages: follow button (with and without htmx), settings, one-click unsubscribe without login."""

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from allmende.notifications import services
from allmende.notifications.pieces import follow_button_html
from allmende.notifications.tokens import make_token
from allmende.proposals.models import Proposal


def follow_url(proposal):
    return reverse("notifications:follow", args=[proposal.round.slug, proposal.number])


# --- follow button -------------------------------------------------------------------------------


def render_button(proposal, user):
    request = RequestFactory().get(proposal.get_absolute_url())
    request.user = user
    return follow_button_html(request, proposal, services.is_following(user, proposal))


@pytest.mark.django_db
def test_button_shows_the_state_with_aria_pressed(proposal, resident):
    html = render_button(proposal, resident)
    assert 'aria-pressed="false"' in html
    assert '<button type="submit"' in html
    assert f'action="{follow_url(proposal)}"' in html
    assert 'hx-post="' in html
    assert 'role="status"' in html
    assert f'<a href="{reverse("notifications:settings")}">' in html  # where to change the e-mails
    services.follow(resident, proposal)
    html = render_button(proposal, resident)
    assert 'aria-pressed="true"' in html
    assert 'name="action" value="unfollow"' in html


@pytest.mark.django_db
def test_follow_without_javascript_redirects_back(resident_client, resident, proposal):
    response = resident_client.post(follow_url(proposal), {"action": "follow", "next": "/?x=1"})
    assert response.status_code == 302
    assert response["Location"] == "/?x=1"
    assert services.is_following(resident, proposal)
    # A second click of the same (stale) button changes nothing; unfollow needs its own action.
    resident_client.post(follow_url(proposal), {"action": "follow"})
    assert services.is_following(resident, proposal)
    response = resident_client.post(
        follow_url(proposal), {"action": "unfollow", "next": "https://evil.example/"}
    )
    assert response["Location"] == proposal.get_absolute_url()
    assert not services.is_following(resident, proposal)


@pytest.mark.django_db
def test_follow_with_htmx_returns_the_button_and_a_status(resident_client, resident, proposal):
    response = resident_client.post(
        follow_url(proposal), {"action": "follow"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<div class="follow" id="follow-{proposal.pk}">' in html
    assert 'aria-pressed="true"' in html
    assert f'<div id="follow-status-{proposal.pk}" hx-swap-oob="innerHTML">' in html
    assert 'role="status"' not in html  # the live region stays in the page, only its text changes
    assert f'<a href="{reverse("notifications:settings")}">' in html
    assert services.is_following(resident, proposal)


@pytest.mark.django_db
def test_follow_needs_login_and_a_visible_proposal(resident_client, proposal):
    client = Client()  # not logged in
    response = client.post(follow_url(proposal), {"action": "follow"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    response = client.post(follow_url(proposal), {"action": "follow"}, headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("account_login"))
    assert client.get(follow_url(proposal)).status_code == 405
    Proposal.objects.filter(pk=proposal.pk).update(state=Proposal.State.HIDDEN)
    assert resident_client.post(follow_url(proposal), {"action": "follow"}).status_code == 404


# --- settings page -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_settings_page_needs_login(client):
    response = client.get(reverse("notifications:settings"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_settings_page_has_one_checkbox_per_kind_and_saves(resident_client, resident, proposal):
    services.follow(resident, proposal)
    html = resident_client.get(reverse("notifications:settings")).content.decode()
    assert html.count('type="checkbox"') == len(services.KINDS)
    assert proposal.title in html
    response = resident_client.post(reverse("notifications:settings"), {"answered": "on", "hidden": "on"})
    assert response.status_code == 302
    assert services.get_settings(resident).as_dict() == {
        "commented": False,
        "answered": True,
        "merged": False,
        "hidden": True,
        "state_changed": False,
    }


# --- one-click unsubscribe -----------------------------------------------------------------------


def unsubscribe_url(user, kind):
    return reverse("notifications:unsubscribe", args=[make_token(user.pk, kind)])


@pytest.mark.django_db
def test_link_from_the_mail_switches_one_kind_off_without_login(
    proposal, make_user, django_capture_on_commit_callbacks, settings, mailoutbox
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    anna = make_user("anna")
    services.follow(anna, proposal)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(services.COMMENTED, proposal)
    (mail,) = [m for m in mailoutbox if m.to == ["anna@example.org"]]
    link = re.search(r"https?://\S+/abbestellen/\S+/", mail.body).group(0)
    path = link.split("example.com", 1)[1]

    browser = Client(enforce_csrf_checks=True)  # not logged in
    page = browser.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert str(services.KIND_LABELS[services.COMMENTED]) in html
    assert html.count('<button type="submit" class="button">') == 1
    assert services.wants(anna, services.COMMENTED)  # looking at the page changes nothing

    response = browser.post(path)  # the page's button; valid token, so no CSRF token needed
    assert response.status_code == 302
    assert not services.wants(anna, services.COMMENTED)
    assert services.wants(anna, services.ANSWERED)
    again = browser.get(path)
    assert again.status_code == 200
    assert "<form" not in again.content.decode().split("<main", 1)[1]  # nothing left to switch off


@pytest.mark.django_db
def test_rfc_8058_one_click_post(proposal, resident):
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_url(resident, services.MERGED), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert not services.wants(resident, services.MERGED)


@pytest.mark.django_db
def test_tampered_links_are_rejected(resident):
    token = make_token(resident.pk, services.COMMENTED)
    payload, signature = token.rsplit(":", 1)
    someone_else = make_token(resident.pk + 1, services.COMMENTED).rsplit(":", 1)[0] + ":" + signature
    flipped = payload + ":" + ("A" if signature[0] != "A" else "B") + signature[1:]
    browser = Client(enforce_csrf_checks=True)
    for bad in [flipped, someone_else, "kaputt"]:
        path = reverse("notifications:unsubscribe", args=[bad])
        assert browser.get(path).status_code == 400
        # Without a valid token the CSRF check applies as everywhere else.
        assert browser.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 403
    assert services.wants(resident, services.COMMENTED)
    assert services.wants(resident, services.MERGED)


@pytest.mark.django_db
def test_the_proposal_page_shows_whether_the_reader_follows_it(resident_client, resident, proposal):
    """The page's follow button is pressed for a follower only (without the shared cache, the button
    asks for the state itself)."""
    page = resident_client.get(proposal.get_absolute_url()).content.decode()
    assert 'follow__button" aria-pressed="false"' in page
    services.follow(resident, proposal)
    page = resident_client.get(proposal.get_absolute_url()).content.decode()
    assert 'follow__button" aria-pressed="true"' in page
