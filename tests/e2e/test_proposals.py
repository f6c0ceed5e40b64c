"""A resident proposes with an image; another supports and takes it back; errors are announced and
keep what was typed; axe finds nothing on list, detail and form pages."""

import pytest
from PIL import Image
from playwright.sync_api import expect

from allmende import demo
from allmende.proposals.models import Proposal, Support
from allmende.rounds.models import Phase, Round
from tests.factories import make_proposal, make_round


def png_file(tmp_path):
    path = tmp_path / "allee.png"
    Image.new("RGB", (800, 500), (30, 120, 60)).save(path, format="PNG")
    return path


def test_resident_proposes_with_an_image(
    live_server, page, make_user, login_as, axe_check, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    round_ = make_round("vorschlagsphase", phase=Phase.Kind.PROPOSALS)
    login_as(make_user("anna"))
    page.goto(f"{live_server.url}/runden/{round_.slug}/vorschlaege/")
    axe_check(page, "list, empty")
    page.get_by_role("link", name="Vorschlag machen").click()
    axe_check(page, "empty form")

    page.get_by_label("Titel").fill("Mehr Bäume in der Altstadt")
    page.get_by_label("Kurzbeschreibung").fill("Schatten für heiße Sommer.")
    page.get_by_label("Beschreibung (Pflichtfeld)", exact=True).fill("## Warum\n\nEs wird jedes Jahr heißer.")
    page.get_by_label("Mehr ausgeben").check()
    page.get_by_label("Thema").select_option(label="Verkehr")
    page.get_by_label("Geschätzte Kosten in Euro (freiwillig)").fill("700.000")
    page.get_by_label("pro Jahr").check()
    page.get_by_label("Bild (freiwillig)").set_input_files(str(png_file(tmp_path)))
    # Forgetting the alt text: the error is announced, focus moves to the summary, the typing stays.
    page.get_by_role("button", name="Vorschlag einreichen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Bitte beschreiben Sie das Bild")
    expect(page.get_by_label("Titel")).to_have_value("Mehr Bäume in der Altstadt")
    expect(page.get_by_label("Was zeigt das Bild? (Alternativtext)")).to_have_attribute(
        "aria-invalid", "true"
    )
    axe_check(page, "form with errors")

    page.get_by_label("Was zeigt das Bild? (Alternativtext)").fill("Eine Allee mit jungen Linden")
    page.get_by_label("Bildnachweis (freiwillig)").fill("Foto: Anna")
    page.get_by_label("Bild (freiwillig)").set_input_files(str(png_file(tmp_path)))
    page.get_by_role("button", name="Vorschau").click()
    expect(page.get_by_role("heading", name="Warum")).to_be_visible()
    page.get_by_label("Bild (freiwillig)").set_input_files(str(png_file(tmp_path)))
    page.get_by_role("button", name="Vorschlag einreichen").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Mehr Bäume in der Altstadt")
    expect(page.get_by_role("status").first).to_contain_text("veröffentlicht")
    expect(page.get_by_role("img", name="Eine Allee mit jungen Linden")).to_be_visible()
    expect(page.get_by_text("700.000 € pro Jahr")).to_be_visible()
    axe_check(page, "detail")
    assert Proposal.objects.get().image.name.endswith(".webp")


def _support_and_take_back(live_server, page, make_user, login_as, axe_check):
    round_ = make_round()
    proposal = make_proposal(round_, author=make_user("autorin"), title="Trinkbrunnen")
    bernd = make_user("bernd")
    login_as(bernd)
    page.goto(live_server.url + proposal.get_absolute_url())
    button = page.get_by_role("button", name="Vorschlag unterstützen (0 Unterstützungen)")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    pressed = page.get_by_role("button", name="Vorschlag unterstützen (1 Unterstützung)")
    expect(pressed).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("status").filter(has_text="gezählt")).to_be_visible()
    if axe_check:  # axe-core runs as a script: only where the page runs scripts
        axe_check(page, "detail, supported")
    assert Support.objects.filter(user=bernd, proposal=proposal).count() == 1
    pressed.click()
    expect(page.get_by_role("button", name="Vorschlag unterstützen (0 Unterstützungen)")).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(page.get_by_role("status").filter(has_text="zurückgenommen")).to_be_visible()
    assert not Support.objects.exists()
    proposal.refresh_from_db()
    assert proposal.support_count == 0


def test_support_and_take_back_in_place(live_server, page, make_user, login_as, axe_check):
    """With JavaScript: htmx swaps the button in place and the status region announces the result."""
    _support_and_take_back(live_server, page, make_user, login_as, axe_check)
    assert page.evaluate("typeof htmx") == "object"


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_support_and_take_back_without_javascript(live_server, page, make_user, login_as):
    _support_and_take_back(live_server, page, make_user, login_as, axe_check=None)


@pytest.mark.parametrize(
    "mode", [Round.RatingMode.PRO_CONTRA, Round.RatingMode.SCALE, Round.RatingMode.POINTS]
)
def test_rating_modes_are_accessible(live_server, page, make_user, login_as, axe_check, mode):
    round_ = make_round(f"modus-{mode}".replace("_", "-"), mode=mode)
    proposal = make_proposal(round_)
    login_as(make_user("anna"))
    page.goto(live_server.url + proposal.get_absolute_url())
    group = page.get_by_role("group")
    first = group.get_by_role("button").first
    first.click()
    expect(group.get_by_role("button").first).to_have_attribute("aria-pressed", "true")
    axe_check(page, f"detail in mode {mode}")


def test_demo_lists_are_accessible(live_server, page, axe_check):
    demo.build()
    for path in [
        "/runden/bh-2027-2028/vorschlaege/",
        "/runden/bh-2027-2028/vorschlaege/?sort=random",
        "/runden/bh-2027-2028/vorschlaege/?topic=verkehr&q=Fahrrad",
        "/runden/bh-2027-2028/vorschlaege/?page=2",
        "/runden/bh-2017-2018/vorschlaege/42/",
    ]:
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1
        axe_check(page, path)
    expect(page.get_by_text("Der Vorschlag wurde 94 mal unterstützt.")).to_be_visible()
    expect(
        page.get_by_role("img", name="Ein Schild, auf dem herzlich willkommen in vielen Sprachen steht")
    ).to_be_visible()
