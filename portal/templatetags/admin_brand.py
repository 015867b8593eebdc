"""The company colours in the back-office (templates/admin/base_site.html, static/css/admin.css)."""

from django import template

from portal.branding.contrast import HEX_COLOUR_RE, MIN_CONTRAST, contrast_ratio
from portal.branding.models import CompanySettings

register = template.Library()

# The light theme's page background in Django's admin (--body-bg), on which links are read.
ADMIN_PAGE_BACKGROUND = "#ffffff"


@register.filter
def brand_links_readable(company: CompanySettings | None) -> bool:
    """Whether the company's primary colour may colour links and selected items on the admin's white
    pages: like the company settings, at least the WCAG AA contrast for normal text (4.5:1)."""
    colour = getattr(company, "primary_colour", "") or ""
    if not HEX_COLOUR_RE.match(colour):
        return False
    return contrast_ratio(colour, ADMIN_PAGE_BACKGROUND) >= MIN_CONTRAST
