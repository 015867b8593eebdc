"""PDF documents from Django templates, with WeasyPrint.

Templates extend "pdf/base.html", which sets A4 pages, the company header and footer and page
numbers. Images come from the default storage through the `storage:` scheme, never from the
network, so rendering works offline and cannot be made to fetch arbitrary URLs.
"""

import functools
import mimetypes
import re
import threading
from typing import Any

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation

STORAGE_SCHEME = "storage:"

_fonts = threading.local()
# The one plain <style> element of a document (pdf/base.html's), when it has no other.
_STYLE_RE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_STYLESHEETS_KEPT = 64


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
    font_config = _font_config()
    document, stylesheets = _stylesheets_parsed(html, fetcher, font_config)
    return HTML(string=document, base_url=STORAGE_SCHEME, url_fetcher=fetcher).write_pdf(
        stylesheets=stylesheets, font_config=font_config
    )


def _stylesheets_parsed(html: str, fetcher: Any, font_config: Any) -> tuple[str, list[Any]]:
    """The document without its <style> element, and that style parsed, kept between documents.

    Every document of a kind carries the same style (its template's, in its language), which
    WeasyPrint would otherwise parse again for each one: a tenth of a one-page letter's time.
    The style is applied the same way (the only stylesheet besides the browser's defaults); a
    document with several styles or a linked stylesheet is left as it is.
    """
    from weasyprint import CSS

    styles = _STYLE_RE.findall(html)
    if len(styles) != 1 or "<link" in html or "<style " in html:
        return html, []
    cache = getattr(_fonts, "stylesheets", None)
    if cache is None or getattr(_fonts, "stylesheets_fonts", None) is not font_config:
        cache = _fonts.stylesheets = {}
        _fonts.stylesheets_fonts = font_config
    css = cache.get(styles[0])
    if css is None:
        if len(cache) >= _STYLESHEETS_KEPT:
            cache.clear()
        css = cache[styles[0]] = CSS(
            string=styles[0], base_url=STORAGE_SCHEME, url_fetcher=fetcher, font_config=font_config
        )
    return _STYLE_RE.sub("", html, count=1), [css]
