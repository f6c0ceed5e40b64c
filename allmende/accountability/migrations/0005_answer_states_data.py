from django.db import migrations

# The list every round had so far, with the labels the German site showed (step 2 of 3).
STATES = [
    ("in_review", "wird geprüft", False),
    ("feasible", "umsetzbar", False),
    ("not_feasible", "nicht umsetzbar", True),
    ("already_planned", "bereits geplant", False),
    ("not_responsible", "nicht zuständig", False),
]


def forwards(apps, schema_editor):
    Round = apps.get_model("rounds", "Round")
    AnswerState = apps.get_model("accountability", "AnswerState")
    Answer = apps.get_model("accountability", "Answer")
    for round_ in Round.objects.all():
        states = {}
        for position, (code, label, requires_reason) in enumerate(STATES, start=1):
            states[code], _created = AnswerState.objects.get_or_create(
                round=round_,
                code=code,
                defaults={"label": label, "requires_reason": requires_reason, "position": position},
            )
        for answer in Answer.objects.filter(proposal__round=round_):
            state = states.get(answer.state)
            if state is None:  # a code no longer known: keep it as its own entry
                state, _created = AnswerState.objects.get_or_create(
                    round=round_, code=answer.state, defaults={"label": answer.state, "position": 99}
                )
            answer.state_entry = state
            answer.reason_required = state.requires_reason
            answer.save(update_fields=["state_entry", "reason_required"])


def backwards(apps, schema_editor):
    Answer = apps.get_model("accountability", "Answer")
    for answer in Answer.objects.select_related("state_entry"):
        answer.state = answer.state_entry.code[:20]
        answer.save(update_fields=["state"])


class Migration(migrations.Migration):
    dependencies = [("accountability", "0004_answer_states")]

    operations = [migrations.RunPython(forwards, backwards)]
