"""`manage.py import_oparl` against the OParl test server on loopback."""

import datetime as dt
import socket
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from allmende.accountability.models import CouncilPaper, OParlImportState
from allmende.accountability.oparl import SYNC_OVERLAP, format_datetime

from .conftest import EX, PAPER_11, list_page
from .oparl_server import BLOCK, Raw

pytestmark = pytest.mark.django_db

BODY_NAME = "Stadt Köln, kreisfreie Stadt"


def run(*args):
    out = StringIO()
    call_command("import_oparl", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def paper(oparl_site):
    """The stored paper with this number in the example council."""
    return lambda number: CouncilPaper.objects.get(oparl_id=oparl_site.url(f"/paper/{number}"))


def state():
    return OParlImportState.objects.get()


def test_full_import_from_the_system_object(oparl_site, caplog, paper):
    caplog.set_level("INFO", logger="allmende.accountability.oparl")
    output = run(oparl_site.url("/"), "--timeout", "5")

    assert "5 created" in output
    assert CouncilPaper.objects.count() == 5
    base = oparl_site.server.base_url

    example = paper(749)  # the spec's Paper-01, mainFile embedded
    assert example.reference == "1234/2014"
    assert example.title == "Antwort auf Anfrage 1200/2014"
    assert example.date == dt.date(2014, 4, 4)
    assert example.paper_type == "Beantwortung einer Anfrage"
    assert example.main_file_url == f"{base}/files/57737.pdf"
    assert example.main_file_name == "anlage_1_zur_anfrage.pdf"
    assert example.main_file_size == 82930
    assert example.main_file_mime == "application/pdf"
    assert example.body_name == BODY_NAME
    assert example.modified == dt.datetime(2013, 1, 8, 11, 5, 27, tzinfo=dt.UTC)
    assert not example.deleted

    referenced = paper(750)  # OParl 1.0 type, mainFile given as the File's URL: fetched
    assert referenced.reference == "G-17/184"
    assert referenced.web_url == f"{base}/web/paper/750"
    assert referenced.main_file_url == f"{base}/files/57737.pdf"
    assert referenced.main_file_size == 82930

    supplement = paper(751)  # date given as a date-time, reference with spaces, no mainFile
    assert supplement.reference == "G-17/184.1"
    assert supplement.date == dt.date(2017, 11, 14)
    assert supplement.main_file_url == ""

    bare = paper(753)  # nothing but id and type
    assert (bare.reference, bare.title, bare.date, bare.modified) == ("", "", None, None)

    # Pages were followed through links.next exactly as given, never built; no filter on a first run.
    assert oparl_site.server.paths() == [
        f"{EX}/",
        f"{EX}/bodies",
        f"{EX}/body/0/papers/",
        f"{EX}/files/57737",
        f"{EX}/body/0/papers/page/2",
        f"{EX}/body/0/papers/page/3?session=abc",
    ]
    import_state = state()
    assert import_state.body_name == BODY_NAME
    assert import_state.next_url == ""
    assert import_state.last_success_started_at is not None
    assert import_state.pass_started_at is None

    summary = [record for record in caplog.records if record.getMessage().startswith("OParl import finished")]
    assert len(summary) == 1
    record = summary[0]
    assert (record.pages, record.papers_created, record.papers_updated, record.papers_skipped) == (3, 5, 0, 1)
    assert any("not an object" in record.getMessage() for record in caplog.records)


def test_start_at_a_body_object(oparl_site):
    run(oparl_site.url("/body/0"))
    assert CouncilPaper.objects.count() == 5
    assert oparl_site.server.requests[0] == "/body/0"


def test_reimport_is_idempotent(oparl_site):
    run(oparl_site.url("/"), "--full")
    before = {p.oparl_id: p.updated_at for p in CouncilPaper.objects.all()}
    output = run(oparl_site.url("/"), "--full")
    assert "0 created, 0 updated, 5 unchanged" in output
    assert {p.oparl_id: p.updated_at for p in CouncilPaper.objects.all()} == before
    assert CouncilPaper.objects.count() == 5


def test_nightly_run_asks_for_changes_since_the_last_import_and_marks_deleted_papers(oparl_site, paper):
    run(oparl_site.url("/"))
    last_success = state().last_success_started_at
    changed = dict(oparl_site.paper_749, name="Antwort auf Anfrage 1200/2014 (neu)")
    changed["modified"] = "2019-03-01T12:00:00+01:00"
    oparl_site.changes = [
        changed,
        {
            "id": EX + "/paper/752",
            "type": PAPER_11,
            "created": "2018-01-10T08:00:00+01:00",
            "modified": "2019-03-02T12:00:00+01:00",
            "deleted": True,
        },
        {"id": EX + "/paper/999", "type": PAPER_11, "deleted": True},  # never seen: nothing to do
    ]
    oparl_site.server.requests.clear()

    output = run(oparl_site.url("/"))

    assert "0 created, 1 updated, 0 unchanged, 1 deleted" in output
    since = format_datetime(last_success - SYNC_OVERLAP)
    list_request = oparl_site.server.requests[2]
    assert list_request.startswith("/body/0/papers/?modified_since=")
    assert parse_qs(urlsplit(list_request).query) == {"modified_since": [since]}
    assert paper(749).title == "Antwort auf Anfrage 1200/2014 (neu)"
    gone = paper(752)
    assert gone.deleted
    assert gone.reference == "G-18/001"  # what links show stays
    assert gone.modified == dt.datetime(2019, 3, 2, 11, 0, tzinfo=dt.UTC)
    assert CouncilPaper.objects.count() == 5
    assert state().last_success_started_at > last_success


def test_a_deleted_paper_comes_back(oparl_site, paper):
    run(oparl_site.url("/"))
    oparl_site.changes = [{"id": EX + "/paper/752", "type": PAPER_11, "deleted": True}]
    run(oparl_site.url("/"))
    assert paper(752).deleted
    oparl_site.changes = [dict(oparl_site.paper_752, modified="2019-05-01T00:00:00+02:00")]
    run(oparl_site.url("/"))
    assert not paper(752).deleted


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("2024-01-01T00:00:00+01:00", "2024-01-01T00:00:00+01:00"),
        ("2024-06-01T12:00", "2024-06-01T12:00:00+02:00"),  # local time (Europe/Berlin)
        ("2024-06-01T10:00:00Z", "2024-06-01T12:00:00+02:00"),
        ("2024-06-01", "2024-06-01T00:00:00+02:00"),
    ],
)
def test_modified_since_is_passed_on_the_first_list_url(oparl_site, given, sent):
    oparl_site.changes = [oparl_site.paper_750]
    run(oparl_site.url("/"), "--modified-since", given)
    list_request = oparl_site.server.requests[2]
    assert parse_qs(urlsplit(list_request).query) == {"modified_since": [sent]}
    assert list(CouncilPaper.objects.values_list("reference", flat=True)) == ["G-17/184"]
    # Papers changed since an arbitrary date are not all papers: the nightly mark is not set.
    assert state().last_success_started_at is None


