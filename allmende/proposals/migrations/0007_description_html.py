"""The description's HTML kept beside it (allmende.markup.stored_markdown), made for every proposal
there is; later saves keep it current, and `manage.py rerender_texts` after an upgrade of the renderer."""

from django.db import migrations, models


def render_all(apps, schema_editor):
    from allmende.proposals.services import rerender_descriptions

    rerender_descriptions(apps.get_model("proposals", "Proposal"))


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0006_redundant_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="description_html",
            field=models.TextField(blank=True, db_default="", default="", editable=False),
        ),
        migrations.RunPython(render_all, migrations.RunPython.noop),
    ]
