"""Shared helpers for the outcomes tests (plain pytest; no database, nothing from Django)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = HERE / "data"

if str(HERE) not in sys.path:  # for ``import pabutools_ref``
    sys.path.insert(0, str(HERE))


def pabulib_dir() -> Path:
    """``$ALLMENDE_PABULIB_DIR`` or ``<repo>/../shared/pabulib``."""
    env = os.environ.get("ALLMENDE_PABULIB_DIR")
    return Path(env) if env else REPO.parent / "shared" / "pabulib"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require_pabulib() -> Path:
    """The shared pabulib folder; fails in CI when it is missing, skips elsewhere."""
    d = pabulib_dir()
    if d.is_dir():
        return d
    msg = (
        f"pabulib data folder {d} not found (set ALLMENDE_PABULIB_DIR or put the data beside the "
        "repository in ../shared/pabulib)"
    )
    if in_ci():
        pytest.fail(msg + "; in CI these tests must run, not be skipped")
    pytest.skip(msg)


def data_files() -> list[Path]:
    return sorted(DATA.glob("*.pb"))


def small_files() -> list[str]:
    """Names of the files in <pabulib>/small (empty list when the folder is missing)."""
    d = pabulib_dir() / "small"
    return sorted(p.name for p in d.glob("*.pb")) if d.is_dir() else []
