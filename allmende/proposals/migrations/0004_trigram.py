"""pg_trgm for the similar-proposals hint (PostgreSQL only; a no-op elsewhere)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("proposals", "0003_proposal_hidden_reason_proposal_original_title")]
    operations = [TrigramExtension()]
