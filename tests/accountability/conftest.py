import copy
import json
from pathlib import Path

import pytest

from allmende.accountability import services
from allmende.accountability.models import Faction
from allmende.accounts import roles

from .oparl_server import EXAMPLE_BASE, OParlServer

DATA = Path(__file__).parent / "data"
EX = EXAMPLE_BASE
PAPER_10 = "https://schema.oparl.org/1.0/Paper"
PAPER_11 = "https://schema.oparl.org/1.1/Paper"


def example(name):
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def list_page(data, next_path=None, self_path=""):
    links = {"first": EX + "/body/0/papers/", "self": EX + self_path}
    if next_path:
        links["next"] = EX + next_path
    return {"data": data, "pagination": {"elementsPerPage": 2}, "links": links}


class Site:
    """The example council: System → body list → Body-01 → three pages of papers.

    Page 1: Paper-01 (embedded mainFile) and G-17/184 (an OParl 1.0 paper whose mainFile is a URL).
    Page 2 (Freiburg-style /page/2): G-17/184.1 (date given as a date-time, no mainFile) and G-18/001.
    Page 3 (reached through a link with a query string): a paper with nothing but id and type, and
    an entry that is not an object. Nightly runs (`modified_since` in the query) get `changes`.
    """

    def __init__(self, server):
        self.server = server
        self.paper_749 = example("Paper-01")
        self.paper_750 = {
            "id": EX + "/paper/750",
            "type": PAPER_10,
            "body": EX + "/body/0",
            "name": "Beteiligungshaushalt: Vorschläge aus dem Forum",
            "reference": "G-17/184",
            "date": "2017-10-24",
            "paperType": "Beschlussvorlage",
            "web": EX + "/web/paper/750",
            "mainFile": EX + "/files/57737",
            "created": "2017-10-20T10:00:00+02:00",
            "modified": "2017-10-20T10:00:00+02:00",
        }
        self.paper_751 = {
            "id": EX + "/paper/751",
            "type": PAPER_10,
            "name": "Beteiligungshaushalt: Ergänzung",
            "reference": " G-17/184.1 ",
            "date": "2017-11-14T00:00:00+01:00",
            "paperType": "Ergänzungsvorlage",
            "modified": "2017-11-14T09:00:00+01:00",
        }
        self.paper_752 = {
            "id": EX + "/paper/752",
            "type": PAPER_11,
            "name": "Eine Drucksache, die später gelöscht wird",
            "reference": "G-18/001",
            "date": "2018-01-10",
            "modified": "2018-01-10T08:00:00+01:00",
        }
        self.paper_753 = {"id": EX + "/paper/753", "type": PAPER_11}
        self.changes = []
        server.routes.update(
            {
                "/": example("System-01"),
                "/bodies": {"data": [example("Body-01")], "links": {}},
                "/body/0": example("Body-01"),
                "/files/57737": example("File-01"),
                "/body/0/papers/": self.first_page,
                "/body/0/papers/page/2": list_page(
                    [self.paper_751, self.paper_752],
                    "/body/0/papers/page/3?session=abc",
                    "/body/0/papers/page/2",
                ),
                "/body/0/papers/page/3": list_page([self.paper_753, 42], None, "/body/0/papers/page/3"),
            }
        )

    def first_page(self, query):
        if "modified_since" in query:
            return list_page(copy.deepcopy(self.changes), None, "/body/0/papers/?modified_since=…")
        return list_page([self.paper_749, self.paper_750], "/body/0/papers/page/2", "/body/0/papers/")

    def url(self, path="/"):
        return self.server.url(path)

    def page_url(self, number):
        return {1: self.url("/body/0/papers/"), 2: self.url("/body/0/papers/page/2")}.get(
            number, self.url("/body/0/papers/page/3?session=abc")
        )


@pytest.fixture
def oparl_site(monkeypatch):
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with OParlServer() as server:
        yield Site(server)


# --- people and records shared by the staff-page and service tests ---------------------------------


@pytest.fixture
def manager(make_user):
    return make_user("prozess", role=roles.PROCESS_MANAGER)


@pytest.fixture
def administration(make_user):
    return make_user("verwaltung", role=roles.ADMINISTRATION)


@pytest.fixture
def faction(db):
    return Faction.objects.create(name="Grüne Liste", short_name="GL")


@pytest.fixture
def notified(monkeypatch):
    calls = []
    monkeypatch.setattr(
        services.notifications, "notify", lambda kind, proposal, **kw: calls.append((kind, proposal.pk, kw))
    )
    return calls


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client
