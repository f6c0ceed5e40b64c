"""A resident comments, another replies, a third reports; the moderator hides with a reason and the
author finds it; the moderator merges two duplicates and the target counts the union of supporters;
the audit log shows it all. axe finds nothing on the thread, the queue and the merge form."""

from playwright.sync_api import expect

from allmende.accounts import roles
from allmende.moderation.models import AuditEntry
from allmende.proposals import services as proposals
from allmende.proposals.models import Proposal
from tests.factories import make_proposal, make_round


def test_discussion_and_moderation_journey(live_server, browser, make_user, axe_check):
    from tests.e2e.conftest import CHROMIUM_ARGS, session_cookie  # noqa: F401

    round_ = make_round()
    target = make_proposal(round_, author=make_user("autorin"), title="Mehr Trinkbrunnen")
    duplicate = make_proposal(round_, author=make_user("zweite"), title="Trinkbrunnen in Parks")
    anna, bernd, clara = make_user("anna"), make_user("bernd"), make_user("clara")
    moderator = make_user("moderation", role=roles.MODERATOR, is_staff=True)
    manager = make_user("prozess", role=roles.PROCESS_MANAGER, is_staff=True)
    for person, proposal in [(anna, target), (anna, duplicate), (bernd, duplicate), (clara, target)]:
        proposals.rate(person, proposal)

    def page_for(user):
        context = browser.new_context(locale="de-DE")
        context.set_default_timeout(10_000)
        context.add_cookies([session_cookie(user, live_server.url)])
        return context.new_page()

    url = live_server.url + target.get_absolute_url()
    # Anna comments (in place, with htmx).
    page = page_for(anna)
    page.goto(url)
    page.get_by_label("Ihr Kommentar").fill("Im Sommer fehlen Brunnen. Du Idiot!")
    page.get_by_role("button", name="Kommentar senden").click()
    expect(page.get_by_role("status").filter(has_text="veröffentlicht")).to_be_visible()
    expect(page.get_by_role("heading", name="Diskussion (1 Kommentar)")).to_be_visible()
    axe_check(page, "thread")
    # Bernd replies.
    page = page_for(bernd)
    page.goto(url)
    page.get_by_text("Antworten", exact=True).click()
    page.get_by_label("Ihre Antwort an anna").fill("Ja, am Spielplatz besonders.")
    page.get_by_role("button", name="Antwort senden").click()
    expect(page.get_by_text("Ja, am Spielplatz besonders.")).to_be_visible()
    # Clara reports Anna's comment.
    page = page_for(clara)
    page.goto(url)
    page.get_by_role("link", name="Melden den Kommentar von anna").click()
    axe_check(page, "report form")
    page.get_by_label("Beleidigung, Drohung oder Diskriminierung").check()
    page.get_by_role("button", name="Meldung senden").click()
    expect(page.get_by_role("status").first).to_contain_text("Moderation")
    # The moderator hides it with a reason.
    page = page_for(moderator)
    page.goto(live_server.url + "/moderation/")
    axe_check(page, "moderation queue")
    card = page.get_by_role("article").filter(has_text="Du Idiot")
    card.get_by_text("Mit Begründung ausblenden").click()
    card.get_by_label("Begründung (wird der Verfasserin oder dem Verfasser mitgeteilt)").fill(
        "Beleidigung, Regel 1 der Dialogregeln"
    )
    card.get_by_role("button", name="Ausblenden").click()
    expect(page.get_by_role("status").first).to_contain_text("Ausgeblendet")
    # The moderator merges the duplicate.
    page.goto(live_server.url + duplicate.get_absolute_url())
    page.get_by_role("link", name="Als Duplikat zusammenführen").click()
    axe_check(page, "merge form")
    page.get_by_label("Zusammenführen mit Vorschlag Nummer").fill(target.reference)
    page.get_by_label("Begründung").fill("Gleicher Vorschlag")
    page.get_by_role("button", name="Zusammenführen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mehr Trinkbrunnen")
    expect(page.get_by_role("button", name="Vorschlag unterstützen (3 Unterstützungen)")).to_be_visible()
    assert Proposal.objects.get(pk=target.pk).support_count == 3  # anna, bernd, clara: each once
    # Anna finds the reason.
    page = page_for(anna)
    page.goto(url)
    expect(page.get_by_text("Beleidigung, Regel 1 der Dialogregeln")).to_be_visible()
    expect(page.get_by_text("Du Idiot")).to_have_count(0)
    # The process manager reads the audit log.
    page = page_for(manager)
    page.goto(live_server.url + "/moderation/protokoll/")
    axe_check(page, "audit log")
    expect(page.get_by_role("cell", name="hide", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="merge", exact=True)).to_be_visible()
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {"hide", "merge"}
