import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from portal.branding.models import CompanySettings

LEGAL = "SAS Horizon Habitat, capital 500 000 €\nRCS Lyon 812 345 678 – 12 quai Perrache, 69002 Lyon"


def png(width: int, height: int, colour: str = "#1f6f5c") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.SITE_URL = "https://portal.horizon.test"
    settings.DEFAULT_FROM_EMAIL = "Buyer portal <no-reply@horizon.test>"


@pytest.fixture
def company(db):
    """Horizon Habitat, with a wide logo (800×200), its colours and its legal details."""
    company = CompanySettings(
        name="Horizon Habitat",
        email_sender_name="Horizon Habitat – Service clients",
        legal_details=LEGAL,
        primary_colour="#1f6f5c",
        on_primary_colour="#ffffff",
    )
    company.logo.save("logo.png", ContentFile(png(800, 200)), save=False)
    company.save()
    return company
