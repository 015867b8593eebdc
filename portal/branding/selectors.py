from django.conf import settings
from django.core.cache import cache

from portal.branding.models import CompanySettings, company_settings_cache_key

# Saving the row drops the cached copy; the timeout only bounds the damage of a write that
# bypasses save() (a queryset update, a manual SQL fix).
_CACHE_SECONDS = 60 * 60


def company_settings_get() -> CompanySettings:
    """The company settings, from the cache; one query on a cache miss, none otherwise.

    Without a saved row, returns an unsaved instance holding the defaults (nothing is written
    on read). Treat the result as read-only: it is shared through the cache.
    """
    key = company_settings_cache_key()
    company = cache.get(key)
    if company is None:
        company = CompanySettings.objects.filter(pk=CompanySettings.SINGLETON_PK).first() or CompanySettings()
        cache.set(key, company, _CACHE_SECONDS)
    return company


def offered_languages(*, company: CompanySettings | None = None) -> list[tuple[str, str]]:
    """The (code, name) pairs of the languages the company offers, in settings.LANGUAGES order.

    For the language switcher and the users' language choices; names in the active language.
    Pass `company` when it is already at hand, to spare a cache read.
    """
    offered = set((company or company_settings_get()).languages or [])
    languages = [(code, str(name)) for code, name in settings.LANGUAGES if code in offered]
    # Settings that name no language still known to this installation must not leave users with none.
    return languages or [(code, str(name)) for code, name in settings.LANGUAGES]
