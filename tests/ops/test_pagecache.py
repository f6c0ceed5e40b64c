"""A proposal's page for anonymous readers is kept until what it shows changes (allmende/ops/pagecache.py)."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache, caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from allmende.accounts import sessions
from allmende.accounts.models import User
from allmende.comments import services as comments
from allmende.comments.models import Comment
from allmende.moderation import services as moderation
from allmende.notifications.models import Follow
from allmende.ops import pagecache
from allmende.proposals import services
from allmende.proposals.models import Proposal
from allmende.rounds.models import Phase, Topic
from tests.conftest import redis_test_cache
from tests.factories import make_proposal, make_round


@pytest.fixture(params=["memory", "redis"])
def page_cache(request, settings):
    """The page cache on, in the process's memory and in Redis as in production (REDIS_TEST_URL)."""
    if request.param == "redis":
        settings.CACHES = {**settings.CACHES, "default": redis_test_cache()}
        cache.clear()
    settings.PAGE_CACHE_SECONDS = 3600
    settings.PAGE_CACHE_TRACK_WRITES = True
    yield
    cache.clear()


def _read(client, proposal):
    response = client.get(proposal.get_absolute_url())
    assert response.status_code == 200
    return response.get("X-Cache") == "hit", response.content.decode()


@pytest.mark.django_db
def test_a_page_is_served_from_the_cache_until_a_support_changes_its_count(
    client, proposal, make_user, page_cache
):
    assert _read(client, proposal)[0] is False
    hit, page = _read(client, proposal)
    assert hit and "0 mal unterstützt" in page
    services.rate(make_user("bert"), proposal)
    hit, page = _read(client, proposal)
    assert not hit and "1 mal unterstützt" in page


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_write_that_changes_no_row_keeps_the_page(client, proposal, make_user, page_cache):
    """A second click's support, or taking back what is not there: PostgreSQL says no row changed."""
    bert, carla = make_user("bert"), make_user("carla")
    services.rate(bert, proposal)
    _read(client, proposal)
    services.rate(bert, proposal)
    services.unrate(carla, proposal)
    assert _read(client, proposal)[0] is True


@pytest.mark.django_db
def test_a_support_leaves_the_other_proposals_pages_cached(client, proposal, make_user, page_cache):
    other, bert = make_proposal(proposal.round), make_user("bert")
    _read(client, proposal), _read(client, other)
    services.rate(bert, proposal)
    assert _read(client, other)[0] is True
    assert _read(client, proposal)[0] is False


@pytest.mark.django_db
def test_a_new_proposal_leaves_the_other_proposals_pages_cached(client, make_user, page_cache):
    round_ = make_round("vorschlagsphase", phase=Phase.Kind.PROPOSALS)
    proposal = make_proposal(round_, author=make_user("autorin"))
    _read(client, proposal)
    new = services.create_proposal(
        proposal.author,
        round_,
        {"title": "Mehr Bänke", "summary": "Zum Ausruhen", "description": "Lang", "direction": "more",
         "topic": proposal.topic},
    )  # fmt: skip
    assert _read(client, proposal)[0] is True
    assert _read(client, new)[0] is False


@pytest.mark.django_db
def test_a_comment_shows_at_once(client, proposal, make_user, page_cache):
    _read(client, proposal)
    comments.post_comment(make_user("bert"), proposal, "Gute Idee, der Weg ist nachts sehr dunkel.")
    hit, page = _read(client, proposal)
    assert not hit and "nachts sehr dunkel" in page


@pytest.mark.django_db
def test_editing_deleting_and_reporting_a_comment_renews_its_proposals_page_only(
    client, proposal, make_user, page_cache
):
    other, bert, carla = make_proposal(proposal.round), make_user("bert"), make_user("carla")
    comment = comments.post_comment(bert, proposal, "Ein Tippfeler.")
    comment = Comment.objects.select_related("proposal__round").get(pk=comment.pk)
    _read(client, other)
    for change, shown in [
        (lambda: comments.edit_comment(bert, comment, "Ohne Tippfehler."), "Ohne Tippfehler."),
        (lambda: moderation.report(carla, comment=comment, reason="off_topic"), "Ohne Tippfehler."),
        (lambda: comments.delete_comment(bert, comment), "gelöscht"),
    ]:
        _read(client, proposal)
        change()
        hit, page = _read(client, proposal)
        assert not hit and shown in page
        assert _read(client, other)[0] is True


