"""The shipped default texts: complete for every kind, language and channel, and well-formed."""

from pathlib import Path

import pytest
from django.conf import settings

from portal.texts.formatting import validate_placeholders
from portal.texts.kinds import KINDS, SMS
from portal.texts.services import DEFAULTS_DIR

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def expected_files() -> set[Path]:
    files = set()
    for language in LANGUAGES:
        for name, kind in KINDS.items():
            folder = DEFAULTS_DIR / language
            if "email" in kind.channels:
                files |= {folder / f"{name}.subject.txt", folder / f"{name}.txt", folder / f"{name}.html"}
            if SMS in kind.channels:
                files.add(folder / f"{name}.sms.txt")
    return files


def test_the_languages_are_french_english_and_polish():
    assert sorted(LANGUAGES) == ["en", "fr", "pl"]


@pytest.mark.parametrize("path", sorted(expected_files()), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_default_file_exists_and_says_something(path):
    assert path.is_file()
    assert path.read_text("utf-8").strip()


def test_there_is_no_default_for_a_kind_that_does_not_exist():
    shipped = {path for path in DEFAULTS_DIR.rglob("*") if path.is_file()}

    assert shipped - expected_files() == set()


@pytest.mark.parametrize("path", sorted(expected_files()), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_defaults_use_only_the_placeholders_of_their_kind(path):
    kind = KINDS[path.name.split(".")[0]]

    validate_placeholders(path.read_text("utf-8"), kind.placeholder_names())


# A notice with nothing to open (a payment confirmation, a refund) has neither.
KINDS_WITH_LINK_OR_CODE = [
    name for name, kind in KINDS.items() if {"link", "code"} & set(kind.placeholder_names())
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", KINDS_WITH_LINK_OR_CODE)
def test_defaults_tell_the_link_or_code_they_exist_for(name, language):
    """A text that leaves out its link or code is useless; every default carries it in each body
    (the HTML body may carry its link as the layout's button)."""
    kind = KINDS[name]
    essential = "{code}" if "code" in kind.placeholder_names() else "{link}"
    folder = DEFAULTS_DIR / language
    bodies = [folder / f"{name}.txt"]
    if SMS in kind.channels:
        bodies.append(folder / f"{name}.sms.txt")

    for body in bodies:
        assert essential in body.read_text("utf-8"), body
    html = (folder / f"{name}.html").read_text("utf-8")
    assert essential in html or (essential == "{link}" and "{button}" in html)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", [name for name, kind in KINDS.items() if kind.button])
def test_defaults_place_the_button_in_their_html_body(name, language):
    html = (DEFAULTS_DIR / language / f"{name}.html").read_text("utf-8")

    assert html.count("{button}") == 1


def test_every_email_kind_has_a_button_to_its_link():
    for name, kind in KINDS.items():
        assert kind.button and "link" in kind.placeholder_names(), name
