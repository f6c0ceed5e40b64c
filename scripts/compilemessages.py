"""Compile every locale*/*/LC_MESSAGES/*.po into its .mo (polib: no GNU gettext needed)."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent

for po_path in sorted(
    [*ROOT.glob("locale/*/LC_MESSAGES/*.po"), *ROOT.glob("locale_overrides/*/LC_MESSAGES/*.po")]
):
    polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"compiled {po_path.relative_to(ROOT)}")