@pytest.mark.django_db
def test_any_other_change_renews_every_page(client, proposal, page_cache):
    """A renamed topic, made anywhere (here a bulk UPDATE, as the admin or a migration might), shows on
    the proposal's page at once."""
    _read(client, proposal)
    Topic.objects.filter(pk=proposal.topic_id).update(name="Mobilität und Wege")
    hit, page = _read(client, proposal)
    assert not hit and "Mobilität und Wege" in page


@pytest.mark.django_db
def test_private_writes_keep_pages_cached(client, proposal, make_user, page_cache):
    bert = make_user("bert", role=None)  # a new account
    _read(client, proposal)
    User.objects.create_user(username="carla", email="carla@example.org", password="x" * 12)
    bert.last_login = timezone.now()
    bert.save(update_fields=["last_login"])
    Follow.objects.create(user=bert, proposal=proposal)
    assert _read(client, proposal)[0] is True


@pytest.mark.django_db
def test_signed_in_people_get_fresh_pages(client, proposal, resident, page_cache):
    _read(client, proposal)
    client.force_login(resident)
    response = client.get(proposal.get_absolute_url())
    assert "X-Cache" not in response and "csrfmiddlewaretoken" in response.content.decode()


@pytest.mark.django_db
def test_a_lost_version_loses_the_pages_that_depend_on_it(client, proposal, page_cache):
    _read(client, proposal)
    cache.delete(pagecache.SITE)  # e.g. evicted by the cache
    assert _read(client, proposal)[0] is False
    assert _read(client, proposal)[0] is True


@pytest.mark.django_db
def test_the_page_lives_no_longer_than_until_the_phase_changes(client, proposal, page_cache, monkeypatch):
    rating = proposal.round.phase(Phase.Kind.RATING)
    rating.ends_at = timezone.now() + timedelta(minutes=5)
    rating.save()
    stored = {}
    original = pagecache._write

    def spy(entries):
        stored.update(
            (key, timeout) for key, (_value, timeout, _new) in entries.items() if key.startswith("vpage:")
        )
        return original(entries)

    monkeypatch.setattr(pagecache, "_write", spy)
    _read(client, proposal)
    (timeout,) = stored.values()
    assert 280 <= timeout <= 300


@pytest.mark.django_db
def test_versions_are_renewed_again_after_the_commit(
    proposal, django_capture_on_commit_callbacks, page_cache
):
    """A reader who rendered the old data while the change was not yet committed must not have it served."""
    before = pagecache.current_versions([pagecache.SITE])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(title="Neu")
        during = pagecache.current_versions([pagecache.SITE])
    after = pagecache.current_versions([pagecache.SITE])
    assert before != during != after


@pytest.mark.django_db(transaction=True)
def test_a_support_renews_its_page_once_inside_its_transaction_and_once_after(
    proposal, make_user, page_cache, monkeypatch
):
    """A support writes two rows (the support, the proposal's counter). Inside its transaction one renewal
    covers both, and the one after the commit covers readers in between; a third round trip to the cache
    would change nothing. On PostgreSQL row and counter are one statement without a transaction: the
    renewal after it is all it needs."""
    key = pagecache.proposal_key(proposal.round.slug, proposal.number)
    bert = make_user("bert")
    backend = caches["default"]
    renewed = []

    def spy(name, *args, **kwargs):
        renewed.append((name, connection.in_atomic_block))
        return type(backend).set(backend, name, *args, **kwargs)

    monkeypatch.setattr(backend, "set", spy)
    services.rate(bert, proposal)  # its own transaction, committed
    expected = [(key, False)] if connection.vendor == "postgresql" else [(key, True), (key, False)]
    assert [(name, inside) for name, inside in renewed if name == key] == expected
    assert all(name != pagecache.SITE for name, _inside in renewed)
    assert Proposal.objects.get(pk=proposal.pk).support_count == 1
    renewed.clear()
    services.unrate(bert, proposal)
    assert [(name, inside) for name, inside in renewed if name == key] == expected
    assert Proposal.objects.get(pk=proposal.pk).support_count == 0


@pytest.mark.django_db(transaction=True)
def test_a_support_is_refused_and_not_counted_when_the_cache_cannot_be_reached(
    proposal, make_user, page_cache, monkeypatch
):
    """The page's version cannot be renewed, so the support must not happen: a page kept elsewhere would
    show the old count for as long as it lives."""
    bert, carla = make_user("bert"), make_user("carla")
    services.rate(carla, proposal)

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    backend = caches["default"]
    for method in ("get", "get_many", "set", "set_many", "add", "incr", "count"):
        if hasattr(backend, method):
            monkeypatch.setattr(backend, method, unreachable)
    with pytest.raises(ConnectionError):
        services.rate(bert, proposal)
    with pytest.raises(ConnectionError):
        services.unrate(carla, proposal)
    proposal.refresh_from_db()
    assert proposal.support_count == 1
    assert list(proposal.supports.values_list("user__username", flat=True)) == ["carla"]


