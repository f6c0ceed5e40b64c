"""Supports and ratings: one per person and proposal, counted once, in every rating mode."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from allmende.proposals import services
from allmende.proposals.models import Proposal, Support
from allmende.rounds.models import Round
from tests.factories import make_proposal, make_round

Mode = Round.RatingMode


def counters(proposal):
    proposal.refresh_from_db()
    return (
        proposal.support_count,
        proposal.pro_count,
        proposal.contra_count,
        proposal.score_sum,
        proposal.rank_value,
    )


@pytest.mark.django_db
def test_support_counts_once_and_withdraw_removes_it(proposal, make_user):
    anna = make_user("anna")
    services.rate(anna, proposal)
    services.rate(anna, proposal)  # a double click
    assert counters(proposal)[0] == 1
    assert Support.objects.filter(proposal=proposal).count() == 1
    assert services.unrate(anna, proposal) is True
    assert services.unrate(anna, proposal) is False
    assert counters(proposal) == (0, 0, 0, 0, 0)
    assert not Support.objects.exists()


@pytest.mark.django_db
def test_the_database_refuses_a_second_row(proposal, make_user):
    anna = make_user("anna")
    Support.objects.create(user=anna, proposal=proposal)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(user=anna, proposal=proposal)


@pytest.mark.django_db
def test_pro_contra_ranks_by_balance_then_by_more_in_favour(make_user):
    round_ = make_round(mode=Mode.PRO_CONTRA)
    a, b = make_proposal(round_), make_proposal(round_)
    people = [make_user(f"p{i}") for i in range(5)]
    # a: 3 for, 2 against (balance 1); b: 1 for (balance 1): a ranks first on more in favour.
    for person in people[:3]:
        services.rate(person, a, 1)
    for person in people[3:]:
        services.rate(person, a, -1)
    services.rate(people[0], b, 1)
    assert counters(a) == (5, 3, 2, 1, 1)
    assert counters(b) == (1, 1, 0, 1, 1)
    from allmende.proposals.queries import Filters, proposal_page

    assert [p.pk for p in proposal_page(round_, Filters()).proposals] == [a.pk, b.pk]
    services.rate(people[3], a, 1)  # changes from against to for
    assert counters(a) == (5, 4, 1, 3, 3)


@pytest.mark.django_db
def test_scale_ranks_by_average(make_user):
    round_ = make_round(mode=Mode.SCALE)
    proposal = make_proposal(round_)
    for index, value in enumerate([2, 1, -2]):
        services.rate(make_user(f"p{index}"), proposal, value)
    count, _pro, _contra, total, rank = counters(proposal)
    assert (count, total) == (3, 1)
    assert rank == 3333  # average 0.3333 × 10 000, truncated
    with pytest.raises(services.ActionRefused):
        services.rate(make_user("x"), proposal, 3)


@pytest.mark.django_db
def test_points_are_limited_per_proposal_and_per_person(make_user):
    round_ = make_round(mode=Mode.POINTS, points_per_person=5, max_points_per_proposal=3)
    a, b, c = (make_proposal(round_) for _ in range(3))
    anna = make_user("anna")
    services.rate(anna, a, 3)
    services.rate(anna, b, 2)
    with pytest.raises(services.ActionRefused, match="0"):
        services.rate(anna, c, 1)
    with pytest.raises(services.ActionRefused):
        services.rate(anna, a, 4)
    services.rate(anna, a, 1)  # lowering frees points
    services.rate(anna, c, 2)
    assert counters(a)[3] == 1 and counters(c)[3] == 2


@pytest.mark.django_db
def test_refused_outside_the_phase(make_user):
    round_ = make_round(phase="answers")
    proposal = make_proposal(round_)
    with pytest.raises(services.ActionRefused, match="rating phase|Bewertungsphase|Unterstützen"):
        services.rate(make_user("anna"), proposal)
    assert counters(proposal)[0] == 0


@pytest.mark.django_db(transaction=True)
def test_parallel_clicks_from_two_servers_count_once(make_user):
    """The same person's requests on several app servers at once: one row, one count."""
    round_ = make_round()
    proposal = make_proposal(round_)
    anna = make_user("anna")
    barrier = threading.Barrier(6)
    errors = []

    def click():
        try:
            barrier.wait()
            services.rate(anna, proposal)
        except Exception as exc:  # noqa: BLE001 -- collected and asserted below
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection: give it back

    threads = [threading.Thread(target=click) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Support.objects.filter(proposal=proposal).count() == 1
    assert Proposal.objects.get(pk=proposal.pk).support_count == 1


@pytest.mark.django_db
def test_recount_finds_and_fixes_drift(proposal, make_user):
    services.rate(make_user("anna"), proposal)
    assert services.recount() == []
    Proposal.objects.filter(pk=proposal.pk).update(support_count=7, rank_value=7)
    drift = services.recount()
    assert drift[0]["stored"]["support_count"] == 7 and drift[0]["counted"]["support_count"] == 1
    services.recount(fix=True)
    assert services.recount() == []


@pytest.mark.django_db
def test_recount_command_fails_on_drift(proposal, make_user, capsys):
    from django.core.management import call_command

    Proposal.objects.filter(pk=proposal.pk).update(support_count=3)
    with pytest.raises(SystemExit):
        call_command("recount")
    assert "drifting" in capsys.readouterr().out
    call_command("recount", "--fix")
    call_command("recount")


@pytest.mark.django_db
def test_deleting_an_account_takes_back_open_supports_only(make_user):
    from allmende.accounts.services import delete_account

    open_round = make_round("offen")
    closed_round = make_round("zu", phase="closed")
    open_proposal, closed_proposal = make_proposal(open_round), make_proposal(closed_round)
    anna = make_user("anna")
    services.rate(anna, open_proposal)
    Support.objects.create(user=anna, proposal=closed_proposal)
    services.recount(fix=True)
    delete_account(anna)
    assert counters(open_proposal)[0] == 0
    assert counters(closed_proposal)[0] == 1  # the published result of a closed round stays
    assert Support.objects.get(proposal=closed_proposal).user is None
    assert services.recount() == []


@pytest.mark.django_db
def test_recount_checks_comment_counts_too(proposal, make_user):
    from allmende.comments import services as comments

    comments.post_comment(make_user("anna"), proposal, "Eins")
    assert services.recount() == []
    Proposal.objects.filter(pk=proposal.pk).update(comment_count=5)
    drift = services.recount(fix=True)
    assert drift[0]["stored"]["comment_count"] == 5 and drift[0]["counted"]["comment_count"] == 1
    assert services.recount() == []


@pytest.mark.django_db
@pytest.mark.parametrize("mode", list(Mode))
def test_counters_set_in_one_statement_match_a_recount(make_user, mode):
    """Ratings given, changed and taken back in every mode: the counters the UPDATE … RETURNING puts on
    the proposal equal the stored row, and a recount from the rows finds no drift (negative averages
    truncated toward zero, as the recount computes them)."""
    import random

    rng = random.Random(7)
    round_ = make_round(mode=mode, points_per_person=30, max_points_per_proposal=3)
    proposal = make_proposal(round_)
    people = [make_user(f"p{i}") for i in range(6)]
    values = services.allowed_values(round_)
    for _step in range(40):
        person = rng.choice(people)
        if rng.random() < 0.3:
            services.unrate(person, proposal)
        else:
            services.rate(person, proposal, rng.choice(values))
        services.refresh_counters(proposal)
        in_memory = [getattr(proposal, name) for name in services._COUNTERS]
        proposal.refresh_from_db()
        assert in_memory == [getattr(proposal, name) for name in services._COUNTERS]
        proposal._counters_current = False
    assert services.recount() == []


@pytest.mark.postgres
@pytest.mark.django_db
def test_lookups_by_proposal_person_and_round_use_an_index(proposal, make_user):
    """The single-column indexes on these are gone (each cost every support a write); the indexes that
    begin with them serve these lookups."""
    services.rate(make_user("bert"), proposal)
    lookups = [
        Support.objects.filter(proposal=proposal),
        Support.objects.filter(user=proposal.author),
        Proposal.objects.filter(round=proposal.round),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for queryset in lookups:
            sql, params = queryset.values("pk").query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan" not in plan, plan
