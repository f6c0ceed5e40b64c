import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from allmende.accountability import services
from allmende.accountability.models import SelectedProposal, Selection
from allmende.accounts import roles
from allmende.rounds.models import District, Phase
from allmende.rounds.permissions import ActionRefused
from tests.factories import make_proposal, make_round


@pytest.fixture
def ended_round(db):
    round_ = make_round("bh-done", phase=Phase.Kind.ANSWERS)
    north = District.objects.create(name="Nord", slug="nord")
    south = District.objects.create(name="Süd", slug="sued")
    # rank_value == supports in the support mode
    for number, (supports, district) in enumerate(
        [(50, north), (40, north), (30, None), (20, south), (10, south), (5, north)], start=1
    ):
        make_proposal(round_, number=number, support_count=supports, rank_value=supports, district=district)
    return round_


def selected(round_):
    return list(
        SelectedProposal.objects.filter(selection__round=round_).values_list(
            "proposal__number", "rank", "via_district"
        )
    )


def test_all(manager, ended_round):
    services.select_proposals(manager, ended_round)
    assert [n for n, _r, _d in selected(ended_round)] == [1, 2, 3, 4, 5, 6]


def test_top_n(manager, ended_round):
    services.configure_selection(manager, ended_round, rule="top_n", top_n=2)
    services.select_proposals(manager, ended_round)
    assert selected(ended_round) == [(1, 1, False), (2, 2, False)]


def test_top_n_plus_best_k_per_district(manager, ended_round):
    services.configure_selection(manager, ended_round, rule="top_n_district", top_n=2, per_district=1)
    services.select_proposals(manager, ended_round)
    assert selected(ended_round) == [(1, 1, False), (2, 2, False), (4, 4, True)]


def test_threshold(manager, ended_round):
    services.configure_selection(manager, ended_round, rule="threshold", threshold=20)
    services.select_proposals(manager, ended_round)
    assert [n for n, _r, _d in selected(ended_round)] == [1, 2, 3, 4]


def test_frozen_once_and_only_after_rating(manager, ended_round, rating_round):
    with pytest.raises(ActionRefused):
        services.select_proposals(manager, rating_round)
    selection = services.select_proposals(manager, ended_round)
    assert selection.frozen_at is not None
    with pytest.raises(ActionRefused):
        services.select_proposals(manager, ended_round)
    with pytest.raises(ActionRefused):
        services.configure_selection(manager, ended_round, rule="top_n", top_n=1)


def test_only_process_managers(make_user, ended_round):
    with pytest.raises(ActionRefused):
        services.select_proposals(make_user("v", role=roles.ADMINISTRATION), ended_round)


def test_command_and_public_list(client, ended_round):
    call_command("select_proposals", "--round", ended_round.slug)
    assert Selection.objects.get(round=ended_round).frozen_at <= timezone.now()
    response = client.get(f"/runden/{ended_round.slug}/auswahl/")
    assert response.status_code == 200
    assert len(response.context["entries"]) == 6


def test_selection_step_in_timeline(manager, ended_round):
    from allmende.accountability.queries import timeline

    services.select_proposals(manager, ended_round, now=timezone.now() + datetime.timedelta(days=1))
    proposal = ended_round.proposals.get(number=1)
    assert "selected" in [s.kind for s in timeline(proposal)]


def test_the_scheduled_run_freezes_due_selections_and_names_rounds_without_a_rule(ended_round, rating_round):
    """`select_proposals --due` (hourly timer): rounds past rating with a chosen rule are frozen once;
    an ended round whose rule nobody chose is reported, not frozen under a guessed rule."""
    import io

    Selection.objects.create(round=ended_round, rule="top_n", top_n=2)
    Selection.objects.create(round=rating_round, rule="all")  # still rating: not due
    unset = make_round("ohne-regel", phase=Phase.Kind.COUNCIL)
    out, err = io.StringIO(), io.StringIO()
    call_command("select_proposals", "--due", stdout=out, stderr=err)
    assert selected(ended_round) == [(1, 1, False), (2, 2, False)]
    assert "bh-done: 2 proposals selected" in out.getvalue()
    assert f"{unset.slug}: the rating phase has ended, but no selection rule" in err.getvalue()
    assert Selection.objects.get(round=rating_round).frozen_at is None
    assert not Selection.objects.filter(round=unset).exists()
    out = io.StringIO()
    call_command("select_proposals", "--due", stdout=out, stderr=io.StringIO())
    assert "bh-done" not in out.getvalue()  # frozen once
