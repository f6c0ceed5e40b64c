"""Factions and council papers on the staff pages (/verwaltung/<round>/fraktionen/, …/drucksachen/),
and removing a milestone: only the process manager, errors in the error summary, nothing half-saved,
and papers taken over from the council information system are not changed by hand."""

import datetime

import pytest
from django.urls import reverse

from allmende.accountability import services
from allmende.accountability.models import CouncilPaper, Faction, Milestone, Motion, ProposalPaper
from allmende.accounts import roles
from allmende.moderation.models import AuditEntry
from allmende.rounds.permissions import ActionRefused


def url(name, round_, *args):
    return reverse(f"accountability:{name}", args=[round_.slug, *args])


def errors(response):
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert "data-error-summary" in html
    return html


@pytest.fixture
def imported(db):
    return CouncilPaper.objects.create(
        reference="G-17/184",
        title="Beteiligungshaushalt",
        oparl_id="https://ris.example.org/oparl/paper/750",
        body_name="Stadt Freiburg",
        web_url="https://ris.example.org/paper/750",
    )


# --- who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["factions", "papers", "paper_add"])
@pytest.mark.parametrize(
    "role", [roles.RESIDENT, roles.MODERATOR, roles.ADMINISTRATION, roles.COUNCIL_MEMBER]
)
def test_only_process_managers_keep_factions_and_papers(client, make_user, rating_round, name, role):
    client.force_login(make_user("x", role=role))
    response = client.get(url(name, rating_round))
    assert response.status_code == 403
    assert "Prozessverantwortliche" in response.content.decode()
    assert client.post(url(name, rating_round), {"name": "X", "reference": "X-1"}).status_code == 403
    assert not Faction.objects.exists() and not CouncilPaper.objects.exists()


def test_others_may_not_change_a_faction_a_paper_or_remove_a_milestone(client, make_user, proposal):
    faction = Faction.objects.create(name="Grüne Liste")
    paper = CouncilPaper.objects.create(reference="G-1")
    milestone = Milestone.objects.create(proposal=proposal, date=datetime.date(2030, 1, 1), text="Start")
    round_ = proposal.round
    client.force_login(make_user("x", role=roles.ADMINISTRATION))
    for target, data in [
        (url("faction_edit", round_, faction.pk), {"name": "Anders"}),
        (url("paper_edit", round_, paper.pk), {"reference": "G-2"}),
        (url("milestone_delete", round_, proposal.number, milestone.pk), {}),
    ]:
        assert client.get(target).status_code == 403
        assert client.post(target, data).status_code == 403
    assert Faction.objects.get().name == "Grüne Liste"
    assert CouncilPaper.objects.get().reference == "G-1"
    assert Milestone.objects.exists()


def test_services_refuse_others(make_user, proposal):
    resident = make_user("anna")
    with pytest.raises(ActionRefused):
        services.save_faction(resident, name="X")
    with pytest.raises(ActionRefused):
        services.save_paper(resident, reference="X-1")
    milestone = Milestone.objects.create(proposal=proposal, date=datetime.date(2030, 1, 1), text="Start")
    with pytest.raises(ActionRefused):
        services.delete_milestone(resident, milestone)
    assert Milestone.objects.exists()


def test_overview_links_factions_and_papers(manager_client, rating_round):
    html = manager_client.get(url("staff", rating_round)).content.decode()
    assert url("factions", rating_round) in html and url("papers", rating_round) in html


# --- factions --------------------------------------------------------------------------------------


def test_motion_form_without_factions_links_the_factions_page(manager_client, rating_round):
    html = manager_client.get(url("motion_add", rating_round)).content.decode()
    assert url("factions", rating_round) in html
    assert "Verwaltungsbereich" not in html  # not sent to the admin any more


