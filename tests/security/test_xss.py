"""User content is rendered inert on every page that shows it: titles, texts, comments, usernames,
image captions and credits, alt texts. A corpus of known payloads goes in; the pages must contain no
element, attribute or URL the payload brought."""

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from allmende.accounts import roles
from allmende.comments import services as comments
from allmende.moderation import services as moderation
from tests.factories import make_proposal, make_round

PAYLOADS = [
    line
    for line in (Path(__file__).parent / "xss_payloads.txt").read_text().splitlines()
    if line and line[0] != "#"
]
OWN_SCRIPTS = ("/static/allmende/site.js", "/static/django-htmx/", "/static/django_htmx/")


class Inspector(HTMLParser):
    """Collects anything executable: script elements, event-handler attributes, dangerous URLs."""

    DANGEROUS = ("javascript:", "data:text/html", "vbscript:")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not (attrs.get("src") or "").startswith(OWN_SCRIPTS):
            self.problems.append(f"<script {attrs}>")
        if tag in ("iframe", "object", "embed", "base", "svg", "math", "marquee", "isindex", "keygen"):
            self.problems.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            url_attribute = name in (
                "href",
                "src",
                "action",
                "data",
                "background",
                "xlink:href",
                "formaction",
            )
            if url_attribute and (value or "").replace("\t", "").replace("\n", "").strip().lower().startswith(
                self.DANGEROUS
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and "javascript" in (value or "").lower():
                self.problems.append(f"<{tag} style=...>")


def assert_inert(html, where):
    inspector = Inspector()
    inspector.feed(html)
    assert not inspector.problems, f"{where}: {inspector.problems[:5]}"


def test_the_corpus_is_large_enough():
    assert len(PAYLOADS) >= 100


@pytest.mark.django_db
def test_payloads_are_inert_on_every_page(client, make_user):
    round_ = make_round("xss")
    moderator = make_user("moderation", role=roles.MODERATOR, is_staff=True)
    manager = make_user("prozess", role=roles.PROCESS_MANAGER, is_staff=True)
    pages = set()
    for index, payload in enumerate(PAYLOADS):
        author = make_user(f"autor{index}")
        # Usernames are restricted to letters, digits, dots and dashes; the payload goes in through
        # everything else a person can type.
        proposal = make_proposal(
            round_,
            author=author,
            title=payload[:120],
            summary=payload,
            description=f"## {payload}\n\n{payload}\n\n- {payload}",
            cost_note=payload[:200],
            image_alt=payload[:300],
            image_caption=payload[:300],
            image_credit=payload[:200],
        )
        comment = comments.post_comment(make_user(f"leser{index}"), proposal, payload)
        if index % 10 == 0:
            moderation.hide(moderator, comment=comment, reason=payload[:500])
        pages.add(proposal.get_absolute_url())
    list_url = reverse("proposals:list", args=[round_.slug])
    pages |= {list_url, f"{list_url}?q=script", f"{list_url}?sort=new&page=2", f"{list_url}?q=%3Cscript%3E"}
    for url in sorted(pages):
        assert_inert(client.get(url).content.decode(), url)
    client.force_login(moderator)
    for url in [reverse("moderation:queue"), *sorted(pages)[:20]]:
        assert_inert(client.get(url).content.decode(), f"{url} (moderator)")
    client.force_login(manager)
    assert_inert(client.get(reverse("moderation:audit_log")).content.decode(), "audit log")


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS[::8])
def test_payload_usernames_are_refused(client, payload):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "x@example.org",
            "username": payload[:40],
            "password1": "Laubbaum-Fahrrad-17",
            "password2": "Laubbaum-Fahrrad-17",
            "accept_rules": "on",
        },
    )
    assert response.status_code == 200 and "username" in response.context["form"].errors


def test_the_inspector_catches_what_it_should():
    for bad in [
        "<img src=x onerror=alert(1)>",
        '<a href=" javascript:alert(1)">x</a>',
        "<script>alert(1)</script>",
    ]:
        inspector = Inspector()
        inspector.feed(bad)
        assert inspector.problems, bad


