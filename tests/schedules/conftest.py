import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _backoffice(settings, tmp_path):
    # The schedules' pages are back-office pages: tested without the second factor that guards
    # them, in English, their files in a folder of the test's own.
    settings.STAFF_MFA_REQUIRED = False
    settings.MEDIA_ROOT = tmp_path / "private"
    with translation.override("en"):
        yield
