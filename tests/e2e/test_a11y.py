"""Every page of the site frame and the account flows, in each state a user meets, has no axe-core
violations for WCAG 2.0/2.1 A and AA, and keeps working at 320 CSS pixels (reflow)."""

import pytest
from playwright.sync_api import expect

from allmende import demo

ANONYMOUS_PAGES = [
    "/",
    "/seite/impressum/",
    "/seite/datenschutz/",
    "/seite/barrierefreiheit/",
    "/seite/dialogregeln/",
    "/seite/leichte-sprache/",
    "/runden/bh-2027-2028/",
    "/runden/bh-2017-2018/",
    "/konto/login/",
    "/konto/signup/",
    "/konto/password/reset/",
]

ACCOUNT_PAGES = [
    "/",
    "/konto/",
    "/konto/username/",
    "/konto/delete/",
    "/konto/email/",
    "/konto/password/change/",
    "/konto/benachrichtigungen/",
    "/runden/bh-2027-2028/vorschlaege/3/",
]


@pytest.fixture
def demo_city():
    return demo.build()


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_anonymous_pages_are_accessible(live_server, page, demo_city, axe_check, path):
    response = page.goto(live_server.url + path)
    assert response.status == 200
    assert page.locator("h1").count() == 1
    expect(page.locator("html")).to_have_attribute("lang", "de")
    axe_check(page)


@pytest.mark.parametrize("path", ACCOUNT_PAGES)
def test_account_pages_are_accessible(live_server, page, demo_city, login_as, axe_check, path):
    login_as(demo_city["anna"])
    response = page.goto(live_server.url + path)
    assert response.status == 200
    assert page.locator("h1").count() == 1
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
    axe_check(page)


@pytest.mark.parametrize(
    ("path", "button"),
    [
        ("/konto/signup/", "Registrieren"),
        ("/konto/login/", "Anmelden"),
        ("/konto/password/reset/", "Passwort zurücksetzen"),
        ("/seite/barrierefreiheit/", "Nachricht senden"),
    ],
)
def test_forms_with_errors_are_accessible(live_server, page, demo_city, axe_check, path, button):
    page.goto(live_server.url + path)
    page.locator("main").get_by_role("button", name=button).click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    axe_check(page, f"{path} with errors")


@pytest.mark.parametrize(
    ("path", "button"),
    [("/konto/username/", "Benutzernamen speichern"), ("/konto/delete/", "Mein Konto löschen")],
)
def test_account_forms_with_errors_are_accessible(
    live_server, page, demo_city, login_as, axe_check, path, button
):
    login_as(demo_city["anna"])
    page.goto(live_server.url + path)
    if path == "/konto/username/":
        page.get_by_label("Öffentlicher Benutzername").fill("bernd")  # taken by another demo user
    page.locator("main").get_by_role("button", name=button).click()
    expect(page.get_by_role("alert")).to_be_visible()
    axe_check(page, f"{path} with errors")


@pytest.mark.parametrize("path", ["/", "/konto/signup/", "/seite/datenschutz/"])
def test_pages_reflow_at_320_pixels(live_server, page, demo_city, path):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px"


@pytest.mark.parametrize(
    "path",
    [
        "/runden/bh-2027-2028/",
        "/runden/bh-2017-2018/auswahl/",
        "/verwaltung/bh-2017-2018/antraege/",
        "/verwaltung/bh-2017-2018/umsetzung/",
        "/verwaltung/bh-2017-2018/umsetzung/42/",
        "/verwaltung/bh-2017-2018/einschaetzungen/",
        "/verwaltung/bh-2027-2028/stellungnahmen/",
    ],
)
def test_pages_with_tables_reflow_at_320_pixels(live_server, page, demo_city, login_as, axe_check, path):
    """Wide tables scroll inside their own focusable region; the page itself never scrolls sideways."""
    login_as(demo_city["verwaltung" if "stellungnahmen" in path else "prozess"])
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.goto(live_server.url + path).status == 200
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px"
    axe_check(page, f"{path} at 320px")


def test_skip_link_moves_focus_to_main(live_server, page, demo_city):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_language_switch_on_every_page_changes_language(live_server, page, demo_city):
    page.goto(live_server.url + "/seite/impressum/")
    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Wechseln").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Legal notice")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_attached()