@pytest.mark.django_db
def test_a_write_after_a_rolled_back_savepoint_renews_again(
    proposal, django_capture_on_commit_callbacks, page_cache
):
    """The savepoint's rollback drops the renewal after the commit with it; the next write must renew at
    once and after its commit, or a page read in between would outlive the change."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            Proposal.objects.filter(pk=proposal.pk).update(title="Verworfen")
            raise RuntimeError("rolled back")
        before = pagecache.current_versions([pagecache.SITE])
        Proposal.objects.filter(pk=proposal.pk).update(title="Neu")
        during = pagecache.current_versions([pagecache.SITE])
    after = pagecache.current_versions([pagecache.SITE])
    assert before != during != after


@pytest.mark.django_db
def test_a_failed_change_is_not_half_done_when_the_cache_cannot_be_reached(proposal, page_cache, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(caches["default"], "set", unreachable)
    monkeypatch.setattr(caches["default"], "set_many", unreachable)
    with pytest.raises(ConnectionError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(title="Neu")
    proposal.refresh_from_db()
    assert proposal.title != "Neu"


@pytest.mark.django_db
def test_statements_are_classified(proposal, page_cache):
    key = pagecache.proposal_key(proposal.round.slug, proposal.number)
    site, persons = pagecache.SITE, pagecache.PERSONS
    cases = {
        'SELECT "proposals_proposal"."id" FROM "proposals_proposal"': (),
        "WITH x AS (SELECT 1) SELECT * FROM x": (),
        'UPDATE "accounts_user" SET "last_login" = %s WHERE "accounts_user"."id" = %s': (),
        # shown on no page, but part of the signed-in person (their session's check, their mails)
        'UPDATE "accounts_user" SET "password" = %s WHERE "accounts_user"."id" = %s': (persons,),
        'UPDATE "accounts_user" SET "language" = %s WHERE "accounts_user"."id" = %s': (persons,),
        'UPDATE "accounts_user" SET "username" = %s WHERE "accounts_user"."id" = %s': (site, persons),
        'UPDATE "accounts_user" SET "is_active" = %s WHERE "accounts_user"."id" = %s': (site, persons),
        'INSERT INTO "accounts_user" ("username") VALUES (%s)': (),
        'DELETE FROM "accounts_user" WHERE "accounts_user"."id" IN (%s)': (site, persons),
        'INSERT INTO "accounts_user_groups" ("user_id", "group_id") VALUES (%s, %s)': (site, persons),
        'UPDATE "auth_group" SET "name" = %s WHERE "auth_group"."id" = %s': (site, persons),
        'INSERT INTO "django_session" ("session_key") VALUES (%s)': (),
        'INSERT INTO "proposals_support" ("proposal_id") VALUES (%s)': (site,),
        'ALTER TABLE "rounds_topic" ADD COLUMN "x" integer': (site, persons),
        'TRUNCATE "accounts_user_groups"': (site, persons),
        "WITH gone AS (DELETE FROM rounds_topic RETURNING id) SELECT count(*) FROM gone": (site,),
        "WITH gone AS (DELETE FROM django_session RETURNING 1) SELECT count(*) FROM gone": (),
        "WITH gone AS (DELETE FROM accounts_user_groups RETURNING 1) SELECT 1": (site, persons),
        _SUPPORT_CTE: (site,),
    }
    for sql, expected in cases.items():
        assert pagecache._changed_keys(sql) == expected, sql
    with pagecache.proposal_scope(proposal):
        support = 'INSERT INTO "proposals_support" ("proposal_id") VALUES (%s)'
        assert pagecache._changed_keys(support) == (key,)
        assert pagecache._changed_keys('UPDATE "rounds_round" SET "title" = %s') == (site,)
        assert pagecache._changed_keys(_SUPPORT_CTE) == (key,)
        mixed = 'WITH x AS (UPDATE "rounds_topic" SET "name" = %s RETURNING 1) UPDATE "proposals_proposal" SET a = 1'
        assert pagecache._changed_keys(mixed) == (site,)
    # What a statement's text decides is kept per text; the scope is the request's, each time.
    assert pagecache._changed_keys(_SUPPORT_CTE) == (site,)


# A support's row and its proposal's counters in one statement (the PostgreSQL path of services.rate).
_SUPPORT_CTE = (
    'WITH ins AS (INSERT INTO "proposals_support" (proposal_id, user_id) VALUES (%s, %s) '
    'ON CONFLICT DO NOTHING RETURNING value) UPDATE "proposals_proposal" SET support_count = support_count + 1 '
    "FROM ins WHERE id = %s RETURNING support_count"
)


def test_every_connection_tracks_its_writes():
    assert pagecache.track_writes in connection.execute_wrappers


@pytest.mark.django_db
def test_a_kept_round_is_current_and_each_caller_gets_its_own_copy(proposal, page_cache):
    from allmende.rounds import queries as round_queries

    slug = proposal.round.slug
    first = round_queries.round_by_slug(slug)
    first.title = "changed in memory only"
    assert round_queries.round_by_slug(slug).title == proposal.round.title
    proposal.round.title = "Beteiligungshaushalt 2031/2032"
    proposal.round.save()
    assert round_queries.round_by_slug(slug).title == "Beteiligungshaushalt 2031/2032"


@pytest.mark.django_db
def test_a_kept_round_without_its_choices_still_knows_its_phases_and_finds_its_topics(
    proposal, page_cache, django_assert_num_queries
):
    from allmende.rounds import queries as round_queries

    slug = proposal.round.slug
    topics = list(proposal.round.topics.all())
    assert topics
    round_queries.kept_round(slug)  # kept now
    lean = round_queries.kept_round(slug, choices=False)
    full = round_queries.kept_round(slug)
    with django_assert_num_queries(0):
        assert [p.kind for p in lean.phases.all()] == [p.kind for p in full.phases.all()]
        assert list(full.topics.all()) == topics
    with django_assert_num_queries(1):
        assert list(lean.topics.all()) == topics


@pytest.mark.django_db
def test_copies_of_a_kept_round_share_nothing_a_caller_could_change(
    proposal, page_cache, django_assert_num_queries
):
    """Each copy has its own phases, topics and districts, each pointing back to that copy, and
    filtering its phases still asks for this round's only (another round's phases lie beside them)."""
    from allmende.rounds import queries as round_queries

    slug = proposal.round.slug
    make_round(slug="bh-andere")
    round_queries.kept_round(slug)  # kept now
    with django_assert_num_queries(0):
        first, second = round_queries.kept_round(slug), round_queries.kept_round(slug, choices=False)
        first_phases, second_phases = list(first.phases.all()), list(second.phases.all())
        assert [p.pk for p in first_phases] == [p.pk for p in second_phases]
        assert all(p.round is first for p in first_phases) and all(p.round is second for p in second_phases)
        first_phases[0].ends_at = first_phases[0].starts_at
        first_phases[0]._state.fields_cache.clear()
        assert second.phases.all()[0].ends_at != second.phases.all()[0].starts_at
        assert round_queries.kept_round(slug).phases.all()[0].ends_at == second_phases[0].ends_at
        topic = first.topics.all()[0]
        topic.name = "in memory only"
        assert round_queries.kept_round(slug).topics.all()[0].name != topic.name
        kept = round_queries.kept_choice(slug, "topics", topic.pk)
        assert kept.pk == topic.pk and kept is not round_queries.kept_choice(slug, "topics", topic.pk)
    with django_assert_num_queries(1):
        rating = second.phases.filter(kind=Phase.Kind.RATING)
        assert [p.round_id for p in rating] == [proposal.round.pk]


@pytest.mark.django_db
def test_a_moved_phase_shows_at_once_on_signed_in_pages(client, proposal, resident, page_cache):
    """The support button depends on the phase; the kept round must not outlive a change of its dates."""
    client.force_login(resident)
    assert "rating__button" in client.get(proposal.get_absolute_url()).content.decode()
    rating = proposal.round.phase(Phase.Kind.RATING)
    Phase.objects.filter(pk=rating.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "rating__button" not in page


@pytest.mark.django_db
def test_a_deployment_that_changes_the_templates_starts_afresh(client, proposal, page_cache, monkeypatch):
    _read(client, proposal)
    assert _read(client, proposal)[0] is True
    monkeypatch.setattr(pagecache, "code_version", lambda: "next-release")
    assert _read(client, proposal)[0] is False


def test_the_code_version_covers_templates_and_translations(settings):
    pagecache.code_version.cache_clear()
    try:
        first = pagecache.code_version()
        settings.LOCALE_PATHS = []  # the translations no longer counted: another digest
        pagecache.code_version.cache_clear()
        assert pagecache.code_version() != first
    finally:
        pagecache.code_version.cache_clear()


@pytest.mark.django_db
def test_signed_in_pages_name_topic_and_district_also_where_the_round_no_longer_lists_them(
    client, proposal, resident, page_cache
):
    """Topic and district come from the kept round; one removed from the round is still named."""
    from allmende.rounds.models import District

    gone = District.objects.create(slug="wiehre", name="Wiehre")
    Proposal.objects.filter(pk=proposal.pk).update(district=gone)
    client.force_login(resident)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Verkehr" in page and "Wiehre" in page
    with transaction.atomic():  # a change of its own, as another request's would be (renews again)
        Proposal.objects.filter(pk=proposal.pk).update(district=proposal.round.districts.get())
    assert "Altstadt" in client.get(proposal.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_the_button_finds_its_proposal_in_the_kept_round(client, proposal, make_user, page_cache):
    """With rounds kept per process the button's proposal comes from a query compiled once: the right
    proposal of the right round, a 404 for a number the round does not have."""
    other_round = make_round(slug="andere-runde")
    twin = make_proposal(other_round, title="Gleiche Nummer, andere Runde")
    assert twin.number == proposal.number
    client.force_login(make_user("anna"))
    url = reverse("proposals:rate", args=[proposal.round.slug, proposal.number])
    for _ in range(2):  # the second request runs the compiled query again
        response = client.post(url, {"value": "1"}, headers={"HX-Request": "true"})
        assert response.status_code == 200 and 'aria-pressed="true"' in response.content.decode()
    proposal.refresh_from_db()
    twin.refresh_from_db()
    assert (proposal.support_count, twin.support_count) == (1, 0)
    missing = reverse("proposals:rate", args=[proposal.round.slug, proposal.number + 1000])
    assert client.post(missing, {"value": "1"}).status_code == 404


def _cache_reads(monkeypatch):
    """Every read of the default cache from now on, as the list of keys each round trip asked for."""
    backend, reads = caches["default"], []
    real_get_many, real_get = backend.get_many, backend.get

    def get_many(keys, *args, **kwargs):
        reads.append(list(keys))
        monkeypatch.setattr(backend, "get", real_get)  # the memory cache's get_many calls get per key
        try:
            return real_get_many(keys, *args, **kwargs)
        finally:
            monkeypatch.setattr(backend, "get", get)

    def get(key, *args, **kwargs):
        reads.append([key])
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(backend, "get_many", get_many)
    monkeypatch.setattr(backend, "get", get)
    return reads


@pytest.mark.django_db
def test_a_rendered_page_asks_the_cache_for_the_site_wide_version_once(
    client, proposal, make_user, page_cache, monkeypatch
):
    """The page cache's lookup and the kept round both need the site-wide version: one request reads it
    once, with the page in the same round trip."""
    _read(client, proposal)
    services.rate(make_user("bert"), proposal)  # the page is rendered afresh now
    asked = _cache_reads(monkeypatch)
    hit, page = _read(client, proposal)
    assert not hit and "1 mal unterstützt" in page
    (with_site,) = [keys for keys in asked if pagecache.SITE in keys]
    assert any(key.startswith("vpage:") for key in with_site)


def _through_a_request(view):
    from django.http import HttpResponse
    from django.test import RequestFactory

    pagecache.RequestVersions(lambda request: view() or HttpResponse())(RequestFactory().get("/"))


@pytest.mark.django_db
def test_a_request_sees_the_versions_it_renews_itself(proposal, page_cache):
    read = []

    def view():
        read.append(pagecache.current_versions([pagecache.SITE])[pagecache.SITE])
        Proposal.objects.filter(pk=proposal.pk).update(title="Neu")
        read.append(pagecache.current_versions([pagecache.SITE])[pagecache.SITE])

    _through_a_request(view)
    assert read[0] != read[1] == cache.get(pagecache.SITE)


@pytest.mark.django_db
def test_a_request_remembers_nothing_of_the_one_before(page_cache):
    read = []

    def view():
        read.append(pagecache.current_versions([pagecache.SITE])[pagecache.SITE])

    _through_a_request(view)
    cache.set(pagecache.SITE, "renewed by another process", timeout=None)
    _through_a_request(view)
    assert read[0] != read[1] == "renewed by another process"


@pytest.mark.django_db
def test_a_missing_version_is_made_at_the_requests_end_unless_someone_made_it_meanwhile(
    client, proposal, page_cache, monkeypatch
):
    """A version the cache lacks costs no round trip of its own: the request takes a token, reads its
    data and makes the version with its writes at the end, only where it is still missing. Where another
    process made or renewed it meanwhile, theirs counts and the page kept under the request's token is
    never served."""
    key = pagecache.proposal_key(proposal.round.slug, proposal.number)
    adds = []
    backend = caches["default"]
    real_add = backend.add
    monkeypatch.setattr(
        backend, "add", lambda *args, **kwargs: adds.append(args[0]) or real_add(*args, **kwargs)
    )
    assert _read(client, proposal)[0] is False
    made = cache.get(key)
    assert made is not None and _read(client, proposal)[0] is True
    assert adds == [] or not hasattr(cache, "set_each")  # in Redis: with the page, in one pipeline

    cache.delete(key)  # e.g. expired, or evicted by the cache
    real_view = pagecache._write

    def someone_else_first(entries):
        cache.set(key, "theirs", timeout=None)  # made by another process while this page was rendered
        return real_view(entries)

    monkeypatch.setattr(pagecache, "_write", someone_else_first)
    assert _read(client, proposal)[0] is False
    monkeypatch.setattr(pagecache, "_write", real_view)
    assert cache.get(key) == "theirs"
    assert _read(client, proposal)[0] is False  # the page kept under this request's token is not served
    assert _read(client, proposal)[0] is True


def test_a_version_another_process_created_a_moment_before_counts(page_cache, monkeypatch):
    backend = caches["default"]
    real_add = backend.add

    def add(key, value, *args, **kwargs):
        real_add(key, "theirs", *args, **kwargs)  # the other process was first
        return real_add(key, value, *args, **kwargs)

    monkeypatch.setattr(backend, "add", add)
    assert pagecache.current_versions(["content:elsewhere"]) == {"content:elsewhere": "theirs"}


@pytest.mark.django_db
def test_a_support_reads_the_session_with_the_site_wide_version(
    client, proposal, resident, redis_sessions, monkeypatch
):
    client.force_login(resident)
    session_key = "django.contrib.sessions.cached_db" + client.session.session_key
    url = reverse("proposals:rate", args=[proposal.round.slug, proposal.number])
    reads = _cache_reads(monkeypatch)
    response = client.post(url, {"value": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'aria-pressed="true"' in response.content.decode()
    person = sessions.person_key(client.session.session_key)
    assert [keys for keys in reads if session_key in keys] == [
        [session_key, pagecache.PERSONS, person, pagecache.SITE]
    ]
    proposal.refresh_from_db()
    assert proposal.support_count == 1


@pytest.mark.django_db
def test_a_signed_in_page_reads_the_session_the_versions_and_the_shared_body_at_once(
    client, proposal, resident, redis_sessions, monkeypatch
):
    client.force_login(resident)
    session_key = "django.contrib.sessions.cached_db" + client.session.session_key
    proposal_version = pagecache.proposal_key(proposal.round.slug, proposal.number)
    reads = _cache_reads(monkeypatch)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert reverse("account_logout") in page  # signed in
    (first, *_later) = reads
    assert session_key in first and pagecache.SITE in first and proposal_version in first
    assert pagecache.PERSONS in first and sessions.person_key(client.session.session_key) in first
    assert any(key.startswith("vfrag:") for key in first)
    assert not any(pagecache.SITE in keys or session_key in keys for keys in _later)


@pytest.mark.django_db
def test_a_signed_in_list_reads_its_count_with_the_rounds_version(
    client, proposal, resident, redis_sessions, monkeypatch
):
    client.force_login(resident)
    url = reverse("proposals:list", args=[proposal.round.slug])
    assert client.get(url).status_code == 200  # counted, and the count kept
    reads = _cache_reads(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert "1 Vorschlag gefunden" in page
    assert not any("COUNT(" in q["sql"].upper() for q in queries)
    (with_site,) = [keys for keys in reads if pagecache.SITE in keys]
    assert any(key.startswith("proposal_count:") for key in with_site)
    assert not any(
        key.startswith("proposal_count:") for keys in reads if keys is not with_site for key in keys
    )


@pytest.mark.django_db
def test_a_session_the_cache_lost_or_a_page_without_versions_still_signs_in(
    client, proposal, resident, redis_sessions
):
    client.force_login(resident)
    cache.delete("django.contrib.sessions.cached_db" + client.session.session_key)  # e.g. Redis restarted
    assert reverse("account_logout") in client.get(proposal.get_absolute_url()).content.decode()
    # A page that reads no versions: the session loads alone.
    assert client.get(reverse("accounts:profile")).status_code == 200
    client.logout()
    assert client.get(reverse("accounts:profile")).status_code == 302


def _timeline_queries(client, proposal):
    """The page's text, and how many queries asked for its timeline's records."""
    page, asked = _queries_for_page(client, proposal)
    return page, asked["accountability_selectedproposal"]


def _queries_for_page(client, proposal):
    """The page's text, and how many of its queries read each table (a substring count per table; for
    the comments, the queries that list them, not an EXISTS in another statement)."""
    with CaptureQueriesContext(connection) as queries:
        page = client.get(proposal.get_absolute_url()).content.decode()
    tables = ("accountability_selectedproposal", "accounts_user")
    asked = {t: sum(f'FROM "{t}"' in q["sql"] for q in queries.captured_queries) for t in tables}
    listing = re.compile(r'FROM "comments_comment"(?! "?U\d)')
    asked["comments_comment"] = sum(bool(listing.search(q["sql"])) for q in queries.captured_queries)
    return page, asked


@pytest.mark.django_db
def test_the_proposals_text_facts_and_timeline_are_rendered_once_for_all_readers_until_they_change(
    client, proposal, make_user, page_cache, settings
):
    """pagecache.Fragment: what every reader sees alike is kept; each signed-in page renders only the
    reader's own parts around it, and a change shows at once."""
    client.force_login(make_user("anna"))
    page, asked = _timeline_queries(client, proposal)
    assert asked == 1 and "Vorschlag anna" not in page
    client.force_login(make_user("bert"))
    page, asked = _queries_for_page(client, proposal)
    assert asked["accountability_selectedproposal"] == 0
    assert asked["accounts_user"] == 1  # the reader, not the author
    assert proposal.description in page and "Kurzbeschreibung" in page and proposal.title in page
    assert f"von {proposal.author.username}" in page
    with transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(description="Ganz **neu** beschrieben")
    with transaction.atomic():
        services.rate(make_user("carla"), proposal)
    page, asked = _timeline_queries(client, proposal)
    assert asked == 1 and "Ganz <strong>neu</strong> beschrieben" in page and "1 mal unterstützt" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Short description" in page and "Kurzbeschreibung" not in page
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    with transaction.atomic():
        services.rate(make_user("dora"), proposal)
    page, asked = _timeline_queries(client, proposal)  # anonymous: the page rendered, its body kept
    assert asked == 1 and "2 mal unterstützt" in page
    client.force_login(make_user("emil"))
    page, asked = _timeline_queries(client, proposal)
    assert asked == 0 and "2 mal unterstützt" in page and "Ganz <strong>neu</strong> beschrieben" in page


