import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["fr", "en", "pl"]


def catalogue(language: str, root: Path = ROOT):
    with open(root / "locale" / language / "LC_MESSAGES" / "django.po", "rb") as po:
        return read_po(po)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_has_a_translation(language):
    missing = []
    for message in catalogue(language):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id)
    assert not missing, f"{language}: {len(missing)} messages lack a translation, e.g. {missing[:5]}"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs gettext: xgettext is not installed")
def test_the_catalogues_hold_every_message_of_the_code(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", "*.mo", "node_modules"),
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "fr",
            "--ignore=.venv",
            "--ignore=var",
            "--no-obsolete",
        ],
        cwd=copy,
        env={"PATH": "/usr/bin:/bin", "PORTAL_QUICKSTART": "1", "PORTAL_VAR_DIR": str(tmp_path / "var")},
        check=True,
        capture_output=True,
    )
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue("fr", copy) if m.id}
    for language in LANGUAGES:
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(language) if m.id}
        assert not wanted - have, f"{language} lacks {sorted(wanted - have)[:10]} (run make messages)"
