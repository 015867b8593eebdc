"""The stylesheet of the company colours, the logo and the login background.

They are public by nature (the login page shows them) and read only the cached settings, so
serving them costs no query once the cache is warm.
"""

import mimetypes

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from portal.branding.contrast import HEX_COLOUR_RE
from portal.branding.models import CompanySettings
from portal.branding.selectors import company_settings_get

_ONE_YEAR = 365 * 24 * 60 * 60
_SHORT = 5 * 60


def _set_cache_headers(request: HttpRequest, response: HttpResponse, company: CompanySettings) -> None:
    # Pages ask for ?v=<version of the settings>: that answer never changes, browsers may keep
    # it a year. An old or missing version gets today's content, kept only a few minutes.
    current = request.GET.get("v") == str(company.version)
    patch_cache_control(response, public=True, max_age=_ONE_YEAR if current else _SHORT, immutable=current)


def _colour(value: str, fallback: str) -> str:
    # Saving validates the colours; this guards the CSS against a row edited around validation.
    return value if HEX_COLOUR_RE.match(value or "") else fallback


@require_GET
def stylesheet(request: HttpRequest) -> HttpResponse:
    """The company colours as CSS custom properties; a stylesheet because the CSP forbids inline style."""
    company = company_settings_get()
    background = f'url("{company.login_background_url}")' if company.login_background else "none"
    css = (
        ":root {\n"
        f"  --brand-primary: {_colour(company.primary_colour, '#1f4e79')};\n"
        f"  --brand-on-primary: {_colour(company.on_primary_colour, '#ffffff')};\n"
        f"  --page-bg: {_colour(company.page_background_colour, '#ffffff')};\n"
        f"  --page-text: {_colour(company.page_text_colour, '#1a1a1a')};\n"
        f"  --login-bg-image: {background};\n"
        "}\n"
    )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    _set_cache_headers(request, response, company)
    return response


def _image(request: HttpRequest, field_name: str) -> FileResponse:
    company = company_settings_get()
    file = getattr(company, field_name)
    content_type = mimetypes.guess_type(file.name or "")[0] or ""
    # Uploads are validated as images; never serve anything else from this public URL.
    if not file or not content_type.startswith("image/"):
        raise Http404
    try:
        handle = file.storage.open(file.name, "rb")
    except OSError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=content_type)
    _set_cache_headers(request, response, company)
    return response


@require_GET
def logo(request: HttpRequest) -> FileResponse:
    return _image(request, "logo")


@require_GET
def background(request: HttpRequest) -> FileResponse:
    return _image(request, "login_background")
