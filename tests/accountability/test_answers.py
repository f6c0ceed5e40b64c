import datetime

import pytest
from django.db import IntegrityError, transaction

from allmende.accountability import queries, services
from allmende.accountability.models import Answer
from allmende.accounts import roles
from allmende.moderation.models import AuditEntry
from allmende.rounds.permissions import ActionRefused
from tests.factories import make_proposal

TODAY = datetime.date(2030, 3, 1)


@pytest.fixture
def staff(make_user):
    return make_user("verwaltung", role=roles.ADMINISTRATION)


def test_staff_prepare_an_answer_invisible_to_the_public(staff, proposal, resident, notified):
    answer = services.save_answer(
        staff,
        proposal,
        state="feasible",
        text="Geht.",
        cost_cents=70_000_000,
        cost_period="yearly",
        office="Amt für Migration",
        answered_on=TODAY,
    )
    assert not answer.published
    assert queries.public_answer(proposal, resident) is None
    assert queries.public_answer(proposal, staff) == answer
    assert notified == []
    assert AuditEntry.objects.filter(action="answer_saved", proposal=proposal).exists()


def test_publishing_together_notifies_followers(staff, rating_round, notified):
    first, second = make_proposal(rating_round), make_proposal(rating_round)
    for p in (first, second):
        services.save_answer(staff, p, state="in_review", answered_on=TODAY)
    published = services.publish_answers(staff, rating_round)
    assert len(published) == 2
    assert all(a.published and a.published_at for a in Answer.objects.all())
    assert [c[0] for c in notified] == ["answered", "answered"]
    assert services.publish_answers(staff, rating_round) == []


def test_scheduled_publication(staff, proposal, notified):
    services.save_answer(staff, proposal, state="feasible", answered_on=TODAY, publish_on=TODAY)
    assert services.publish_due_answers(now=datetime.datetime(2030, 2, 28, 12, tzinfo=datetime.UTC)) == []
    assert len(services.publish_due_answers(now=datetime.datetime(2030, 3, 1, 12, tzinfo=datetime.UTC))) == 1


def test_not_feasible_requires_a_reason(staff, proposal):
    with pytest.raises(ActionRefused):
        services.save_answer(staff, proposal, state="not_feasible", text="  ", answered_on=TODAY)
    services.save_answer(staff, proposal, state="not_feasible", text="Zu teuer.", answered_on=TODAY)


def _state(proposal, code):
    return proposal.round.answer_states.get(code=code)


def test_database_refuses_an_answer_without_its_required_reason_and_negative_costs(proposal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            proposal=proposal,
            state=_state(proposal, "not_feasible"),
            reason_required=True,
            text="",
            answered_on=TODAY,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            proposal=proposal, state=_state(proposal, "feasible"), cost_cents=-1, answered_on=TODAY
        )


def test_one_answer_per_proposal(staff, proposal):
    services.save_answer(staff, proposal, state="in_review", answered_on=TODAY)
    services.save_answer(staff, proposal, state="feasible", answered_on=TODAY)
    assert Answer.objects.filter(proposal=proposal).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(proposal=proposal, state=_state(proposal, "feasible"), answered_on=TODAY)


@pytest.mark.parametrize("role", [roles.RESIDENT, roles.MODERATOR, roles.PROCESS_MANAGER])
def test_only_administration_answers(make_user, proposal, role):
    with pytest.raises(ActionRefused):
        services.save_answer(make_user("x", role=role), proposal, state="feasible", answered_on=TODAY)


def test_negative_costs_refused(staff, proposal):
    with pytest.raises(ActionRefused):
        services.save_answer(staff, proposal, state="feasible", cost_cents=-5, answered_on=TODAY)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("700.000", 70_000_000),
        ("1.250,50", 125_050),
        ("12", 1200),
        ("12.5", 1250),
        ("", None),
        ("700 000 €", 70_000_000),
    ],
)
def test_parse_euros(text, cents):
    assert services.parse_euros(text) == cents


@pytest.mark.parametrize("text", ["abc", "-5", "1,234"])
def test_parse_euros_refuses(text):
    with pytest.raises(ValueError):
        services.parse_euros(text)


CSV_OK = (
    "\ufeffnumber;state;text;cost;cost_period;office;date\n"
    "1;umsetzbar;Geht.;700.000;yearly;Amt A;2030-02-01\n"
    "2;not_feasible;Zu teuer.;;;Amt B;01.02.2030\n"
)