def test_modified_since_must_be_a_date(oparl_site):
    with pytest.raises(CommandError, match="ISO 8601"):
        run(oparl_site.url("/"), "--modified-since", "gestern")


def test_timeout_stops_cleanly_and_the_next_run_resumes_at_that_page(oparl_site):
    page_2 = oparl_site.server.routes["/body/0/papers/page/2"]
    oparl_site.server.routes["/body/0/papers/page/2"] = BLOCK
    started = timezone.now()

    with pytest.raises(CommandError, match=r"page/2: no answer within 0\.2 seconds") as error:
        run(oparl_site.url("/"), "--timeout", "0.2")

    assert error.value.returncode == 1
    assert sorted(CouncilPaper.objects.values_list("reference", flat=True)) == ["1234/2014", "G-17/184"]
    stopped = state()
    assert stopped.next_url == oparl_site.page_url(2)
    assert stopped.pages_done == 1
    assert "no answer" in stopped.last_error
    assert stopped.last_success_started_at is None
    first_pass_started = stopped.pass_started_at
    assert first_pass_started >= started

    oparl_site.server.routes["/body/0/papers/page/2"] = page_2
    oparl_site.server.requests.clear()
    output = run(oparl_site.url("/"))

    assert "3 created" in output
    assert "/body/0/papers/" not in oparl_site.server.requests  # page 1 is not read again
    assert oparl_site.server.requests[2] == "/body/0/papers/page/2"
    assert CouncilPaper.objects.count() == 5
    done = state()
    assert done.next_url == ""
    # The pass began with the first run: changes made since then are asked for next night.
    assert done.last_success_started_at == first_pass_started


