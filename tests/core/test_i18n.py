"""The German catalogue is complete: every source string has a German translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]


def test_every_source_string_is_translated_to_german(tmp_path):
    if shutil.which("xgettext") is None:
        pytest.fail(
            "GNU gettext (xgettext) is needed: `make browser` installs it, or apt-get install gettext"
        )
    # Extract into a copy, so the check sees the code as it is without touching the real catalogue.
    work = tmp_path / "tree"
    shutil.copytree(
        ROOT / "allmende", work / "allmende", ignore=shutil.ignore_patterns("__pycache__", "outcomes")
    )
    shutil.copytree(ROOT / "locale", work / "locale")
    shutil.copy(ROOT / "manage.py", work / "manage.py")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "de", "--no-obsolete"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    catalogue = polib.pofile(str(work / "locale" / "de" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not missing, f"untranslated in locale/de: {missing} (run `make makemessages` and translate)"
    assert not fuzzy, f"fuzzy in locale/de: {fuzzy}"


def test_compiled_catalogue_is_current():
    # `make` compiles the .mo from the .po; a stale .mo would show English to German readers.
    po = polib.pofile(str(ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"))
    with translation.override("de"):
        for entry in po.translated_entries():
            if not entry.msgid_plural and "%" not in entry.msgid and not entry.msgctxt:
                assert translation.gettext(entry.msgid) == entry.msgstr, entry.msgid
