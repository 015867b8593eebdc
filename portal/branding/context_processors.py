from django.urls import reverse

from portal.branding.selectors import company_settings_get, offered_languages


def branding(request) -> dict:
    """`company` (the cached company settings), `brand_css_url` and `offered_languages` for every template.

    No query once the settings are cached. The stylesheet URL changes whenever the settings are
    saved, so browsers may keep it for a year.
    """
    company = company_settings_get()
    return {
        "company": company,
        "brand_css_url": f"{reverse('branding_css')}?v={company.version}",
        "offered_languages": offered_languages(company=company),  # [(code, name)] for the language switcher
    }
