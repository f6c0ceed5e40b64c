"""Money granted sits in a budget line or on the grants list, and a rejected motion has no place for
money: the rule the staff pages always applied, now in the database (and in the admin through
`Decision.clean`). Decisions entered in the admin before that break the rule; the migration names them
instead of guessing where their money sits."""

from django.db import migrations, models
from django.db.models import Q

MONEY_WITHOUT_PLACE = ~Q(outcome="rejected") & ~Q(amount_granted_cents=0) & Q(budget_line__isnull=True) & Q(
    grant_recipient=""
)
REJECTED_WITH_PLACE = Q(outcome="rejected") & (Q(budget_line__isnull=False) | ~Q(grant_recipient=""))


def refuse_decisions_breaking_the_rule(apps, schema_editor):
    Decision = apps.get_model("accountability", "Decision")
    broken = list(
        Decision.objects.filter(MONEY_WITHOUT_PLACE | REJECTED_WITH_PLACE).values_list("pk", "motion_id")
    )
    if broken:
        listed = ", ".join(f"decision {pk} (motion {motion})" for pk, motion in broken)
        raise RuntimeError(
            "These decisions grant money without saying where it sits, or reject a motion but name a "
            f"budget line or grants-list recipient: {listed}. Correct them in the admin, then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accountability", "0006_answer_state_link"),
    ]

    operations = [
        migrations.RunPython(refuse_decisions_breaking_the_rule, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="decision",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("outcome", "rejected"),
                    ("amount_granted_cents", 0),
                    ("budget_line__isnull", False),
                    models.Q(("grant_recipient", ""), _negated=True),
                    _connector="OR",
                ),
                name="accountability_decision_money_has_a_place",
            ),
        ),
        migrations.AddConstraint(
            model_name="decision",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("outcome", "rejected"), _negated=True),
                    models.Q(("budget_line__isnull", True), ("grant_recipient", "")),
                    _connector="OR",
                ),
                name="accountability_decision_rejected_has_no_place",
            ),
        ),
    ]
