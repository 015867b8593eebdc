import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    # The assertions read English messages; the default language of the project is French.
    with translation.override("en"):
        yield
