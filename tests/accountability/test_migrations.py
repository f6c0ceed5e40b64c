"""Answer states became a list per round (migrations 0004–0006): existing answers keep their state and
the rule that "not feasible" needs a reason."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accountability", "0003_answers_motions_retrospective")]
AFTER = [("accountability", "0006_answer_state_link")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_answers_keep_their_state():
    old = _migrate(BEFORE)
    try:
        Round = old.get_model("rounds", "Round")
        Topic = old.get_model("rounds", "Topic")
        Proposal = old.get_model("proposals", "Proposal")
        Answer = old.get_model("accountability", "Answer")
        round_ = Round.objects.create(title="Alt", slug="alt", reference_prefix="BH2017")
        topic = Topic.objects.create(name="Soziales", slug="soziales")
        for number, state, text in [(1, "not_feasible", "Zu teuer."), (2, "feasible", "")]:
            proposal = Proposal.objects.create(
                round=round_, number=number, title=f"V{number}", summary="s", description="d", topic=topic
            )
            Answer.objects.create(proposal=proposal, state=state, text=text, answered_on="2017-02-20")
        new = _migrate(AFTER)
        Answer = new.get_model("accountability", "Answer")
        AnswerState = new.get_model("accountability", "AnswerState")
        assert list(
            AnswerState.objects.filter(round_id=round_.pk).order_by("position").values_list("code", "label")
        ) == [
            ("in_review", "wird geprüft"),
            ("feasible", "umsetzbar"),
            ("not_feasible", "nicht umsetzbar"),
            ("already_planned", "bereits geplant"),
            ("not_responsible", "nicht zuständig"),
        ]
        answers = {a.proposal.number: a for a in Answer.objects.select_related("state", "proposal")}
        assert (answers[1].state.code, answers[1].reason_required) == ("not_feasible", True)
        assert (answers[2].state.code, answers[2].reason_required) == ("feasible", False)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_money_rule_names_decisions_that_break_it_instead_of_guessing():
    """Migration 0007 adds the check constraints for where granted money sits; a decision entered in
    the admin before, granting money without a place, stops it with its number until it is corrected."""
    old = _migrate(AFTER)
    try:
        Round = old.get_model("rounds", "Round")
        Faction = old.get_model("accountability", "Faction")
        Motion = old.get_model("accountability", "Motion")
        Decision = old.get_model("accountability", "Decision")
        round_ = Round.objects.create(title="Alt", slug="alt", reference_prefix="BH2017")
        faction = Faction.objects.create(name="Grüne Liste")
        motion = Motion.objects.create(
            round=round_, faction=faction, number="1", title="t", date="2017-03-14"
        )
        decision = Decision.objects.create(
            motion=motion, outcome="adopted", date="2017-03-29", amount_granted_cents=500
        )
        with pytest.raises(RuntimeError, match=f"decision {decision.pk} "):
            _migrate([("accountability", "0007_decision_money_has_a_place")])
        Decision.objects.filter(pk=decision.pk).update(grant_recipient="Verein Brücke e.V.")
        _migrate([("accountability", "0007_decision_money_has_a_place")])
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
