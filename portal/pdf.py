"""PDF documents from Django templates, with WeasyPrint.

Templates extend "pdf/base.html", which sets A4 pages, the company header and footer and page
numbers. Images come from the default storage through the `storage:` scheme, never from the
network, so rendering works offline and cannot be made to fetch arbitrary URLs.
"""

import mimetypes

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation

STORAGE_SCHEME = "storage:"


def _fetch(url: str) -> dict:
    if not url.startswith(STORAGE_SCHEME):
        raise ValueError(f"PDF rendering fetches only stored files, not {url!r}.")
    path = url[len(STORAGE_SCHEME) :]
    with default_storage.open(path, "rb") as stored:
        data = stored.read()
    return {"string": data, "mime_type": mimetypes.guess_type(path)[0] or "application/octet-stream"}


def pdf_render(*, template_name: str, context: dict, language: str | None = None) -> bytes:
    """Render a template to PDF bytes, in `language` when given (the recipient's)."""
    from weasyprint import HTML

    from portal.branding.selectors import company_settings_get

    with translation.override(language or translation.get_language()):
        html = render_to_string(template_name, {"company": company_settings_get(), **context})
    return HTML(string=html, base_url=STORAGE_SCHEME, url_fetcher=_fetch).write_pdf()