@pytest.mark.django_db
def test_the_readers_own_support_and_following_come_with_the_proposal(
    client, proposal, make_user, page_cache
):
    """A signed-in reader's page shows their own support and whether they follow the proposal, asked in
    the statement that loads the proposal (no query of their own), and never another reader's."""
    anna, bert = make_user("anna"), make_user("bert")
    with transaction.atomic():
        services.rate(anna, proposal)
    Follow.objects.create(user=anna, proposal=proposal)
    for person, pressed in ((anna, "true"), (bert, "false")):
        client.force_login(person)
        client.get(proposal.get_absolute_url())  # the round kept in this process
        with CaptureQueriesContext(connection) as queries:
            page = client.get(proposal.get_absolute_url()).content.decode()
        reading = [
            q["sql"]
            for q in queries
            if '"proposals_support"' in q["sql"] or '"notifications_follow"' in q["sql"]
        ]
        assert len(reading) == 1 and 'FROM "proposals_proposal"' in reading[0], reading
        assert page.count(f'aria-pressed="{pressed}"') == 2, person  # support and follow buttons
        assert ("Sie unterstützen diesen Vorschlag." in page) == (person == anna)


@pytest.mark.django_db
def test_a_page_rendered_afresh_reads_what_its_pieces_show_with_the_proposal(
    client, proposal, make_user, page_cache
):
    """Where the shared pieces are rendered, the author's name and whether there are comments and
    council records come in the proposal's statement: a proposal without either takes that statement
    alone; one with a comment and an answer still shows both."""
    from allmende.accountability.models import Answer

    url = proposal.get_absolute_url()
    carla, bert = make_user("carla"), make_user("bert")
    client.get(url)  # the round is kept in this process from here on
    with transaction.atomic():
        services.rate(carla, proposal)  # a new version of the page: the next one is rendered afresh
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert len(queries) == 1 and 'FROM "proposals_proposal"' in queries[0]["sql"], [
        q["sql"][:60] for q in queries
    ]
    assert f"von {proposal.author.username}" in page and "Noch keine Kommentare" in page
    with transaction.atomic():
        comments.post_comment(bert, proposal, "Ein Kommentar unter dem Vorschlag")
    Answer.objects.create(
        proposal=proposal,
        state=proposal.round.answer_states.get(code="feasible"),
        text="Die Verwaltung prüft den Vorschlag.",
        answered_on=timezone.now().date(),
        published=True,
    )
    page = client.get(url).content.decode()
    assert "Ein Kommentar unter dem Vorschlag" in page and "Die Verwaltung prüft den Vorschlag." in page
    assert f"von {proposal.author.username}" in page