def test_manager_adds_and_changes_a_faction(manager_client, rating_round):
    response = manager_client.post(
        url("factions", rating_round), {"name": " Grüne  Liste ", "short_name": "GL"}
    )
    assert response.status_code == 302
    faction = Faction.objects.get()
    assert (faction.name, faction.short_name) == ("Grüne Liste", "GL")
    assert AuditEntry.objects.filter(action="faction_saved").exists()
    html = manager_client.get(url("motion_add", rating_round)).content.decode()
    assert f'value="{faction.pk}"' in html
    edit = url("faction_edit", rating_round, faction.pk)
    assert 'value="Grüne Liste"' in manager_client.get(edit).content.decode()
    assert manager_client.post(edit, {"name": "Grüne Liste Freiburg", "short_name": ""}).status_code == 302
    faction.refresh_from_db()
    assert (faction.name, faction.short_name) == ("Grüne Liste Freiburg", "")
    assert Faction.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Namen der Fraktion"),
        ({"name": "grüne liste"}, "bereits eine Fraktion"),
        ({"name": "x" * 201}, "200"),
    ],
)
def test_faction_errors_save_nothing(manager_client, rating_round, data, message):
    Faction.objects.create(name="Grüne Liste")
    html = errors(manager_client.post(url("factions", rating_round), data))
    assert message in html
    assert list(Faction.objects.values_list("name", flat=True)) == ["Grüne Liste"]


def test_renaming_onto_another_faction_is_refused(manager_client, rating_round):
    Faction.objects.create(name="Grüne Liste")
    other = Faction.objects.create(name="Bürgerliste")
    html = errors(manager_client.post(url("faction_edit", rating_round, other.pk), {"name": "GRÜNE LISTE"}))
    assert "bereits eine Fraktion" in html
    other.refresh_from_db()
    assert other.name == "Bürgerliste"


# --- council papers --------------------------------------------------------------------------------

PAPER = {
    "reference": "G-17/184",
    "title": "Beteiligungshaushalt: Vorschläge aus dem Forum",
    "date": "2017-10-24",
    "paper_type": "Beschlussvorlage",
    "web_url": "https://ris.example.org/vo0050.asp?__kvonr=750",
    "main_file_url": "https://ris.example.org/files/57737.pdf",
}


def test_manager_enters_a_paper_that_motions_then_link(manager_client, rating_round):
    assert manager_client.post(url("paper_add", rating_round), PAPER).status_code == 302
    paper = CouncilPaper.objects.get()
    assert (paper.reference, paper.date, paper.oparl_id) == ("G-17/184", datetime.date(2017, 10, 24), None)
    assert paper.web_url == PAPER["web_url"] and paper.main_file_url == PAPER["main_file_url"]
    assert AuditEntry.objects.filter(action="paper_saved").exists()
    faction = Faction.objects.create(name="Grüne Liste")
    response = manager_client.post(
        url("motion_add", rating_round),
        {
            "faction": faction.pk,
            "number": "ÄA-1",
            "title": "t",
            "date": "2030-01-01",
            "paper_reference": "g-17/184",
        },
    )
    assert response.status_code == 302
    assert faction.motions.get().paper == paper


def test_manager_changes_a_paper_entered_by_hand(manager_client, rating_round):
    manager_client.post(url("paper_add", rating_round), PAPER)
    paper = CouncilPaper.objects.get()
    edit = url("paper_edit", rating_round, paper.pk)
    assert 'value="G-17/184"' in manager_client.get(edit).content.decode()
    response = manager_client.post(edit, {**PAPER, "reference": "G-17/184.1", "title": "Ergänzung"})
    assert response.status_code == 302
    paper.refresh_from_db()
    assert (paper.reference, paper.title) == ("G-17/184.1", "Ergänzung")
    assert CouncilPaper.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reference": " "}, "Nummer der Drucksache"),
        ({"reference": "g-17/184"}, "bereits eine Drucksache"),
        ({"web_url": "kein link"}, "Webadresse"),
        ({"date": "14.3."}, "Datum"),
        ({"title": "x" * 1001}, "1000"),
    ],
)
def test_paper_errors_save_nothing(manager_client, rating_round, imported, changes, message):
    html = errors(manager_client.post(url("paper_add", rating_round), {**PAPER, **changes}))
    assert message in html
    assert list(CouncilPaper.objects.all()) == [imported]


