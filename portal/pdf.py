"""PDF documents from Django templates, with WeasyPrint.

Templates extend "pdf/base.html", which sets A4 pages, the company header and footer and page
numbers. Images come from the default storage through the `storage:` scheme, never from the
network, so rendering works offline and cannot be made to fetch arbitrary URLs.
"""

import functools
import mimetypes
import threading

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation

STORAGE_SCHEME = "storage:"

_fonts = threading.local()


def _font_config():
    """One font configuration per thread, kept between documents.

    WeasyPrint otherwise loads Fontconfig and a fresh Pango font map for every document, and
    lays the text out with cold font caches: reusing them makes a one-page document about a
    third faster. Pango font maps are not shared between threads, hence one per thread.
    """
    from weasyprint.text.fonts import FontConfiguration

    if getattr(_fonts, "config", None) is None:
        _fonts.config = FontConfiguration()
    return _fonts.config


@functools.cache
def _storage_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StorageFetcher(URLFetcher):
        """Fetches `storage:` files only; WeasyPrint warns about any other URL and leaves it out."""

        def fetch(self, url, headers=None):
            if not url.startswith(STORAGE_SCHEME):
                raise ValueError(f"PDF rendering fetches only stored files, not {url!r}.")
            path = url[len(STORAGE_SCHEME) :]
            with default_storage.open(path, "rb") as stored:
                data = stored.read()
            mime_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=data, headers={"Content-Type": mime_type})

    return StorageFetcher


def pdf_render(*, template_name: str, context: dict, language: str | None = None) -> bytes:
    """Render a template to PDF bytes, in `language` when given (the recipient's)."""
    from weasyprint import HTML

    from portal.branding.selectors import company_settings_get

    with translation.override(language or translation.get_language()):
        html = render_to_string(template_name, {"company": company_settings_get(), **context})
    fetcher = _storage_fetcher_class()()
    return HTML(string=html, base_url=STORAGE_SCHEME, url_fetcher=fetcher).write_pdf(
        font_config=_font_config()
    )
