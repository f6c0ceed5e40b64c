"""The backup is known to restore: scripts/prod-backup-restore-check.sh on the PostgreSQL server the
suite runs against (only in the PostgreSQL pass of `make test`, i.e. in CI)."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")


@pytest.mark.postgres
def test_backup_restores_identically():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.setdefault("PG_ADMIN_URL", DATABASE_URL.rsplit("/", 1)[0] + "/postgres")
    result = subprocess.run(
        ["sh", "scripts/prod-backup-restore-check.sh"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "backup-restore-check: OK:" in result.stdout
