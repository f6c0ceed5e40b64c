"""A person manages their own account: username, e-mail, data download (Art. 15/20), deletion (Art. 17)."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

from allmende.accounts import services
from tests.conftest import PASSWORD

User = get_user_model()


@pytest.mark.django_db
def test_pages_need_login(client):
    for name in ["accounts:profile", "accounts:username", "accounts:export", "accounts:delete"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_change_username(resident_client, resident):
    response = resident_client.post(reverse("accounts:username"), {"username": "gaertnerin"})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.username == "gaertnerin"


@pytest.mark.django_db
def test_change_username_to_a_taken_one_is_refused(resident_client, resident, make_user):
    make_user("bernd")
    response = resident_client.post(reverse("accounts:username"), {"username": "BERND"})
    assert response.status_code == 200
    assert "bereits vergeben" in " ".join(response.context["form"].errors["username"])
    resident.refresh_from_db()
    assert resident.username == "anna"
    # The page header still shows the unchanged name, not the rejected one.
    assert "BERND" not in response.content.decode().split("<main")[0]


@pytest.mark.django_db
def test_change_email_is_confirmed_before_it_takes_effect(resident_client, resident, mailoutbox):
    response = resident_client.post(reverse("account_email"), {"action_add": "", "email": "neu@example.org"})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.email == "anna@example.org"
    assert EmailAddress.objects.get(user=resident, email="neu@example.org").verified is False
    assert mailoutbox[-1].to == ["neu@example.org"]


@pytest.mark.django_db
def test_data_download_holds_everything_about_the_person(resident_client, resident):
    response = resident_client.get(reverse("accounts:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["username"] == "anna"
    assert data["account"]["email"] == "anna@example.org"
    assert data["account"]["roles"] == ["resident"]
    assert data["email_addresses"] == [{"email": "anna@example.org", "verified": True, "primary": True}]


@pytest.mark.django_db
def test_other_apps_can_add_sections_to_the_download(resident):
    def exporter(user):
        return "extra", {"who": user.username}

    services.register_data_exporter(exporter)
    try:
        assert services.export_data(resident)["extra"] == {"who": "anna"}
    finally:
        services.DATA_EXPORTERS.remove(exporter)


@pytest.mark.django_db
def test_delete_account_needs_password_and_confirmation(resident_client, resident):
    response = resident_client.post(reverse("accounts:delete"), {"password": "falsch", "confirm": "on"})
    assert response.status_code == 200
    assert "nicht richtig" in " ".join(response.context["form"].errors["password"])
    response = resident_client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert "confirm" in response.context["form"].errors
    assert User.objects.filter(pk=resident.pk).exists()


@pytest.mark.django_db
def test_delete_account_erases_account_and_email(resident_client, resident):
    response = resident_client.post(reverse("accounts:delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=resident.pk).exists()
    assert not EmailAddress.objects.filter(email="anna@example.org").exists()
    assert "_auth_user_id" not in resident_client.session
    # The e-mail address can be used for a new registration afterwards.
    assert not User.objects.filter(email__iexact="anna@example.org").exists()