@pytest.mark.django_db
def test_an_answer_not_yet_published_never_reaches_others_through_the_shared_body(
    client, proposal, make_user, page_cache
):
    from allmende.accountability.models import Answer
    from allmende.accounts import roles

    Answer.objects.create(
        proposal=proposal,
        state=proposal.round.answer_states.get(code="feasible"),
        text="Entwurf der Verwaltung",
        answered_on=timezone.now().date(),
    )
    staff = make_user("verwaltung", role=roles.ADMINISTRATION)
    for reader in (make_user("anna"), staff, make_user("bert"), None, staff):
        if reader is None:
            client.logout()
        else:
            client.force_login(reader)
        page = client.get(proposal.get_absolute_url()).content.decode()
        assert ("Entwurf der Verwaltung" in page) is (reader is staff)


@pytest.mark.django_db
def test_versions_expire_so_that_addresses_nobody_asks_for_do_not_pile_up(client, proposal, redis_sessions):
    """Every address asked for makes its version, also one of a proposal that does not exist."""
    missing = reverse("proposals:detail", args=[proposal.round.slug, proposal.number + 500])
    assert client.get(missing).status_code == 404
    redis = caches["default"]._cache.get_client()
    for key in (pagecache.SITE, pagecache.proposal_key(proposal.round.slug, proposal.number + 500)):
        ttl = redis.ttl(caches["default"].make_key(key))
        assert 86400 - 60 <= ttl <= 86400  # PAGE_CACHE_SECONDS is an hour here: a day
    assert client.get(proposal.get_absolute_url()).status_code == 200
    version = caches["default"].make_key(pagecache.proposal_key(proposal.round.slug, proposal.number))
    redis.expire(version, 10)  # about to expire
    services.rate(User.objects.create_user("bert"), proposal)  # renewed: kept as long again
    assert redis.ttl(version) >= 86400


