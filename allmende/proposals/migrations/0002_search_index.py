"""Full-text search index for PostgreSQL (German configuration). SQLite searches with LIKE instead."""

from django.db import migrations

# Exactly the SQL Django wrote for the search expression then, so the planner could use the index
# (replaced by a generated column in 0005).
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
