"""One proposal from the forum to the retrospective, each step by the role that does it in a city:
a resident supports it, administration staff answer and publish, the process manager adds the faction
enters the council papers and links them to the proposal on its page, then records the faction's motion, the council's decision with its
budget line, a milestone (and removes one entered by mistake) and the retrospective on the staff pages
under /verwaltung/<round>/ (not in the admin). The retrospective page shows the founding document's
anatomy; axe finds nothing on the timeline, the retrospective list and detail, and every staff page
and form, with and without errors."""

import io

from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import expect

from allmende.accountability.models import (
    AnswerState,
    Decision,
    Faction,
    Milestone,
    Motion,
    ProposalPaper,
    Retrospective,
    Selection,
)
from allmende.accounts import roles
from tests.factories import make_proposal, make_round


def _picture():
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 120, 40)).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue())


def test_from_the_forum_to_the_retrospective(live_server, browser, make_user, axe_check, settings, tmp_path):
    from tests.e2e.conftest import session_cookie

    settings.MEDIA_ROOT = tmp_path
    round_ = make_round("bh-weg")
    proposal = make_proposal(
        round_,
        author=make_user("autorin"),
        title="Integration durch Case-Manager",
        summary="Ein individueller Integrationsplan soll helfen.",
        description="Seit Mai 2018 gibt es das Integrationsmanagement.\n\n## Hilfe im Alltag\n\nBegleitung.",
        cost_cents=70_000_000,
        cost_period="yearly",
        image_alt="Ein Schild, auf dem herzlich willkommen in vielen Sprachen steht",
        image_caption="Individuelle Unterstützung für geflüchtete Menschen",
        image_credit="Foto: A.J. Schmidt",
    )
    proposal.image.save("schild.png", _picture())
    anna = make_user("anna")
    staff = make_user("verwaltung", role=roles.ADMINISTRATION)  # no admin access needed
    manager = make_user("prozess", role=roles.PROCESS_MANAGER)

    def page_for(user):
        context = browser.new_context(locale="de-DE")
        context.set_default_timeout(10_000)
        context.add_cookies([session_cookie(user, live_server.url)])
        return context.new_page()

    url = live_server.url + proposal.get_absolute_url()

    # A resident supports the proposal in the forum.
    page = page_for(anna)
    page.goto(url)
    page.locator(".rating__button").click()
    expect(page.locator(".rating__button")).to_have_attribute("aria-pressed", "true")

    # Administration staff answer it: first an error (no reason for "not feasible"), then properly.
    page = page_for(staff)
    page.goto(f"{live_server.url}/verwaltung/{round_.slug}/stellungnahmen/")
    axe_check(page, "answers overview")
    page.goto(f"{live_server.url}/verwaltung/{round_.slug}/stellungnahmen/{proposal.number}/")
    page.locator("input[name=state][value=not_feasible]").check()
    page.locator("#id_answered_on").fill("2017-02-20")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    axe_check(page, "answer form with errors")
    page.locator("input[name=state][value=feasible]").check()
    page.locator("#id_text").fill("Umsetzbar mit Mitteln des Pakts für Integration.")
    page.locator("#id_cost").fill("700.000")
    page.locator("#id_cost_period").select_option("yearly")
    page.locator("#id_office").fill("Amt für Migration und Integration")
    page.locator("form.form button[type=submit]").click()
    page.locator("form[action$='veroeffentlichen/'] button").click()
    expect(page.locator(".messages")).to_contain_text("1")

    # The process manager finds the staff overview on the round's page ...
    page = page_for(manager)
    base = f"{live_server.url}/verwaltung/{round_.slug}"
    page.goto(live_server.url + round_.get_absolute_url())
    page.get_by_role("link", name="Übersicht dieser Runde für Mitarbeitende").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Übersicht für Mitarbeitende")
    axe_check(page, "staff overview")

    # ... keeps the round's list of assessments ...
    page.goto(f"{base}/einschaetzungen/")
    page.locator("#id_label").fill("vertagt")
    page.locator("#id_code").fill("kein code")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    axe_check(page, "assessments with errors")
    page.locator("#id_code").fill("postponed")
    page.locator("#id_requires_reason").check()
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("table")).to_contain_text("vertagt")
    assert AnswerState.objects.get(round=round_, code="postponed").requires_reason
    axe_check(page, "assessments")

    # ... adds the council's faction (the motion form sends there while there is none) ...
    page.goto(f"{base}/antraege/neu/")
    page.get_by_role("link", name="Erfassen Sie zuerst die Fraktionen des Gemeinderats.").click()
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Namen der Fraktion")
    axe_check(page, "faction form with errors")
    page.locator("#id_name").fill("Grüne Lsite")  # a typo: added, then removed after confirming
    page.locator("form.form button[type=submit]").click()
    page.get_by_role("link", name="„Grüne Lsite“ entfernen").click()
    axe_check(page, "confirm removing a faction")
    page.get_by_role("button", name="Fraktion entfernen").click()
    expect(page.locator(".message--success")).to_contain_text("Die Fraktion Grüne Lsite wurde entfernt.")
    page.locator("#id_name").fill("Grüne Liste")
    page.locator("#id_short_name").fill("GL")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("table")).to_contain_text("Grüne Liste")
    expect(page.locator("table")).not_to_contain_text("Lsite")
    axe_check(page, "factions")
    faction = Faction.objects.get(name="Grüne Liste")

    # ... enters the two council papers the import has not brought (first one without its reference) ...
    page.goto(f"{base}/drucksachen/")
    page.get_by_role("link", name="Drucksache erfassen").click()
    page.locator("#id_title").fill("Beteiligungshaushalt: Vorschläge aus dem Forum")
    page.locator("#id_web_url").fill("kein link")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Nummer der Drucksache")
    expect(page.locator("[data-error-summary]")).to_contain_text("Webadresse")
    axe_check(page, "council paper form with errors")
    for reference in ("G-17/184", "G-17/184.1"):
        if reference != "G-17/184":
            page.get_by_role("link", name="Drucksache erfassen").click()
        page.locator("#id_reference").fill(reference)
        page.locator("#id_date").fill("2017-10-24")
        page.locator("#id_paper_type").fill("Beschlussvorlage")
        page.locator("#id_web_url").fill(f"https://ris.example.org/{reference}")
        page.locator("form.form button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text(reference)
    page.locator("#paper-search").fill("184.1")
    page.locator("form.filters button").click()
    expect(page.locator("table tbody tr")).to_have_count(1)
    axe_check(page, "council papers")
    # ... and links them to the proposal on its page by typing their references.
    page.goto(url)
    for reference in ("G-17/184", "G-17/184.1"):
        page.locator("#paper-reference").fill(reference)
        page.locator("#link-paper-heading + form button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text(reference)
    assert sorted(
        ProposalPaper.objects.filter(proposal=proposal).values_list("paper__reference", flat=True)
    ) == [
        "G-17/184",
        "G-17/184.1",
    ]

    # ... chooses the selection rule ...
    page.goto(f"{base}/auswahl/")
    page.locator("input[name=rule][value=top_n]").check()
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    axe_check(page, "selection rule with errors")
    page.locator("#id_top_n").fill("10")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Auswahlregel")
    assert Selection.objects.get(round=round_).top_n == 10
    axe_check(page, "selection rule")

    # ... records the faction's motion (first with a proposal number that does not exist) ...
    page.goto(f"{base}/antraege/")
    page.get_by_role("link", name="Antrag erfassen").click()
    page.locator("#id_faction").select_option(str(faction.pk))
    page.locator("#id_number").fill("ÄA-12")
    page.locator("#id_title").fill("Integrationsmanagement")
    page.locator("#id_date").fill("2017-03-14")
    page.locator("#id_paper_reference").fill("G-17/184")
    page.locator("#id_proposals").fill("99")
    page.locator("#id_amount_asked").fill("700.000")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("99")
    axe_check(page, "motion form with errors")
    assert not Motion.objects.exists()
    page.locator("#id_proposals").fill(proposal.reference)
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("table")).to_contain_text("ÄA-12")
    axe_check(page, "motions")
    motion = Motion.objects.get(number="ÄA-12")
    assert list(motion.proposals.all()) == [proposal]

    # ... the council's decision with its budget line ...
    page.get_by_role("link", name="Beschluss zu ÄA-12 erfassen").click()
    page.locator("input[name=outcome][value=adopted]").check()
    page.locator("#id_date").fill("2017-03-29")
    page.locator("#id_amount_granted").fill("700.000")
    page.locator("input[name=place][value=budget]").check()
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    axe_check(page, "decision form with errors")
    page.locator("#id_line_year").fill("2018")
    page.locator("#id_line_code").fill("31.50.01")
    page.locator("#id_line_name").fill("Integrationsmanagement für Geflüchtete")
    page.locator("#id_line_amount").fill("700.000")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("table")).to_contain_text("31.50.01")
    decision = Decision.objects.get(motion=motion)
    assert (decision.budget_line.code, decision.amount_granted_cents) == ("31.50.01", 70_000_000)

    # ... a milestone and the retrospective.
    page.goto(f"{base}/umsetzung/")
    axe_check(page, "implementation list")
    page.get_by_role("link", name=f"Umsetzung von {proposal.reference}").click()
    page.locator("#id_date").fill("2018-05-01")
    page.locator("#id_text").fill("Das Integrationsmanagement startet.")
    page.locator("#id_progress").fill("160")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    axe_check(page, "milestone form with errors")
    page.locator("#id_progress").fill("60")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("table")).to_contain_text("Das Integrationsmanagement startet.")
    assert Milestone.objects.get(proposal=proposal).progress == 60
    axe_check(page, "proposal implementation")
    # A milestone entered by mistake is removed after a confirmation.
    page.locator("#id_date").fill("2018-05-02")
    page.locator("#id_text").fill("Versehentlich erfasst.")
    page.locator("#id_progress").fill("0")
    page.locator("form.form button[type=submit]").click()
    page.get_by_role("link", name="Meilenstein vom 2. Mai 2018 entfernen").click()
    expect(page.locator("main")).to_contain_text("Versehentlich erfasst.")
    axe_check(page, "milestone removal")
    page.get_by_role("button", name="Meilenstein entfernen").click()
    expect(page.locator(".messages")).to_contain_text("entfernt")
    assert list(Milestone.objects.filter(proposal=proposal).values_list("text", flat=True)) == [
        "Das Integrationsmanagement startet."
    ]
    page.get_by_role("link", name="Rückblick schreiben").click()
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    axe_check(page, "retrospective form with errors")
    page.locator("#id_status_date").fill("2018-12-01")
    page.locator("input[name=implementation][value=done]").check()
    page.locator("#id_is_success").check()
    page.locator("#id_text").fill("## Was daraus wurde\n\nEs läuft.")
    page.locator("#id_costs_text").fill("ca. 700.000 Euro/Jahr")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Rückblick")
    assert Retrospective.objects.get(proposal=proposal).is_success

    # Residents are refused the staff pages with a reason.
    page = page_for(anna)
    response = page.goto(f"{base}/antraege/neu/")
    assert response.status == 403
    expect(page.locator("main")).to_contain_text("Prozessverantwortliche")

    # Anyone follows the way on the proposal page ...
    page = browser.new_page(locale="de-DE")
    page.goto(url)
    timeline = page.locator("section.timeline ol")
    expect(timeline.locator("li")).to_have_count(8)
    for text in (
        "Amt für Migration und Integration",
        "ÄA-12",
        "31.50.01",
        "Das Integrationsmanagement startet.",
    ):
        expect(timeline).to_contain_text(text)
    axe_check(page, "timeline")

    # ... and finds it in the retrospective.
    page.goto(live_server.url + "/rueckblick/")
    expect(page.locator(".result-count[role=status]")).to_contain_text("1")
    axe_check(page, "retrospective list")
    page.locator("#r-umsetzung").select_option("in_progress")
    page.locator("form.filters button").click()
    expect(page.locator(".result-count[role=status]")).to_contain_text("0")
    page.locator("#r-umsetzung").select_option("done")
    page.locator("form.filters button").click()
    page.get_by_role("link", name="Integration durch Case-Manager").click()
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vorschlag: Integration durch Case-Manager")
    expect(main.locator("h1 + p")).to_contain_text("1")
    expect(main.locator("figure img")).to_have_attribute("alt", proposal.image_alt)
    expect(main.locator("figcaption")).to_have_text(
        "Individuelle Unterstützung für geflüchtete Menschen (Foto: A.J. Schmidt)"
    )
    expect(main.get_by_role("heading", name="Kurzbeschreibung")).to_be_visible()
    expect(main.get_by_role("heading", name="Hilfe im Alltag")).to_be_visible()
    expect(main.get_by_role("heading", name="Kosten")).to_be_visible()
    expect(main).to_contain_text("ca. 700.000 Euro/Jahr")
    for reference in ("G-17/184", "G-17/184.1"):
        expect(main.locator(f'a[href="https://ris.example.org/{reference}"]')).to_contain_text(reference)
    expect(main.locator(".status-date")).to_contain_text("Dezember 2018")
    axe_check(page, "retrospective detail")
