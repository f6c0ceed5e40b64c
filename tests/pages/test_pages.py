import re

import pytest
from django.urls import reverse, set_script_prefix

from allmende import demo
from allmende.pages.models import AccessibilityFeedback, Page
from allmende.rounds.models import Round

LEGAL_SLUGS = ["impressum", "datenschutz", "barrierefreiheit", "dialogregeln", "leichte-sprache"]


@pytest.mark.django_db
def test_every_page_links_the_legal_pages(client):
    html = client.get(reverse("pages:home")).content.decode()
    for slug in LEGAL_SLUGS:
        assert reverse("pages:page", args=[slug]) in html
    assert 'class="skip-link" href="#main"' in html
    assert 'action="/sprache/"' in html


def _hrefs(html):
    return set(re.findall(r'(?:href|action)="([^"]+)"', html))


@pytest.mark.django_db
def test_header_links_lead_where_their_views_are(client, make_user):
    """The header's and footer's links are reversed once per process (pages.context_processors)."""
    names = [
        "pages:home",
        "accountability:retrospective",
        "account_login",
        "account_signup",
        "pages:language",
    ]
    assert {reverse(name) for name in names} <= _hrefs(client.get(reverse("pages:home")).content.decode())
    staff = make_user("moderatorin")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    names = ["accounts:profile", "moderation:queue", "admin:index", "account_logout"]
    html = client.get(reverse("pages:home")).content.decode()
    assert {reverse(name) for name in names} <= _hrefs(html)
    assert reverse("account_login") not in _hrefs(html)


@pytest.mark.django_db
def test_header_links_follow_the_script_prefix(client):
    """Mounted under a path (SCRIPT_NAME sets the prefix per request), every link carries it, though the
    links are reversed once."""
    plain, home = reverse("pages:page", args=["impressum"]), reverse("pages:home")
    assert plain in _hrefs(client.get(home).content.decode())
    set_script_prefix("/beteiligung/")
    try:
        response = client.get(home)
        assert response.status_code == 200
        html = response.content.decode()
    finally:
        set_script_prefix("/")
    assert "/beteiligung" + plain in _hrefs(html) and plain not in _hrefs(html)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", LEGAL_SLUGS)
def test_legal_pages_exist_on_a_fresh_install(client, slug):
    response = client.get(reverse("pages:page", args=[slug]))
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1


@pytest.mark.django_db
def test_unknown_page_is_404(client):
    assert client.get(reverse("pages:page", args=["gibt-es-nicht"])).status_code == 404


@pytest.mark.django_db
def test_page_text_is_sanitised(client):
    Page.objects.filter(slug="impressum").update(
        body="Hallo <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)> **fett**"
    )
    html = client.get(reverse("pages:page", args=["impressum"])).content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<script>alert(1)" not in main
    assert 'href="javascript' not in main
    assert "<img" not in main
    assert "<strong>fett</strong>" in main


@pytest.mark.django_db
def test_english_text_is_shown_in_english_with_lang(client):
    client.get(reverse("pages:language"), {"language": "en", "next": "/"})
    html = client.get(reverse("pages:page", args=["datenschutz"])).content.decode()
    assert "<h1>Privacy notice</h1>" in html
    assert '<html lang="en">' in html
    # Leichte Sprache exists only in German and says so, also on the English site.
    html = client.get(reverse("pages:page", args=["leichte-sprache"])).content.decode()
    assert '<article lang="de">' in html


@pytest.mark.django_db
def test_accessibility_feedback_is_stored_and_mailed(
    client, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.ACCESSIBILITY_FEEDBACK_EMAIL = "barrierefreiheit@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("pages:page", args=["barrierefreiheit"]),
            {"message": "Der Kontrast im Kopf ist zu schwach.", "page_url": "/", "email": ""},
        )
    assert response.status_code == 302
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.message == "Der Kontrast im Kopf ist zu schwach."
    assert mailoutbox[0].to == ["barrierefreiheit@example.org"]
    assert "Kontrast" in mailoutbox[0].body


@pytest.mark.django_db
def test_accessibility_feedback_without_message_is_refused(client):
    response = client.post(reverse("pages:page", args=["barrierefreiheit"]), {"message": "", "email": "x"})
    assert response.status_code == 200
    form = response.context["feedback_form"]
    assert set(form.errors) == {"message", "email"}
    assert not AccessibilityFeedback.objects.exists()


@pytest.mark.django_db
def test_demo_is_idempotent_and_shows_current_and_past_round(client):
    demo.build()
    counts = (Round.objects.count(), Page.objects.count())
    demo.build()
    assert (Round.objects.count(), Page.objects.count()) == counts
    html = client.get(reverse("pages:home")).content.decode()
    current, past = html.split("Vergangene Runden")
    assert "Beteiligungshaushalt 2027/2028" in current
    assert "Beteiligungshaushalt 2017/2018" in past


@pytest.mark.django_db
def test_layout_kept_per_language_and_kind_of_reader(client, django_user_model, settings):
    """The header, menu and footer are rendered once per language and kind of reader: each reader
    still sees their own menu, language and CSRF token, and a changed setting shows at once."""
    home = reverse("pages:home")
    anonymous = client.get(home).content.decode()
    assert "Anmelden" in anonymous and "Abmelden" not in anonymous
    person = django_user_model.objects.create_user("erika", "erika@example.org", "ein sicheres Passwort")
    client.force_login(person)
    signed_in = client.get(home).content.decode()
    assert "Abmelden" in signed_in and "Mein Konto" in signed_in and ">Anmelden<" not in signed_in
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', signed_in).group(1)
    client.logout()
    client.force_login(person)
    again = client.get(home).content.decode()
    assert re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', again).group(1) != token
    client.cookies["django_language"] = "en"
    english = client.get(home).content.decode()
    assert "My account" in english and "Mein Konto" not in english and "Sign out" in english
    settings.CITY_NAME = "Musterstadt an der Probe"
    assert (
        '<span class="site-brand__city">Musterstadt an der Probe</span>' in client.get(home).content.decode()
    )
