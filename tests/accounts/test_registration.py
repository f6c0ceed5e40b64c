"""Registration: e-mail, public username, password and the dialogue rules; double opt-in; clear errors."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from allmende.accounts import roles
from allmende.accounts.models import User

SIGNUP = {
    "email": "neu@example.org",
    "username": "neuling",
    "password1": "Laubbaum-Fahrrad-17",
    "password2": "Laubbaum-Fahrrad-17",
    "accept_rules": "on",
}


def signup(client, **changes):
    data = {**SIGNUP, **changes}
    return client.post(reverse("account_signup"), {k: v for k, v in data.items() if v is not None})


@pytest.mark.django_db
def test_signup_creates_an_unconfirmed_resident_and_mails_a_link(client):
    response = signup(client)
    assert response.status_code == 302
    user = User.objects.get(username="neuling")
    assert user.email == "neu@example.org"
    assert user.accepted_rules_at is not None
    assert list(user.groups.values_list("name", flat=True)) == [roles.RESIDENT]
    address = EmailAddress.objects.get(user=user)
    assert not address.verified
    assert len(mail.outbox) == 1
    assert "/konto/confirm-email/" in mail.outbox[0].body
    assert mail.outbox[0].to == ["neu@example.org"]


@pytest.mark.django_db
def test_signup_remembers_the_language_for_later_mails(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    signup(client)
    assert User.objects.get(username="neuling").language == "en"
    assert "Confirm" in mail.outbox[0].subject or "confirm" in mail.outbox[0].body


@pytest.mark.django_db
def test_unconfirmed_account_cannot_log_in(client):
    signup(client)
    client.logout()
    response = client.post(reverse("account_login"), {"login": "neuling", "password": SIGNUP["password1"]})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "anna@EXAMPLE.org"}, "email", "bereits"),
        ({"username": "ANNA"}, "username", "bereits"),
        ({"email": "kein-at-zeichen"}, "email", "gültige E-Mail-Adresse"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1", "numerisch"),
        ({"password1": "kurz", "password2": "kurz"}, "password1", "mindestens 10 Zeichen"),
        ({"password2": "etwas-anderes-9"}, "password2", "dasselbe Passwort"),
        ({"username": "anna@example.org"}, "username", "keine E-Mail-Adressen"),
        ({"accept_rules": None}, "accept_rules", "Dialogregeln"),
    ],
)
def test_signup_errors_are_field_level_and_nothing_is_created(client, make_user, changes, field, message):
    make_user("anna", email="anna@example.org")
    before = (User.objects.count(), EmailAddress.objects.count())
    response = signup(client, **changes)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert (User.objects.count(), EmailAddress.objects.count()) == before
    assert len(mail.outbox) == 0
    # The page shows an error summary linking to the field, and the field points at its error.
    html = response.content.decode()
    assert 'role="alert"' in html
    assert f'href="#id_{field}"' in html
    assert f'aria-describedby="id_{field}_error' in html or f'id_{field}_error"' in html


@pytest.mark.django_db
def test_english_errors_when_english_is_chosen(client, make_user):
    make_user("anna")
    client.get(reverse("pages:language"), {"language": "en", "next": "/"})
    response = signup(client, username="anna")
    assert "This username is already taken." in " ".join(response.context["form"].errors["username"])
