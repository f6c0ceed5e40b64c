"""A newcomer registers, confirms by e-mail, logs in, renames, downloads the data and deletes the account."""

import json
import quopri
import re

from playwright.sync_api import expect

from allmende.accounts.models import User


def _confirmation_link(mail_dir):
    files = sorted(mail_dir.iterdir())
    assert len(files) == 1, f"expected one mail file, found {[f.name for f in files]}"
    text = quopri.decodestring(files[0].read_bytes()).decode("utf-8")
    match = re.search(r"https?://\S+/konto/confirm-email/\S+/", text)
    assert match, text
    return match.group(0)


def test_newcomer_journey(live_server, page, mail_dir, axe_check):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Registrieren").first.click()

    page.get_by_label("E-Mail-Adresse").fill("neu@example.org")
    page.get_by_label("Öffentlicher Benutzername").fill("neuling")
    page.get_by_label("Passwort", exact=False).first.fill("Laubbaum-Fahrrad-17")
    page.get_by_label("Passwort (Wiederholung)").fill("Laubbaum-Fahrrad-17")
    page.get_by_label("Ich akzeptiere die Dialogregeln").check()
    page.get_by_role("button", name="Registrieren").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("E-Mail")
    axe_check(page, "verification sent")

    user = User.objects.get(username="neuling")
    assert user.accepted_rules_at is not None
    assert not user.emailaddress_set.get().verified

    page.goto(_confirmation_link(mail_dir))
    axe_check(page, "confirm e-mail")
    page.get_by_role("button", name="Bestätigen").click()
    expect(page.get_by_role("status")).to_contain_text("bestätigt")
    assert user.emailaddress_set.get().verified

    page.goto(live_server.url + "/konto/login/")
    page.get_by_label("E-Mail-Adresse oder Benutzername").fill("neu@example.org")
    page.get_by_label("Passwort").fill("Laubbaum-Fahrrad-17")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mein Konto")

    page.get_by_role("link", name="Benutzernamen ändern").click()
    page.get_by_label("Öffentlicher Benutzername").fill("stadtgaertnerin")
    page.get_by_role("button", name="Benutzernamen speichern").click()
    expect(page.get_by_role("status")).to_contain_text("stadtgaertnerin")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Meine Daten herunterladen (JSON)").click()
    data = json.loads(download_info.value.path().read_text(encoding="utf-8"))
    assert data["account"]["username"] == "stadtgaertnerin"
    assert data["account"]["email"] == "neu@example.org"

    page.get_by_role("link", name="Mein Konto löschen").click()
    page.get_by_label("Ihr Passwort").fill("Laubbaum-Fahrrad-17")
    page.get_by_label("Ja, mein Konto löschen").check()
    page.get_by_role("button", name="Mein Konto löschen").click()
    expect(page.get_by_role("status")).to_contain_text("gelöscht")
    navigation = page.get_by_role("navigation", name="Hauptnavigation")
    expect(navigation.get_by_role("link", name="Anmelden")).to_be_visible()
    assert not User.objects.filter(email="neu@example.org").exists()
