import pytest

from allmende.notifications import services
from allmende.proposals.models import Proposal
from allmende.rounds.models import Round, Topic

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def immediate_tasks(settings):
    """Run tasks right away in the test's thread (django.tasks' ImmediateBackend)."""
    settings.TASKS = IMMEDIATE


def make_round(slug="bh-test"):
    """A bare round: following and notifying need no phases."""
    round_ = Round.objects.create(title=f"Runde {slug}", slug=slug, reference_prefix="BH2030")
    topic, _created = Topic.objects.get_or_create(slug="verkehr", defaults={"name": "Verkehr"})
    round_.topics.add(topic)
    return round_


def make_proposal(round_, author=None, **fields):
    number = round_.proposals.count() + 1
    data = {
        "title": f"Vorschlag {number}",
        "summary": "Kurz",
        "description": "Lang",
        "direction": Proposal.Direction.MORE,
        "topic": round_.topics.first(),
        **fields,
    }
    return Proposal.objects.create(round=round_, number=number, author=author, **data)


@pytest.fixture
def proposal(db, make_user):
    return make_proposal(make_round(), author=make_user("autorin"))


@pytest.fixture
def followers(proposal, make_user):
    """anna and bernd follow the proposal (its author follows it automatically)."""
    people = [make_user("anna"), make_user("bernd")]
    for person in people:
        services.follow(person, proposal)
    return people


@pytest.fixture
def notify_now(django_capture_on_commit_callbacks, immediate_tasks):
    """Call notify() as a service would and let its transaction commit: tasks run, mails are sent."""

    def run(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.notify(*args, **kwargs)

    return run