def test_error_pages_are_accessible(live_server, page, demo_city, axe_check):
    response = page.goto(live_server.url + "/runden/gibt-es-nicht/")
    assert response.status == 404
    assert page.locator("h1").count() == 1
    axe_check(page, "404")


def test_comment_edit_and_delete_pages_are_accessible(live_server, page, demo_city, login_as, axe_check):
    from allmende.comments import services as comments
    from allmende.proposals.models import Proposal

    proposal = Proposal.objects.get(round__slug="bh-2027-2028", number=3)
    comment = comments.post_comment(demo_city["anna"], proposal, "Ein Kommentar zum Bearbeiten")
    login_as(demo_city["anna"])
    for path in (f"/kommentare/{comment.pk}/bearbeiten/", f"/kommentare/{comment.pk}/loeschen/"):
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1
        axe_check(page, path)


@pytest.mark.parametrize("username", ["verwaltung", "moderation", "prozess"])
def test_staff_views_of_a_proposal_are_accessible(
    live_server, page, demo_city, login_as, axe_check, username
):
    """Staff see more on a proposal's page (linking papers, the moderation box): still accessible."""
    login_as(demo_city[username])
    page.goto(live_server.url + "/runden/bh-2017-2018/vorschlaege/42/")
    assert page.locator("h1").count() == 1
    axe_check(page, f"proposal page as {username}")
    page.goto(
        live_server.url + "/moderation/" if username == "moderation" else live_server.url + "/rueckblick/"
    )
    axe_check(page, f"{username}: second page")


def test_the_proposal_list_filters_leave_room_on_a_phones_first_screen(
    live_server, page, demo_city, axe_check
):
    """Search and order stay in view; topic, district, direction and state open on demand (and then
    pass axe too). With all six fields open the form alone is higher than a 320 × 640 screen (~810 px)."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/runden/bh-2027-2028/vorschlaege/")
    height = page.locator("form.filters").evaluate("e => e.getBoundingClientRect().height")
    assert height <= 480, f"the filters are {height}px high"  # three quarters; all six open: ~810
    expect(page.get_by_label("Thema")).to_be_hidden()
    page.get_by_text("Nach Thema, Stadtteil, Richtung und Status filtern").click()
    page.get_by_label("Thema").select_option(index=1)
    page.get_by_role("button", name="Vorschläge anzeigen").click()
    expect(page.get_by_label("Thema")).to_be_visible()
    expect(page.locator(".filters__more summary")).to_contain_text("(1 Filter gesetzt)")
    axe_check(page, "list with a topic filter at 320px")


def test_on_a_phone_the_header_menu_folds_behind_a_button(live_server, page, demo_city, axe_check):
    """At 320 px the header is the brand and a "Menü" button (a disclosure), not ~300 px of links; the
    links and the language switch are one press away, and Escape closes them again."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/runden/bh-2027-2028/vorschlaege/")
    height = page.locator(".site-header").evaluate("e => e.getBoundingClientRect().height")
    assert height <= 160, f"the header is {height}px high"  # unfolded: ~300 px
    menu = page.get_by_role("button", name="Menü")
    sign_in = page.locator(".site-nav").get_by_role("link", name="Anmelden")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(sign_in).to_be_hidden()
    axe_check(page, "header folded at 320px")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(sign_in).to_be_visible()
    expect(page.get_by_label("Sprache")).to_be_visible()
    axe_check(page, "header unfolded at 320px")
    sign_in.focus()
    page.keyboard.press("Escape")
    expect(menu).to_be_focused()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(sign_in).to_be_hidden()
    page.set_viewport_size({"width": 1024, "height": 768})  # wide: no button, everything in view
    expect(menu).to_be_hidden()
    expect(sign_in).to_be_visible()


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_without_javascript_the_header_menu_stays_unfolded_on_a_phone(live_server, page, demo_city):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/")
    expect(page.get_by_role("button", name="Menü")).to_be_hidden()
    expect(page.locator(".site-nav").get_by_role("link", name="Anmelden")).to_be_visible()
    expect(page.get_by_label("Sprache")).to_be_visible()
