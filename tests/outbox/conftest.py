import pytest

from tests.outbox.backends import CountingBackend


@pytest.fixture(autouse=True)
def _private_folders(settings, tmp_path):
    # Attachments and the quick start's sms.log go to a folder of the test's own.
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def counting_backend(settings):
    settings.EMAIL_BACKEND = "tests.outbox.backends.CountingBackend"
    CountingBackend.reset()
    yield CountingBackend
    CountingBackend.reset()


@pytest.fixture
def failing_backend(settings):
    settings.EMAIL_BACKEND = "tests.outbox.backends.FailingBackend"
