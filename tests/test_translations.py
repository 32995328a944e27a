"""Dutch first, English complete: every user-visible text has its Dutch translation.

Source texts are English, so English is complete by construction; Dutch must be filled in."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
DUTCH_PO = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def test_every_dutch_entry_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(DUTCH_PO))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [], f"untranslated in locale/nl: {untranslated}"
    assert fuzzy == [], f"fuzzy in locale/nl: {fuzzy}"


def test_the_compiled_dutch_catalogue_matches_the_source():
    source = {
        entry.msgid: entry.msgstr for entry in polib.pofile(str(DUTCH_PO)) if not entry.msgid_plural
    }
    compiled = {
        entry.msgid: entry.msgstr for entry in polib.mofile(str(DUTCH_PO.with_suffix(".mo")))
    }
    stale = sorted(msgid for msgid, text in source.items() if compiled.get(msgid) != text)
    assert stale == [], f"run `make messages`: django.mo is older than django.po for {stale[:5]}"


def test_every_translatable_text_in_the_code_is_in_the_catalogue(tmp_path):
    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must check the catalogue: install gettext")
        pytest.skip("SKIPPED LOUDLY: gettext's xgettext is not installed")
    saved = DUTCH_PO.read_bytes()
    try:
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "nl",
                "--no-obsolete",
                "--ignore=.venv",
                "--ignore=node_modules",
                "--ignore=tests",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        regenerated = {entry.msgid for entry in polib.pofile(str(DUTCH_PO))}
    finally:
        DUTCH_PO.write_bytes(saved)
    committed = {entry.msgid for entry in polib.pofile(str(DUTCH_PO))}
    missing = sorted(regenerated - committed)
    assert missing == [], f"run `make messages` and translate: {missing[:10]}"