def test_malformed_page_stops_cleanly_and_resumes(oparl_site):
    oparl_site.server.routes["/body/0/papers/page/3"] = Raw(200, b'{"data": [ {"id": ')
    with pytest.raises(CommandError, match="page/3.*not valid JSON"):
        run(oparl_site.url("/"))
    assert CouncilPaper.objects.count() == 4
    assert state().next_url == oparl_site.page_url(3)

    oparl_site.server.routes["/body/0/papers/page/3"] = list_page([oparl_site.paper_753])
    run(oparl_site.url("/"))
    assert CouncilPaper.objects.count() == 5
    assert state().next_url == ""


@pytest.mark.parametrize(
    "answer",
    [
        Raw(200, b'{"items": []}'),  # no data array
        Raw(200, b"[]"),  # not an object
        Raw(200, b"<html>Wartungsarbeiten</html>", "text/html"),
        Raw(200, b'{"data": [], "links": {"next": "file:///etc/passwd"}}'),
    ],
)
def test_pages_that_are_not_oparl_lists_stop_the_import(oparl_site, answer):
    oparl_site.server.routes["/body/0/papers/page/2"] = answer
    with pytest.raises(CommandError, match="page/2"):
        run(oparl_site.url("/"))
    assert state().next_url == oparl_site.page_url(2)
    assert CouncilPaper.objects.count() == 2


def test_a_next_link_that_loops_stops_the_import(oparl_site):
    oparl_site.server.routes["/body/0/papers/page/3"] = list_page([], "/body/0/papers/page/2")
    with pytest.raises(CommandError, match="leads back to a page already read"):
        run(oparl_site.url("/"))


def test_http_error_stops_cleanly_and_resumes(oparl_site):
    oparl_site.server.routes["/body/0/papers/page/3"] = Raw(500, b"Internal Server Error", "text/plain")
    with pytest.raises(CommandError, match="page/3.*HTTP error 500") as error:
        run(oparl_site.url("/"))
    assert error.value.returncode == 1
    assert CouncilPaper.objects.count() == 4
    assert "next run goes on where it stopped" in str(error.value)

    del oparl_site.server.routes["/body/0/papers/page/3"]  # now a 404: still an error
    with pytest.raises(CommandError, match="HTTP error 404"):
        run(oparl_site.url("/"))
    oparl_site.server.routes["/body/0/papers/page/3"] = list_page([])
    run(oparl_site.url("/"))
    assert state().next_url == ""


def test_unreachable_server_and_wrong_entry_point():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port now: the connection is refused at once.
    with pytest.raises(CommandError, match="cannot connect"):
        run(f"http://127.0.0.1:{port}/oparl")
    assert not OParlImportState.objects.exists()


def test_an_entry_point_that_is_not_a_system_or_body(oparl_site):
    with pytest.raises(CommandError, match="expected an OParl System or Body"):
        run(oparl_site.url("/files/57737"))
    with pytest.raises(CommandError, match="not an http"):
        run("file:///etc/passwd")


def test_max_pages_stops_early_and_the_next_run_goes_on(oparl_site):
    output = run(oparl_site.url("/"), "--max-pages", "2")
    assert "Stopped after 2 pages" in output
    assert CouncilPaper.objects.count() == 4  # pages 1 and 2
    assert state().next_url == oparl_site.page_url(3)
    assert state().last_success_started_at is None

    output = run(oparl_site.url("/"), "--max-pages", "2")
    assert "OParl import finished" in output
    assert state().next_url == ""
    assert state().last_success_started_at is not None


