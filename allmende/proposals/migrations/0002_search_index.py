"""Full-text search index for PostgreSQL (German configuration). SQLite searches with LIKE instead."""

from django.db import migrations

# Exactly the SQL Django writes for models.SEARCH_VECTOR, so the planner can use the index.
INDEX = (
    "CREATE INDEX IF NOT EXISTS proposals_search ON proposals_proposal USING gin ("
    "to_tsvector('german'::regconfig, COALESCE(title, '') || ' ' || COALESCE(summary, '') || ' ' || "
    "COALESCE(description, '')))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS proposals_search")


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
