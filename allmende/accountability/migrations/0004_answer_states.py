import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    """Answer states become a list per round (step 1 of 3: the table, and a nullable link beside the
    old code column)."""

    dependencies = [
        ("accountability", "0003_answers_motions_retrospective"),
        ("rounds", "0002_round_report_threshold"),
    ]

    operations = [
        migrations.CreateModel(
            name="AnswerState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "code",
                    models.SlugField(
                        help_text="Short key for CSV files, e.g. not_feasible.", max_length=40, verbose_name="code"
                    ),
                ),
                ("label", models.CharField(max_length=100, verbose_name="label")),
                (
                    "requires_reason",
                    models.BooleanField(
                        default=False,
                        help_text="An answer with this assessment must say why in its statement.",
                        verbose_name="a reason is required",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position in the list")),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answer_states",
                        to="rounds.round",
                        verbose_name="round",
                    ),
                ),
            ],
            options={
                "verbose_name": "assessment",
                "verbose_name_plural": "assessments",
                "ordering": ["round", "position", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("round", "code"), name="accountability_answerstate_code_unique"
                    ),
                    models.UniqueConstraint(
                        models.F("round"),
                        django.db.models.functions.text.Lower("label"),
                        name="accountability_answerstate_label_unique",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="answer",
            name="state_entry",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="answers",
                to="accountability.answerstate",
                verbose_name="assessment",
            ),
        ),
        migrations.AddField(
            model_name="answer",
            name="reason_required",
            field=models.BooleanField(default=False, editable=False, verbose_name="a reason is required"),
        ),
    ]