def test_csv_import_all_rows(staff, rating_round):
    make_proposal(rating_round), make_proposal(rating_round)
    answers = services.import_answers(staff, rating_round, CSV_OK.encode())
    assert [(a.proposal.number, a.state.code, a.cost_cents) for a in answers] == [
        (1, "feasible", 70_000_000),
        (2, "not_feasible", None),
    ]
    assert not any(a.published for a in answers)


@pytest.mark.parametrize("state_header", ["Einschätzung", "Bewertung"])
def test_csv_import_with_the_administrations_german_headers(staff, rating_round, state_header):
    make_proposal(rating_round)
    text = f"Nummer;{state_header};Stellungnahme;Kosten;Zeitraum;Amt;Datum\n1;nicht zuständig;Land.;;;Amt C;03.02.2030\n"
    (answer,) = services.import_answers(staff, rating_round, text.encode("utf-8"))
    assert (answer.state.code, answer.office) == ("not_responsible", "Amt C")


def test_csv_import_none_on_any_error_naming_line_and_column(staff, rating_round, settings):
    settings.LANGUAGE_CODE = "en"
    make_proposal(rating_round), make_proposal(rating_round)
    bad = (
        "number;state;text;cost;cost_period;office;date\n"
        "1;feasible;ok;100;once;A;2030-01-01\n"
        "2;not_feasible;;abc;weekly;B;gestern\n"
        "9;feasible;;;;;\n"
        "1;feasible;;;;;\n"
    )
    with pytest.raises(services.ImportFailed) as failure:
        services.import_answers(staff, rating_round, bad)
    errors = [str(e) for e in failure.value.errors]
    assert any(e.startswith("Line 3, column “text”") for e in errors)
    assert any(e.startswith("Line 3, column “cost”") for e in errors)
    assert any(e.startswith("Line 3, column “cost_period”") for e in errors)
    assert any(e.startswith("Line 3, column “date”") for e in errors)
    assert any(e.startswith("Line 4, column “number”") for e in errors)
    assert any("Line 5" in e and "line 2" in e for e in errors)
    assert Answer.objects.count() == 0


def test_csv_import_needs_columns(staff, rating_round):
    with pytest.raises(services.ImportFailed):
        services.import_answers(staff, rating_round, "foo;bar\n1;2\n")


def test_import_command(staff, rating_round, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    make_proposal(rating_round), make_proposal(rating_round)
    good = tmp_path / "good.csv"
    good.write_text(CSV_OK, encoding="utf-8")
    call_command("import_answers", str(good), "--round", rating_round.slug, "--user", staff.username)
    assert Answer.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("number;state\n1;nonsense\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Line 2|Zeile 2"):
        call_command("import_answers", str(bad), "--round", rating_round.slug, "--user", staff.username)


def test_answer_pages(client, staff, proposal, resident):
    client.force_login(resident)
    url = f"/verwaltung/{proposal.round.slug}/stellungnahmen/{proposal.number}/"
    assert client.get(url).status_code == 403
    client.force_login(staff)
    assert client.get(f"/verwaltung/{proposal.round.slug}/stellungnahmen/").status_code == 200
    response = client.post(url, {"state": "not_feasible", "text": "", "answered_on": "2030-01-01"})
    assert response.status_code == 200
    assert b"error-summary" in response.content
    response = client.post(
        url,
        {
            "state": "feasible",
            "text": "Gut",
            "cost": "1.000",
            "cost_period": "once",
            "answered_on": "2030-01-01",
        },
    )
    assert response.status_code == 302
    assert Answer.objects.get(proposal=proposal).cost_cents == 100_000


def test_upload_page_all_or_nothing(client, staff, rating_round):
    from django.core.files.uploadedfile import SimpleUploadedFile

    make_proposal(rating_round), make_proposal(rating_round)
    client.force_login(staff)
    url = f"/verwaltung/{rating_round.slug}/stellungnahmen/import/"
    bad = SimpleUploadedFile("a.csv", b"number;state\n1;feasible\n3;feasible\n", content_type="text/csv")
    response = client.post(url, {"file": bad})
    assert response.status_code == 200
    assert "Line 3" in response.content.decode() or "Zeile 3" in response.content.decode()
    assert Answer.objects.count() == 0
    good = SimpleUploadedFile("a.csv", CSV_OK.encode(), content_type="text/csv")
    assert client.post(url, {"file": good}).status_code == 302
    assert Answer.objects.count() == 2
