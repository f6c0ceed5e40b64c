"""Demo data: a city with a past and a current round, users of every role, content for every page.

`python manage.py demo` runs `build()`; it is idempotent (everything is looked up by a natural key
before it is created). Later parts of the platform add their demo content here.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site
from django.db import transaction
from django.utils import timezone

from allmende.accountability.models import Faction
from allmende.accounts import roles
from allmende.accounts.models import User
from allmende.pages.services import ensure_default_pages
from allmende.rounds.models import Phase, Round

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

PAST_ROUND = {
    "slug": "bh-2017-2018",
    "title": "Beteiligungshaushalt 2017/2018",
    "description": (
        "Im Online-Forum zum Doppelhaushalt 2017/2018 haben Bürgerinnen und Bürger Vorschläge gemacht "
        "und unterstützt. Die Gemeinderatsfraktionen haben viele davon in ihre Änderungsanträge übernommen."
    ),
}
CURRENT_ROUND = {
    "slug": "bh-2027-2028",
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
    return round_


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
    _ensure_round(PAST_ROUND, _phase_windows(past_start, [14, 42, 28, 35, 60, 540, 30]))
    # The current round is in its proposal phase whenever the demo is loaded first.
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    _ensure_round(CURRENT_ROUND, _phase_windows(now - timedelta(days=24), [14, 42, 28, 35, 60, 540, 30]))
    if stdout is not None:
        stdout.write(f"Demo data ready. Every demo account has the password: {DEMO_PASSWORD}")
        for username, email, role, superuser in DEMO_USERS:
            label = "superuser" if superuser else roles.ROLES[role][0]
            stdout.write(f"  {username:<14} {email:<26} {label}")
    return users
