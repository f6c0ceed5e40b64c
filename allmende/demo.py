"""Demo data: a city with a past and a current round, users of every role, content for every page.

`python manage.py demo` runs `build()`; it is idempotent (everything is looked up by a natural key
before it is created). Later parts of the platform add their demo content here.
"""

import io
import random
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from allmende.accountability.models import Faction
from allmende.accounts import roles
from allmende.accounts.models import User
from allmende.pages.services import ensure_default_pages
from allmende.proposals import services as proposal_services
from allmende.proposals.images import process_upload
from allmende.proposals.models import Proposal, Support
from allmende.rounds.models import District, Phase, Round, Topic

DEMO_PASSWORD = "allmende-demo-2026"  # noqa: S105 -- printed for the demo, never used in production

DEMO_USERS = [
    # username, e-mail, role, superuser
    ("admin", "admin@example.org", None, True),
    ("prozess", "prozess@example.org", roles.PROCESS_MANAGER, False),
    ("moderation", "moderation@example.org", roles.MODERATOR, False),
    ("verwaltung", "verwaltung@example.org", roles.ADMINISTRATION, False),
    ("ratsmitglied", "rat@example.org", roles.COUNCIL_MEMBER, False),
    ("anna", "anna@example.org", roles.RESIDENT, False),
    ("bernd", "bernd@example.org", roles.RESIDENT, False),
]

FACTIONS = [("Grüne Liste Musterstadt", "GLM"), ("Bürgerunion", "BU"), ("Soziale Mitte", "SM")]

TOPICS = [
    ("Bildung", "bildung"),
    ("Verkehr", "verkehr"),
    ("Umwelt und Grün", "umwelt"),
    ("Kultur", "kultur"),
    ("Soziales", "soziales"),
    ("Sport", "sport"),
    ("Integration", "integration"),
]
DISTRICTS = [
    ("Altstadt", "altstadt"),
    ("Nordstadt", "nordstadt"),
    ("Südstadt", "suedstadt"),
    ("Weststadt", "weststadt"),
    ("Oststadt", "oststadt"),
    ("Hafenviertel", "hafenviertel"),
]

PAST_ROUND = {
    "slug": "bh-2017-2018",
    "reference_prefix": "BH2017",
    "title": "Beteiligungshaushalt 2017/2018",
    "description": (
        "Im Online-Forum zum Doppelhaushalt 2017/2018 haben Bürgerinnen und Bürger Vorschläge gemacht "
        "und unterstützt. Die Gemeinderatsfraktionen haben viele davon in ihre Änderungsanträge übernommen."
    ),
}
CURRENT_ROUND = {
    "slug": "bh-2027-2028",
    "reference_prefix": "BH2027",
    "title": "Beteiligungshaushalt 2027/2028",
    "description": (
        "Wofür soll die Stadt im Doppelhaushalt 2027/2028 mehr oder weniger Geld ausgeben? "
        "Machen Sie Vorschläge, unterstützen und diskutieren Sie. Alle Vorschläge gehen an den Gemeinderat."
    ),
}


def _ensure_site():
    Site.objects.update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": "127.0.0.1:8000", "name": f"Beteiligungshaushalt {settings.CITY_NAME}"},
    )


def _ensure_users():
    factions = {}
    for name, short in FACTIONS:
        factions[short], _created = Faction.objects.get_or_create(name=name, defaults={"short_name": short})
    roles.sync_roles()
    users = {}
    for username, email, role, superuser in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, email=email, accepted_rules_at=timezone.now())
            user.set_password(DEMO_PASSWORD)
        user.is_superuser = superuser
        user.is_staff = superuser or roles.is_staff_role([role])
        if role == roles.COUNCIL_MEMBER:
            user.faction = factions["GLM"]
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        users[username] = user
    return users


