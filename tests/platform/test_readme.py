"""The README stands on its own: what it points to is inside the repository, the make targets it
names exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_the_readme_points_only_inside_the_repository():
    assert "../" not in README
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        if not target.startswith(("http://", "https://")):
            assert (ROOT / target).exists(), target
    assert (ROOT / "docs" / "architecture.md").exists()


def test_every_make_target_the_readme_names_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, flags=re.MULTILINE))
    named = set(re.findall(r"`(?:PORT=\d+ )?make ([a-z][\w-]*)", README))

    assert {"run", "test", "setup", "upgrade"} <= named
    assert named <= targets
