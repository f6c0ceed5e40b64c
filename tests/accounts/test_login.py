import pytest
from django.urls import reverse

from tests.conftest import PASSWORD


@pytest.mark.django_db
@pytest.mark.parametrize("login", ["anna", "anna@example.org"])
def test_login_with_username_or_email(client, resident, login):
    response = client.post(reverse("account_login"), {"login": login, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(resident.pk)


@pytest.mark.django_db
def test_wrong_password_gets_a_clear_error(client, resident):
    response = client.post(reverse("account_login"), {"login": "anna", "password": "falsch-falsch"})
    assert response.status_code == 200
    assert "nicht korrekt" in response.content.decode() or "falsch" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(client, resident):
    for _attempt in range(5):
        client.post(reverse("account_login"), {"login": "anna", "password": "falsch-falsch"})
    # Even the right password is refused while the account is throttled.
    response = client.post(reverse("account_login"), {"login": "anna", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "zu viele" in response.content.decode().lower()


@pytest.mark.django_db
def test_logout_needs_post(client, resident):
    client.force_login(resident)
    client.get(reverse("account_logout"))
    assert "_auth_user_id" in client.session
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session
