"""The company logo as emails carry it: a small PNG every mail client shows, with its size."""

import functools
import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from portal.branding.models import CompanySettings

# The logo is drawn at most this big in an email; the image holds twice as many pixels for sharp
# screens, and stays a few kilobytes instead of the 2 MB an upload may weigh.
MAX_WIDTH = 200
MAX_HEIGHT = 60


@dataclass(frozen=True)
class EmailLogo:
    content: bytes
    mimetype: str
    width: int
    height: int


def company_email_logo(*, company: CompanySettings) -> EmailLogo | None:
    """The logo as a PNG with the size to draw it at, or None without a (readable) logo."""
    if not company.logo:
        return None
    return _logo(company.logo.name, company.version)


@functools.lru_cache(maxsize=4)
def _logo(name: str, version: int) -> EmailLogo | None:
    # Keyed by the settings' version: a new upload is read again, once per process.
    from django.core.files.storage import default_storage

    try:
        with default_storage.open(name, "rb") as stored, Image.open(stored) as image:
            image.load()
            scale = min(1.0, MAX_WIDTH / image.width, MAX_HEIGHT / image.height)
            width, height = max(1, round(image.width * scale)), max(1, round(image.height * scale))
            picture = image.convert("RGBA")
            picture.thumbnail((width * 2, height * 2))
            buffer = io.BytesIO()
            # WebP and GIF are not shown everywhere: every client shows a PNG.
            picture.save(buffer, format="PNG", optimize=True)
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    return EmailLogo(content=buffer.getvalue(), mimetype="image/png", width=width, height=height)