def test_papers_are_searchable_by_reference(manager_client, rating_round, imported):
    CouncilPaper.objects.create(reference="G-18/001", title="Haushalt 2019")
    listing = url("papers", rating_round)
    html = manager_client.get(listing, {"suche": "17/18"}).content.decode()
    assert "G-17/184" in html and "G-18/001" not in html
    html = manager_client.get(listing).content.decode()
    assert "G-17/184" in html and "G-18/001" in html
    assert "Ratsinformationssystem" in html and "von Hand" in html
    html = manager_client.get(listing, {"suche": "G-99"}).content.decode()
    assert "Keine Drucksache" in html


def test_papers_are_paged(manager_client, rating_round):
    CouncilPaper.objects.bulk_create(CouncilPaper(reference=f"A-{n:03d}") for n in range(60))
    html = manager_client.get(url("papers", rating_round)).content.decode()
    assert "60 Drucksachen" in html and 'rel="next"' in html
    html = manager_client.get(url("papers", rating_round), {"seite": "2"}).content.decode()
    assert 'rel="prev"' in html and "A-059" in html


def test_an_imported_paper_is_shown_with_its_source_and_not_changed_by_hand(
    manager, manager_client, rating_round, imported
):
    edit = url("paper_edit", rating_round, imported.pk)
    html = manager_client.get(edit).content.decode()
    assert "Aus dem Ratsinformationssystem übernommen" in html
    assert imported.oparl_id in html
    assert 'name="reference"' not in html  # read-only: no form
    response = manager_client.post(edit, {**PAPER, "title": "Von Hand geändert"})
    assert response.status_code == 200
    assert "im Ratsinformationssystem" in response.content.decode()
    imported.refresh_from_db()
    assert imported.title == "Beteiligungshaushalt"
    with pytest.raises(ActionRefused):
        services.save_paper(manager, imported, reference="G-17/184", title="Von Hand geändert")
    assert not AuditEntry.objects.filter(action="paper_saved").exists()


def test_the_admin_keeps_imported_fields_read_only(admin_client, imported):
    response = admin_client.get(reverse("admin:accountability_councilpaper_change", args=[imported.pk]))
    html = response.content.decode()
    assert 'name="title"' not in html and "Beteiligungshaushalt" in html
    hand = CouncilPaper.objects.create(reference="H-1")
    response = admin_client.get(reverse("admin:accountability_councilpaper_change", args=[hand.pk]))
    assert 'name="title"' in response.content.decode()


# --- removing a milestone --------------------------------------------------------------------------


def test_a_milestone_is_removed_after_confirmation(manager_client, proposal):
    keep = Milestone.objects.create(proposal=proposal, date=datetime.date(2030, 1, 1), text="Start")
    wrong = Milestone.objects.create(
        proposal=proposal, date=datetime.date(2030, 2, 1), text="Versehen", progress=5
    )
    round_ = proposal.round
    delete = url("milestone_delete", round_, proposal.number, wrong.pk)
    assert (
        delete in manager_client.get(url("proposal_implementation", round_, proposal.number)).content.decode()
    )
    html = manager_client.get(delete).content.decode()
    assert "Versehen" in html and 'method="post"' in html
    assert Milestone.objects.count() == 2  # asking removes nothing
    response = manager_client.post(delete)
    assert response.status_code == 302
    assert list(Milestone.objects.all()) == [keep]
    entry = AuditEntry.objects.get(action="milestone_deleted")
    assert entry.proposal == proposal and entry.data["text"] == "Versehen"
    assert manager_client.post(delete).status_code == 404


