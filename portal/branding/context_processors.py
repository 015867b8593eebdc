from django.urls import reverse

from portal.branding.selectors import company_settings_get


def branding(request) -> dict:
    """`company` (the cached company settings) and `brand_css_url` for every template.

    No query once the settings are cached. The stylesheet URL changes whenever the settings are
    saved, so browsers may keep it for a year.
    """
    company = company_settings_get()
    return {"company": company, "brand_css_url": f"{reverse('branding_css')}?v={company.version}"}