def _ensure_round(data, phase_starts):
    round_, created = Round.objects.get_or_create(slug=data["slug"], defaults=data)
    if created or not round_.phases.exists():
        kinds = list(Phase.Kind)
        for kind, (start, end) in zip(kinds, phase_starts, strict=True):
            Phase.objects.create(round=round_, kind=kind, starts_at=start, ends_at=end)
    round_.topics.set(
        [Topic.objects.get_or_create(slug=slug, defaults={"name": name})[0] for name, slug in TOPICS]
    )
    round_.districts.set(
        [District.objects.get_or_create(slug=slug, defaults={"name": name})[0] for name, slug in DISTRICTS]
    )
    return round_


def _picture(seed: int, words=()):
    """A simple generated picture (no photos of people), so the demo has images without any download."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)
    base = tuple(rng.randrange(40, 200) for _ in range(3))
    picture = Image.new("RGB", (960, 600), base)
    draw = ImageDraw.Draw(picture)
    for _shape in range(6):
        x, y = rng.randrange(0, 900), rng.randrange(0, 560)
        size = rng.randrange(60, 260)
        colour = tuple(min(255, c + rng.randrange(20, 80)) for c in base)
        draw.ellipse((x, y, x + size, y + size), fill=colour)
    if words:
        draw.rectangle((120, 120, 840, 480), fill=(250, 250, 245), outline=(60, 60, 60), width=8)
        font = ImageFont.load_default(size=44)
        for line, word in enumerate(words):
            draw.text((160, 150 + line * 62), word, fill=(30, 30, 30), font=font)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return process_upload(SimpleUploadedFile("demo.png", buffer.getvalue(), content_type="image/png"))


def _ensure_residents(count):
    existing = set(User.objects.filter(username__startswith="buerger").values_list("username", flat=True))
    new = []
    for index in range(1, count + 1):
        username = f"buerger{index:03d}"
        if username not in existing:
            user = User(username=username, email=f"{username}@example.org")
            user.set_unusable_password()
            new.append(user)
    User.objects.bulk_create(new)
    return list(User.objects.filter(username__startswith="buerger").order_by("username"))


def _ensure_proposal(round_, author, number, data, image=None, supporters=(), values=None):
    proposal = Proposal.objects.filter(round=round_, number=number).first()
    if proposal is None:
        proposal = Proposal(round=round_, number=number, author=author, **data)
        proposal_services._store_image(proposal, image)
        proposal.save()
    rows = [
        Support(proposal=proposal, user=user, value=(values[i % len(values)] if values else 1))
        for i, user in enumerate(supporters)
    ]
    Support.objects.bulk_create(rows, ignore_conflicts=True)
    return proposal


FOUNDING_PROPOSAL = {
    "title": "Integration von Geflüchteten durch Case-Manager verbessern",
    "summary": (
        "Integration erfordert mehr als die bloße Unterbringung und Versorgung von Geflüchteten. Darüber hinaus "
        "braucht es Orientierungshilfen, Sprachförderung und Job-Perspektiven. Ein individueller "
        "Integrationsplan soll dabei helfen."
    ),
    "description": (
        "Seit Mai 2018 gibt es das städtische Integrationsmanagement für Geflüchtete. Angesiedelt beim Amt für "
        "Migration und Integration, begleiten derzeit 20 Integrationsmanager_innen ca. 1230 Geflüchtete in "
        "Wohnheimen und Privatunterkünften.\n\n## Hilfe im Alltag und Perspektiven für die Zukunft\n\n"
        "Die Fallmanager_innen begleiten in der Regel über einen Zeitraum von acht Monaten individuell die "
        "nächsten Schritte eines geflüchteten Menschen. Auf Grundlage der individuellen Lebenssituation wird "
        "ein verbindlicher Integrationsplan erarbeitet, wo erforderlich in enger Abstimmung mit dem Jobcenter."
    ),
    "direction": Proposal.Direction.MORE,
    "cost_cents": 70_000_000,
    "cost_period": Proposal.CostPeriod.YEARLY,
    "cost_note": "rund 700.000 Euro pro Jahr, finanziert aus dem Pakt für Integration (PIK)",
    "image_alt": "Ein Schild, auf dem herzlich willkommen in vielen Sprachen steht",
    "image_caption": "Individuelle Unterstützung für geflüchtete Menschen",
    "image_credit": "Foto: A.J. Schmidt",
}

CURRENT_PROPOSALS = [
    ("Mehr Fahrradbügel am Bahnhof", "verkehr", "altstadt", "more", 4_500_000),
    ("Schulhöfe nachmittags öffnen", "bildung", None, "more", 1_200_000),
    ("Sanierung der Stadtbibliothek Nordstadt", "kultur", "nordstadt", "more", 85_000_000),
    ("Straßenbeleuchtung auf LED umstellen", "umwelt", None, "saving", 30_000_000),
    ("Kostenlose Schwimmkurse für Grundschulkinder", "sport", None, "more", 9_000_000),
    ("Parkgebühren in der Innenstadt erhöhen", "verkehr", "altstadt", "revenue", None),
    ("Trinkbrunnen in allen Parks", "umwelt", None, "more", 2_400_000),
    ("Sprachcafés in den Stadtteiltreffs", "integration", "weststadt", "more", 600_000),
    ("Zuschuss für das Jugendzentrum Südstadt", "soziales", "suedstadt", "more", 15_000_000),
    ("Bäume statt Parkplätze in der Hafenstraße", "umwelt", "hafenviertel", "more", 7_500_000),
    ("Weniger Ausgaben für Repräsentation", "soziales", None, "less", None),
    ("Sanierung der Sporthalle Oststadt", "sport", "oststadt", "more", 120_000_000),
    ("Barrierefreie Bushaltestellen", "verkehr", None, "more", 60_000_000),
    ("Offene Werkstatt für Reparaturen", "umwelt", "nordstadt", "more", 800_000),
    ("Digitale Ausleihe in der Bibliothek ausbauen", "kultur", None, "more", 1_500_000),
    ("Sozialticket für Bus und Bahn", "soziales", None, "more", 40_000_000),
    ("Photovoltaik auf städtischen Dächern", "umwelt", None, "saving", 250_000_000),
    ("Mehr Sozialarbeit an Schulen", "bildung", None, "more", 22_000_000),
    ("Kulturpass für Jugendliche", "kultur", None, "more", 3_000_000),
    ("Tempo 30 vor Schulen und Kitas", "verkehr", None, "more", 900_000),
    ("Hundesteuer erhöhen", "soziales", None, "revenue", None),
    ("Skatepark im Hafenviertel", "sport", "hafenviertel", "more", 18_000_000),
    ("Begegnungsfest der Kulturen", "integration", "oststadt", "more", 250_000),
    ("Leerstände für Kunst zwischennutzen", "kultur", "altstadt", "more", 400_000),
    ("Mehr Mülleimer mit Pfandring", "umwelt", None, "more", 350_000),
    ("Fahrradstraße zwischen Nord- und Südstadt", "verkehr", None, "more", 35_000_000),
    ("Spielplatz am Weststadtpark erneuern", "soziales", "weststadt", "more", 12_000_000),
    ("Energieberatung für Mieterinnen und Mieter", "umwelt", None, "saving", 700_000),
    ("Ganztagsbetreuung in den Ferien", "bildung", None, "more", 8_000_000),
    ("Bürgerbüro samstags öffnen", "soziales", None, "more", 2_000_000),
]


def _ensure_proposals(past, current, users, residents):
    rng = random.Random(2026)
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    districts = {district.slug: district for district in District.objects.all()}
    founding_image = None
    if not Proposal.objects.filter(round=past, number=42).exists():
        founding_image = _picture(
            42, ["Herzlich willkommen", "Welcome", "Bienvenue", "Hos geldiniz", "Benvenuti"]
        )
    _ensure_proposal(
        past,
        residents[0],
        42,
        {**FOUNDING_PROPOSAL, "topic": topics["integration"], "state": Proposal.State.PUBLISHED},
        founding_image,
        supporters=residents[:94],
    )
    authors = [users["anna"], users["bernd"], *residents[:10]]
    for number, (title, topic, district, direction, cents) in enumerate(CURRENT_PROPOSALS, start=1):
        exists = Proposal.objects.filter(round=current, number=number).exists()
        image = None if exists or number % 3 == 0 else _picture(number)
        supporters = rng.sample(residents, rng.randrange(0, 60))
        _ensure_proposal(
            current,
            authors[number % len(authors)],
            number,
            {
                "title": title,
                "summary": f"{title}: ein Vorschlag für den Doppelhaushalt 2027/2028.",
                "description": (
                    f"## Worum es geht\n\n{title}. Das kommt vielen Menschen in der Stadt zugute.\n\n"
                    "## Warum\n\n- Es verbessert den Alltag\n- Es ist mit überschaubarem Aufwand umsetzbar"
                ),
                "direction": direction,
                "topic": topics[topic],
                "district": districts.get(district) if district else None,
                "cost_cents": cents,
                "cost_period": Proposal.CostPeriod.ONCE if cents else "",
                "image_alt": f"Symbolbild: farbige Kreise zum Vorschlag „{title}“" if image else "",
                "image_credit": "Grafik: allmende-Demo" if image else "",
            },
            image,
            supporters=supporters,
        )
    proposal_services.recount(fix=True)


def _phase_windows(start, lengths_in_days):
    windows = []
    for days in lengths_in_days:
        end = start + timedelta(days=days)
        windows.append((start, end))
        start = end
    return windows


@transaction.atomic
def build(stdout=None):
    ensure_default_pages()
    _ensure_site()
    users = _ensure_users()
    tz = timezone.get_current_timezone()
    past_start = timezone.datetime(2016, 9, 1, tzinfo=tz)
    past = _ensure_round(PAST_ROUND, _phase_windows(past_start, [14, 42, 28, 35, 60, 540, 30]))
    # The current round is in its support and rating phase whenever the demo is loaded first.
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    current = _ensure_round(
        CURRENT_ROUND, _phase_windows(now - timedelta(days=45), [10, 25, 30, 35, 60, 540, 30])
    )
    residents = _ensure_residents(120)
    _ensure_proposals(past, current, users, residents)
    _ensure_accountability(past, users, residents)
    if stdout is not None:
        stdout.write(f"Demo data ready. Every demo account has the password: {DEMO_PASSWORD}")
        for username, email, role, superuser in DEMO_USERS:
            label = "superuser" if superuser else roles.ROLES[role][0]
            stdout.write(f"  {username:<14} {email:<26} {label}")
    return users


# --- accountability: the founding proposal's way into the budget, and other outcomes -----------------

PAST_PROPOSALS = [
    # number, title, topic, district, supporters, cost in cents
    (43, "Kostenloses WLAN in allen Stadtbussen", "verkehr", None, 61, 45_000_000),
    (44, "Mehr Sozialarbeit in den Jugendtreffs", "soziales", "suedstadt", 77, 30_000_000),
    (45, "Lärmschutzwand an der Autobahn A 5", "umwelt", "weststadt", 38, None),
]


def _ensure_paper(reference, title, date):
    from allmende.accountability.models import CouncilPaper

    paper = CouncilPaper.objects.filter(reference__iexact=reference, deleted=False).first()
    if paper is None:
        paper = CouncilPaper.objects.create(
            reference=reference,
            title=title,
            date=date,
            paper_type="Beschlussvorlage",
            web_url=f"https://ris.example.org/vorlagen/{reference.replace('/', '-')}",
        )
    return paper


def _ensure_accountability(past, users, residents):
    """The founding proposal (number 42) from the forum into the budget, and three other outcomes."""
    from datetime import date

    from allmende.accountability import services as accountability
    from allmende.accountability.models import (
        Answer,
        BudgetLine,
        Decision,
        Milestone,
        Motion,
        ProposalPaper,
        Retrospective,
        Selection,
    )

    topics = {topic.slug: topic for topic in Topic.objects.all()}
    districts = {district.slug: district for district in District.objects.all()}
    proposals = {42: Proposal.objects.get(round=past, number=42)}
    for number, title, topic, district, count, cents in PAST_PROPOSALS:
        proposals[number] = _ensure_proposal(
            past,
            residents[number - 40],
            number,
            {
                "title": title,
                "summary": f"{title}: ein Vorschlag für den Doppelhaushalt 2017/2018.",
                "description": f"## Worum es geht\n\n{title}.\n\n## Warum\n\nViele Menschen in der Stadt würden profitieren.",
                "direction": Proposal.Direction.MORE,
                "topic": topics[topic],
                "district": districts.get(district) if district else None,
                "cost_cents": cents,
                "cost_period": Proposal.CostPeriod.YEARLY if cents else "",
            },
            supporters=residents[10 : 10 + count],
        )
    proposal_services.recount(fix=True, proposal_ids=[p.pk for p in proposals.values()])

    collected = past.phase(Phase.Kind.PROPOSALS)
    Proposal.objects.filter(round=past, created_at__gt=collected.ends_at).update(
        created_at=collected.starts_at + timedelta(days=3)
    )
    selection, _created = Selection.objects.get_or_create(round=past)
    if selection.frozen_at is None:
        accountability.select_proposals(None, past, now=past.phase(Phase.Kind.RATING).ends_at)

    factions = {f.short_name: f for f in Faction.objects.all()}
    g184 = _ensure_paper("G-17/184", "Pakt für Integration: aufsuchendes Fallmanagement", date(2017, 11, 14))
    g1841 = _ensure_paper(
        "G-17/184.1", "Pakt für Integration: Ergänzung zur Drucksache G-17/184", date(2017, 11, 28)
    )
    haushalt = _ensure_paper("G-17/074", "Doppelhaushalt 2017/2018: Änderungsanträge", date(2017, 3, 28))
    for paper in (g184, g1841):
        ProposalPaper.objects.get_or_create(proposal=proposals[42], paper=paper)

    answers = {
        42: (
            "feasible",
            "Das Vorhaben ist umsetzbar, wenn das Land es über den Pakt für Integration fördert.",
            70_000_000,
            "Amt für Migration und Integration",
        ),
        43: (
            "not_feasible",
            "Die Verkehrsbetriebe sind ein eigenes Unternehmen; WLAN in Bussen liegt nicht im städtischen Haushalt und wäre sehr teuer.",
            45_000_000,
            "Amt für Verkehr",
        ),
        44: (
            "feasible",
            "Mit zusätzlichen Mitteln können zwei weitere Stellen in den Jugendtreffs geschaffen werden.",
            30_000_000,
            "Amt für Kinder, Jugend und Familie",
        ),
        45: (
            "not_responsible",
            "Für den Lärmschutz an Bundesautobahnen ist der Bund zuständig, nicht die Stadt.",
            None,
            "Stadtplanungsamt",
        ),
    }
    for number, (state, text, cents, office) in answers.items():
        Answer.objects.update_or_create(
            proposal=proposals[number],
            defaults={
                "state": past.answer_states.get(code=state),
                "reason_required": state == "not_feasible",
                "text": text,
                "cost_cents": cents,
                "cost_period": "yearly" if cents else "",
                "office": office,
                "answered_on": date(2017, 2, 20),
                "published": True,
                "published_at": timezone.datetime(2017, 2, 21, 9, tzinfo=timezone.get_current_timezone()),
                "author": users["verwaltung"],
            },
        )

    def motion(faction, number, title, day, amount, taken_up, paper=haushalt):
        row, _created = Motion.objects.update_or_create(
            round=past,
            faction=factions[faction],
            number=number,
            defaults={"title": title, "date": day, "paper": paper, "amount_asked_cents": amount},
        )
        row.proposals.add(*taken_up)
        return row

    line, _created = BudgetLine.objects.update_or_create(
        year=2018,
        code="31.50.01",
        defaults={
            "name": "Integrationsmanagement für Geflüchtete",
            "amount_cents": 70_000_000,
            "level": "product",
        },
    )
    decisions = [
        (
            motion(
                "GLM",
                "ÄA-12",
                "Integrationsmanagement für Geflüchtete",
                date(2017, 3, 14),
                70_000_000,
                [proposals[42]],
            ),
            Decision.Outcome.ADOPTED,
            g1841,
            70_000_000,
            line,
            "",
        ),
        (
            motion("BU", "ÄA-07", "WLAN in Stadtbussen", date(2017, 3, 14), 45_000_000, [proposals[43]]),
            Decision.Outcome.REJECTED,
            haushalt,
            0,
            None,
            "",
        ),
        (
            motion(
                "SM",
                "ÄA-21",
                "Sozialarbeit in Jugendtreffs stärken",
                date(2017, 3, 15),
                30_000_000,
                [proposals[44]],
            ),
            Decision.Outcome.PARTLY,
            haushalt,
            15_000_000,
            None,
            "Jugendhilfswerk Südstadt e.V.",
        ),
    ]
    for row, outcome, paper, granted, budget_line, recipient in decisions:
        Decision.objects.update_or_create(
            motion=row,
            defaults={
                "outcome": outcome,
                "date": date(2017, 3, 29),
                "paper": paper,
                "amount_granted_cents": granted,
                "budget_line": budget_line,
                "grant_recipient": recipient,
            },
        )

    milestones = {
        42: [
            (
                date(2017, 11, 28),
                "Der Gemeinderat beschließt das aufsuchende Fallmanagement (Pakt für Integration).",
                20,
            ),
            (
                date(2018, 5, 1),
                "Das Integrationsmanagement startet beim Amt für Migration und Integration.",
                60,
            ),
            (date(2018, 12, 1), "20 Integrationsmanager_innen begleiten ca. 1230 Geflüchtete.", 80),
        ],
        44: [(date(2018, 1, 15), "Eine zusätzliche Stelle im Jugendtreff Südstadt ist besetzt.", 50)],
    }
    for number, rows in milestones.items():
        for day, text, progress in rows:
            Milestone.objects.get_or_create(
                proposal=proposals[number], date=day, text=text, defaults={"progress": progress}
            )

    Retrospective.objects.update_or_create(
        proposal=proposals[42],
        defaults={
            "is_success": True,
            "implementation": Retrospective.Implementation.DONE,
            "status_date": date(2018, 12, 1),
            "costs_text": (
                "ca. 700.000 Euro/Jahr. Die Integrationsmanager_innen werden finanziert aus den Mitteln des Pakt "
                "für Integration (PIK), einem Förderprogramm des Landes mit zweijähriger Laufzeit. Die Kosten "
                "belaufen sich auf rund 700.000 Euro pro Jahr."
            ),
            "text": (
                "## Was aus dem Vorschlag wurde\n\nDer Gemeinderat hat im November 2017 ein aufsuchendes "
                "Fallmanagement beschlossen; es startete im Frühjahr 2018."
            ),
        },
    )
    Retrospective.objects.update_or_create(
        proposal=proposals[44],
        defaults={
            "is_success": True,
            "implementation": Retrospective.Implementation.IN_PROGRESS,
            "status_date": date(2019, 3, 1),
            "costs_text": "150.000 Euro/Jahr über die Zuschussliste",
            "text": "## Teilweise übernommen\n\nDer Gemeinderat hat die Hälfte der beantragten Mittel bewilligt.",
        },
    )
    Retrospective.objects.update_or_create(
        proposal=proposals[45],
        defaults={
            "is_success": False,
            "implementation": Retrospective.Implementation.STOPPED,
            "status_date": date(2017, 6, 1),
            "text": "Der Vollständigkeit halber aufgeführt: Die Stadt ist nicht zuständig.",
        },
    )