def test_a_milestone_of_another_proposal_is_not_found(manager_client, proposal, make_user):
    from tests.factories import make_proposal

    other = make_proposal(proposal.round, author=make_user("andere"))
    milestone = Milestone.objects.create(proposal=other, date=datetime.date(2030, 1, 1), text="Start")
    assert (
        manager_client.post(
            url("milestone_delete", proposal.round, proposal.number, milestone.pk)
        ).status_code
        == 404
    )
    assert Milestone.objects.exists()


# --- removing factions and papers entered by mistake ---------------------------------------------------


def test_manager_removes_a_faction_entered_by_mistake(manager_client, rating_round):
    faction = Faction.objects.create(name="Grüne Lsite")
    listing = manager_client.get(url("factions", rating_round)).content.decode()
    target = url("faction_delete", rating_round, faction.pk)
    assert target in listing
    assert "Grüne Lsite" in manager_client.get(target).content.decode()  # asks first
    assert Faction.objects.exists()
    response = manager_client.post(target, follow=True)
    assert "Die Fraktion Grüne Lsite wurde entfernt." in response.content.decode()
    assert not Faction.objects.exists()
    assert AuditEntry.objects.get(action="faction_deleted").data["faction"] == "Grüne Lsite"


def test_a_faction_with_motions_stays(manager_client, rating_round, proposal):
    faction = Faction.objects.create(name="Grüne Liste")
    Motion.objects.create(
        round=rating_round, faction=faction, number="1", title="Radwege", date=datetime.date(2030, 1, 1)
    )
    assert (
        url("faction_delete", rating_round, faction.pk)
        not in manager_client.get(url("factions", rating_round)).content.decode()
    )
    response = manager_client.post(url("faction_delete", rating_round, faction.pk), follow=True)
    assert "1 Änderungsantrag gestellt" in response.content.decode()
    assert Faction.objects.exists() and not AuditEntry.objects.filter(action="faction_deleted").exists()


def test_manager_removes_a_paper_entered_by_mistake_but_not_one_in_use(
    manager_client, rating_round, proposal
):
    wrong = CouncilPaper.objects.create(reference="G-17/148", title="Zahlendreher")
    used = CouncilPaper.objects.create(reference="G-17/184")
    ProposalPaper.objects.create(proposal=proposal, paper=used)
    imported = CouncilPaper.objects.create(reference="G-17/200", oparl_id="https://ris.example/paper/200")
    assert (
        url("paper_delete", rating_round, wrong.pk)
        in manager_client.get(url("paper_edit", rating_round, wrong.pk)).content.decode()
    )
    response = manager_client.post(url("paper_delete", rating_round, used.pk), follow=True)
    assert "G-17/184 kann nicht entfernt werden" in response.content.decode()
    response = manager_client.post(url("paper_delete", rating_round, imported.pk), follow=True)
    assert "Ratsinformationssystem" in response.content.decode()
    response = manager_client.post(url("paper_delete", rating_round, wrong.pk), follow=True)
    assert "Die Drucksache G-17/148 wurde entfernt." in response.content.decode()
    assert set(CouncilPaper.objects.values_list("reference", flat=True)) == {"G-17/184", "G-17/200"}
    assert AuditEntry.objects.filter(action="paper_deleted").count() == 1


def test_others_may_not_remove_factions_or_papers(client, make_user, rating_round):
    faction = Faction.objects.create(name="Grüne Liste")
    paper = CouncilPaper.objects.create(reference="G-1")
    client.force_login(make_user("x", role=roles.ADMINISTRATION))
    for target in (
        url("faction_delete", rating_round, faction.pk),
        url("paper_delete", rating_round, paper.pk),
    ):
        assert client.get(target).status_code == 403
        assert client.post(target).status_code == 403
    with pytest.raises(ActionRefused):
        services.delete_faction(make_user("y"), faction)
    assert Faction.objects.exists() and CouncilPaper.objects.exists()
