import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Step 3 of 3: the link replaces the code column; the database requires the reason wherever the
    round's list says so."""

    dependencies = [("accountability", "0005_answer_states_data")]

    operations = [
        migrations.RemoveConstraint(model_name="answer", name="accountability_answer_not_feasible_has_reason"),
        migrations.RemoveField(model_name="answer", name="state"),
        migrations.RenameField(model_name="answer", old_name="state_entry", new_name="state"),
        migrations.AlterField(
            model_name="answer",
            name="state",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="answers",
                to="accountability.answerstate",
                verbose_name="assessment",
            ),
        ),
        migrations.AddConstraint(
            model_name="answer",
            constraint=models.CheckConstraint(
                condition=models.Q(reason_required=False) | ~models.Q(text=""),
                name="accountability_answer_reason_given",
            ),
        ),
    ]
