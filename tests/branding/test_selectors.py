import pytest
import time_machine
from django.test import RequestFactory

from portal.branding.context_processors import branding
from portal.branding.models import CompanySettings
from portal.branding.selectors import company_settings_get, offered_languages

pytestmark = pytest.mark.django_db


def test_without_a_row_it_gives_the_defaults_and_writes_nothing():
    company = company_settings_get()

    assert company.pk is None
    assert company.rows_per_page == 25
    assert company.signup_enabled is False
    assert company.password_reset_link_enabled is True
    assert not CompanySettings.objects.exists()


def test_once_cached_it_costs_no_query(django_assert_num_queries):
    CompanySettings(name="Horizon Promotion").save()
    with django_assert_num_queries(1):
        company_settings_get()

    with django_assert_num_queries(0):
        assert company_settings_get().name == "Horizon Promotion"


def test_the_defaults_are_cached_too(django_assert_num_queries):
    company_settings_get()

    with django_assert_num_queries(0):
        company_settings_get()


def test_saving_the_settings_drops_the_cached_copy():
    company = CompanySettings(name="Old name")
    company.save()
    assert company_settings_get().name == "Old name"

    company.name = "New name"
    company.save()

    assert company_settings_get().name == "New name"


def test_creating_the_row_replaces_the_cached_defaults():
    assert company_settings_get().signup_enabled is False

    CompanySettings(signup_enabled=True).save()

    assert company_settings_get().signup_enabled is True


def test_offered_languages_follow_the_settings_order():
    CompanySettings(languages=["pl", "fr"]).save()

    assert offered_languages() == [("fr", "French"), ("pl", "Polish")]


def test_the_context_processor_costs_no_query_once_cached(django_assert_num_queries):
    CompanySettings(name="Horizon Promotion").save()
    company_settings_get()
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        context = branding(request)

    assert context["company"].name == "Horizon Promotion"
    assert context["brand_css_url"] == f"/branding.css?v={context['company'].version}"
    assert [code for code, _name in context["offered_languages"]] == ["fr", "en", "pl"]


def test_the_stylesheet_url_changes_when_the_settings_are_saved():
    company = CompanySettings()
    with time_machine.travel("2025-05-01 10:00:00Z"):
        company.save()
    before = branding(RequestFactory().get("/"))["brand_css_url"]

    with time_machine.travel("2025-05-01 10:00:01Z"):
        company.save()

    assert branding(RequestFactory().get("/"))["brand_css_url"] != before