@pytest.mark.django_db
def test_payloads_are_inert_on_the_staff_pages(client, make_user):
    """What staff type (assessment labels, motion titles, budget lines, recipients, milestones, the
    retrospective) and what residents typed (proposal titles) is inert on the staff pages too."""
    import datetime

    from allmende.accountability import services as accountability
    from allmende.accountability.models import CouncilPaper, Faction

    round_ = make_round("xss-staff")
    manager = make_user("prozess", role=roles.PROCESS_MANAGER)
    administration = make_user("verwaltung", role=roles.ADMINISTRATION)
    day = datetime.date(2030, 3, 14)
    pages = {
        reverse(f"accountability:{name}", args=[round_.slug])
        for name in (
            "staff",
            "answer_states",
            "motions",
            "implementation",
            "selection_staff",
            "answers",
            "factions",
            "papers",
        )
    }
    for index, payload in enumerate(PAYLOADS[::4]):
        proposal = make_proposal(round_, title=payload[:120], summary=payload)
        state = accountability.save_answer_state(
            manager, round_, code=f"s{index}", label=f"{index} {payload}"[:100], position=10 + index
        )
        accountability.save_answer(administration, proposal, state=state, text=payload, office=payload[:200])
        faction = Faction.objects.create(name=f"{index} {payload}"[:200], short_name=payload[:40])
        motion = accountability.save_motion(
            manager,
            round_,
            faction=faction,
            number=f"{index}",
            title=payload[:300],
            date=day,
            proposals=[proposal],
        )
        if index % 2:
            line = {"year": 2031, "code": f"{index}.{payload[:20]}", "name": payload[:300]}
            accountability.decide_motion(manager, motion, outcome="adopted", date=day, budget_line=line)
        else:
            accountability.decide_motion(
                manager,
                motion,
                outcome="partly",
                date=day,
                amount_granted_cents=5,
                grant_recipient=payload[:300],
            )
        milestone = accountability.add_milestone(manager, proposal, date=day, text=payload[:500], progress=10)
        pages.add(
            reverse("accountability:milestone_delete", args=[round_.slug, proposal.number, milestone.pk])
        )
        pages.add(reverse("accountability:faction_edit", args=[round_.slug, faction.pk]))
        hand = accountability.save_paper(
            manager,
            reference=f"H-{index} {payload}"[:100],
            title=payload[:1000],
            paper_type=payload[:200],
            web_url=f"https://ris.example.org/{index}",
        )
        imported = CouncilPaper.objects.create(
            reference=f"O-{index} {payload}"[:100],
            title=payload[:1000],
            body_name=payload[:300],
            main_file_name=payload[:300],
            main_file_url=f"https://ris.example.org/file/{index}",
            oparl_id=f"https://ris.example.org/oparl/paper/{index}",
        )
        for paper in (hand, imported):
            pages.add(reverse("accountability:paper_edit", args=[round_.slug, paper.pk]))
        search = urlencode({"suche": payload[:100]})
        pages.add(reverse("accountability:papers", args=[round_.slug]) + f"?{search}")
        accountability.save_retrospective(
            manager, proposal, status_date=day, is_success=True, text=payload, costs_text=payload[:300]
        )
        for name in ("proposal_implementation", "retrospective_edit", "answer_edit"):
            pages.add(reverse(f"accountability:{name}", args=[round_.slug, proposal.number]))
        pages.add(reverse("accountability:motion_edit", args=[round_.slug, motion.pk]))
        pages.add(reverse("accountability:decision_edit", args=[round_.slug, motion.pk]))
    for user in (manager, administration):
        client.force_login(user)
        for url in sorted(pages):
            response = client.get(url)
            if response.status_code == 200:
                assert_inert(response.content.decode(), f"{url} ({user.username})")
            else:
                assert response.status_code == 403, (url, response.status_code)