@pytest.mark.django_db
def test_an_empty_discussion_is_not_asked_for_again_until_its_first_comment(
    client, proposal, make_user, page_cache
):
    """The kept pieces know the discussion had no comment under the same versions."""
    anna = make_user("anna")
    client.force_login(anna)
    _queries_for_page(client, proposal)
    page, asked = _queries_for_page(client, proposal)
    assert asked["comments_comment"] == 0 and "Noch keine Kommentare" in page
    with transaction.atomic():
        first = comments.post_comment(make_user("bert"), proposal, "Der erste Kommentar")
    for _reading in range(2):  # rendered afresh, then kept: the discussion is asked for both times
        page, asked = _queries_for_page(client, proposal)
        assert asked["comments_comment"] == 1 and "Der erste Kommentar" in page
    with transaction.atomic():
        comments.delete_comment(first.author, first)
    page, asked = _queries_for_page(client, proposal)
    assert asked["comments_comment"] == 1 and "Noch keine Kommentare" not in page  # shown as deleted


@pytest.mark.django_db
def test_an_anonymous_page_rendered_afresh_stores_itself_and_its_pieces_in_one_round_trip(
    client, proposal, page_cache, monkeypatch
):
    """The page and its pieces (pagecache.write_along) go to the cache together when the request ends,
    each for as long as it may be kept; the next readers get both."""
    writes = []
    real_write = pagecache._write
    monkeypatch.setattr(
        pagecache, "_write", lambda entries: writes.append(dict(entries)) or real_write(entries)
    )
    assert _read(client, proposal)[0] is False
    assert len(writes) == 1
    kept = {key: entry for key, entry in writes[0].items() if not key.startswith("content:")}
    assert sorted(key.split(":")[0] for key in kept) == ["vfrag", "vpage"]
    assert all(0 < timeout <= 3600 and not only_new for _value, timeout, only_new in kept.values())
    # The versions the empty cache lacked were made in the same round trip, only where still missing.
    made = {key: entry for key, entry in writes[0].items() if key.startswith("content:")}
    assert set(made) == {pagecache.SITE, pagecache.proposal_key(proposal.round.slug, proposal.number)}
    assert all(only_new for _value, _timeout, only_new in made.values())
    assert _read(client, proposal)[0] is True
    if hasattr(cache, "set_each"):  # in Redis: with their own expiry
        redis = cache._cache.get_client()
        for key in kept:
            assert 0 < redis.ttl(cache.make_key(key)) <= 3600
    client.force_login(User.objects.create_user("bert"))
    writes.clear()
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert writes == [] and proposal.title in page  # the pieces came from the cache
