"""Council papers: the reference rule, linking a proposal to a paper by its reference, the admin."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from allmende.accountability.models import CouncilPaper, ProposalPaper
from allmende.accountability.queries import papers_by_reference, papers_of_proposal
from allmende.accountability.services import ActionRefused, link_paper
from allmende.accounts import roles
from allmende.rounds.permissions import can_link_papers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English messages; the German ones are checked by the catalogue test."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def papers(db):
    return {
        "main": CouncilPaper.objects.create(
            reference="G-17/184", title="Beteiligungshaushalt", body_name="Stadt Freiburg"
        ),
        "supplement": CouncilPaper.objects.create(
            reference="G-17/184.1", title="Ergänzung", body_name="Stadt Freiburg"
        ),
    }


@pytest.fixture
def staff(make_user):
    return make_user("verwaltung", role=roles.ADMINISTRATION)


def test_a_reference_is_unique_per_body_ignoring_case(papers):
    with pytest.raises(IntegrityError), transaction.atomic():
        CouncilPaper.objects.create(reference="g-17/184", body_name="Stadt Freiburg")
    # Another body may use the same reference; papers without reference are many; deleted ones step aside.
    CouncilPaper.objects.create(reference="G-17/184", body_name="Landkreis")
    CouncilPaper.objects.create(reference="", body_name="Stadt Freiburg")
    CouncilPaper.objects.create(reference="", body_name="Stadt Freiburg")
    papers["main"].deleted = True
    papers["main"].save()
    CouncilPaper.objects.create(reference="G-17/184", body_name="Stadt Freiburg")


def test_the_oparl_id_is_unique_where_given(db):
    CouncilPaper.objects.create(oparl_id="https://ris.example.org/oparl/paper/1")
    CouncilPaper.objects.create(reference="A")
    CouncilPaper.objects.create(reference="B")  # two hand-entered papers without OParl id
    with pytest.raises(IntegrityError), transaction.atomic():
        CouncilPaper.objects.create(oparl_id="https://ris.example.org/oparl/paper/1")


def test_link_by_reference_trimmed_and_ignoring_case(staff, proposal, papers):
    link = link_paper(staff, proposal, "  g-17/184 ", note=" Beschluss ")
    assert link.paper == papers["main"]  # not the supplement G-17/184.1: exact, not a prefix
    assert (link.note, link.created_by) == ("Beschluss", staff)
    link_paper(staff, proposal, "G-17/184.1")
    assert [item.paper.reference for item in papers_of_proposal(proposal)] == ["G-17/184", "G-17/184.1"]


@pytest.mark.parametrize("role", [roles.ADMINISTRATION, roles.PROCESS_MANAGER, None])
def test_who_may_link(make_user, proposal, papers, role):
    user = make_user("person", role=role, is_superuser=role is None)
    assert can_link_papers(user)
    link_paper(user, proposal, "G-17/184")
    assert ProposalPaper.objects.count() == 1


@pytest.mark.parametrize("role", [roles.RESIDENT, roles.MODERATOR, roles.COUNCIL_MEMBER])
def test_others_may_not_link(make_user, proposal, papers, role):
    user = make_user("person", role=role)
    with pytest.raises(ActionRefused, match="Only administration staff and process managers"):
        link_paper(user, proposal, "G-17/184")
    assert not can_link_papers(AnonymousUser())
    blocked = make_user("gesperrt", role=roles.ADMINISTRATION, is_active=False)
    assert not can_link_papers(blocked)
    assert not ProposalPaper.objects.exists()


def test_an_unknown_or_deleted_reference_is_refused(staff, proposal, papers):
    with pytest.raises(ActionRefused, match="There is no council paper with the reference “G-17/999”."):
        link_paper(staff, proposal, " G-17/999")
    papers["main"].deleted = True
    papers["main"].save()
    with pytest.raises(ActionRefused, match="no council paper"):
        link_paper(staff, proposal, "G-17/184")
    with pytest.raises(ActionRefused, match="Please enter the reference"):
        link_paper(staff, proposal, "   ")
    assert not ProposalPaper.objects.exists()


def test_linking_twice_is_refused(staff, proposal, papers):
    link_paper(staff, proposal, "G-17/184")
    with pytest.raises(ActionRefused, match="“G-17/184” is already linked to this proposal"):
        link_paper(staff, proposal, "g-17/184")
    assert ProposalPaper.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalPaper.objects.create(proposal=proposal, paper=papers["main"])


def test_a_reference_of_two_bodies_is_ambiguous(staff, proposal, papers):
    CouncilPaper.objects.create(reference="g-17/184", body_name="Landkreis")
    assert papers_by_reference("G-17/184").count() == 2
    with pytest.raises(ActionRefused, match="Several council papers"):
        link_paper(staff, proposal, "G-17/184")


def test_a_long_note_is_refused(staff, proposal, papers):
    with pytest.raises(ActionRefused, match="at most 300 characters"):
        link_paper(staff, proposal, "G-17/184", note="x" * 301)


def test_admin_lists_and_searches_papers(client, make_user, proposal, papers):
    admin = make_user("admin", role=None, is_staff=True, is_superuser=True)
    client.force_login(admin)
    ProposalPaper.objects.create(proposal=proposal, paper=papers["main"], created_by=admin)
    response = client.get("/admin/accountability/councilpaper/", {"q": "G-17/184"})
    assert response.status_code == 200
    assert "Ergänzung" in response.content.decode()
    assert client.get("/admin/accountability/proposalpaper/").status_code == 200
    assert client.get(f"/admin/accountability/councilpaper/{papers['main'].pk}/change/").status_code == 200
    assert client.get("/admin/accountability/oparlimportstate/").status_code == 200