def test_full_abandons_an_unfinished_import(oparl_site):
    run(oparl_site.url("/"), "--max-pages", "1")
    oparl_site.server.requests.clear()
    run(oparl_site.url("/"), "--full")
    assert oparl_site.server.requests[2] == "/body/0/papers/"
    assert state().next_url == ""


def test_a_missing_main_file_is_a_warning_not_a_failure(oparl_site, caplog, paper):
    del oparl_site.server.routes["/files/57737"]
    run(oparl_site.url("/"))
    assert paper(750).main_file_url == ""
    assert any(
        "main file of" in record.getMessage() and "404" in record.getMessage() for record in caplog.records
    )


def test_main_file_quirks(oparl_site, paper):
    oparl_site.paper_750["mainFile"] = [{"id": EX + "/files/57737"}]  # an array, with a stub
    oparl_site.paper_749["mainFile"] = {
        "id": EX + "/files/1",
        "downloadUrl": EX + "/files/download/1.pdf",
        "name": "Vorlage",
        "size": "1234",
    }
    run(oparl_site.url("/"))
    base = oparl_site.server.base_url
    assert paper(750).main_file_url == f"{base}/files/57737.pdf"
    example = paper(749)
    assert (example.main_file_url, example.main_file_name, example.main_file_size) == (
        f"{base}/files/download/1.pdf",
        "Vorlage",
        1234,
    )


def test_papers_given_by_url_and_other_types(oparl_site, paper):
    oparl_site.server.routes["/paper/750"] = oparl_site.paper_750
    oparl_site.server.routes["/body/0/papers/page/3"] = list_page(
        [EX + "/paper/750", {"id": EX + "/meeting/1", "type": "https://schema.oparl.org/1.1/Meeting"}]
    )
    oparl_site.server.routes["/body/0/papers/"] = list_page([oparl_site.paper_749], "/body/0/papers/page/2")
    run(oparl_site.url("/"))
    assert paper(750).reference == "G-17/184"
    assert not CouncilPaper.objects.filter(oparl_id__contains="meeting").exists()


def test_a_paper_typed_by_hand_is_taken_over_by_the_import(oparl_site):
    typed = CouncilPaper.objects.create(reference="g-17/184", title="Von Hand")
    run(oparl_site.url("/"))
    typed.refresh_from_db()
    assert typed.oparl_id == oparl_site.url("/paper/750")
    assert typed.reference == "G-17/184"
    assert typed.title == "Beteiligungshaushalt: Vorschläge aus dem Forum"
    assert CouncilPaper.objects.count() == 5


def test_two_papers_with_one_reference_in_a_body_keep_the_first(oparl_site, caplog):
    oparl_site.paper_751["reference"] = "g-17/184"
    output = run(oparl_site.url("/"))
    assert "4 created" in output
    assert "1 skipped" not in output  # the skipped count also has the non-object entry
    assert "2 skipped" in output
    assert not CouncilPaper.objects.filter(oparl_id=oparl_site.url("/paper/751")).exists()
    assert any("has the reference 'g-17/184'" in record.getMessage() for record in caplog.records)


def test_a_body_without_paper_list_is_skipped_with_a_warning(oparl_site, caplog):
    body = dict(oparl_site.server.routes["/body/0"])
    del body["paper"]
    oparl_site.server.routes["/bodies"] = {"data": [body], "links": {}}
    run(oparl_site.url("/"))
    assert not CouncilPaper.objects.exists()
    assert any("has no paper list" in record.getMessage() for record in caplog.records)


def test_a_failing_body_does_not_stop_the_others(oparl_site):
    second = dict(oparl_site.server.routes["/body/0"], id=EX + "/body/1", name="Zweite Körperschaft")
    second["paper"] = EX + "/body/1/papers/"
    oparl_site.server.routes["/body/1/papers/"] = Raw(503, b"")
    oparl_site.server.routes["/bodies"] = {"data": [second, oparl_site.server.routes["/body/0"]], "links": {}}
    with pytest.raises(CommandError, match="body/1/papers/: HTTP error 503"):
        run(oparl_site.url("/"))
    assert CouncilPaper.objects.count() == 5
    assert OParlImportState.objects.get(body_name="Zweite Körperschaft").next_url.endswith("/body/1/papers/")
