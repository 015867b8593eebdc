"""The back-office's words: every field named through gettext, titles written as sentences
("Change the buyer", not "Change buyer"), and the "my payments" list counting payments."""

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.functional import Promise

from tests.payments_admin.helpers import url

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"portal", "programmes", "sales", "payments"}


def test_every_field_and_model_of_the_project_has_a_translatable_name():
    untranslated = []
    for model in apps.get_models():
        if model.__module__.split(".")[0] not in PROJECT_APPS:
            continue
        if not model._meta.proxy:
            for field in model._meta.get_fields():
                named = getattr(field, "concrete", False) and not field.auto_created
                if named and not isinstance(field.verbose_name, Promise):
                    untranslated.append(f"{model._meta.label}.{field.name}")
        for name in ("verbose_name", "verbose_name_plural"):
            if name not in model._meta.original_attrs:
                untranslated.append(f"{model._meta.label} Meta.{name}")

    assert untranslated == []


def test_the_buyer_page_is_titled_with_a_sentence(client, world):
    from sales.models import Buyer

    buyer = Buyer.objects.filter(sale_buyers__sale__programme=world.a).first()
    client.force_login(world.anne)

    response = client.get(reverse("admin:sales_buyer_change", args=[buyer.pk]))

    assert response.context["title"] == "Change the buyer"


def test_the_sale_page_is_titled_with_a_sentence(client, world):
    client.force_login(world.anne)

    response = client.get(reverse("admin:sales_sale_change", args=[world.sale_a.pk]))

    assert response.context["title"] == "Change the sale"


def test_my_payments_counts_payments_not_my_payments(client, world):
    client.force_login(world.bob)

    page = client.get(url("mypayment_changelist")).content.decode()

    paginator = page.split('class="paginator"')[1].split("</p>")[0]
    assert "1 payment" in paginator
    assert "my payment" not in paginator


def test_the_payment_page_names_the_provider_in_words_not_by_its_code(client, world):
    from tests.payments_admin.helpers import paid_by_transfer

    paid_by_transfer(world.payment_a, world.ada)
    client.force_login(world.ada)

    page = client.get(url("payment_change", world.payment_a.pk)).content.decode()

    assert "Recorded by hand (transfer or cheque)" in page


def test_list_titles_and_add_buttons_are_sentences(client, world):
    client.force_login(world.anne)

    page = client.get(reverse("admin:sales_buyer_changelist"))

    assert page.context["title"] == "Buyers"
    assert "Add a buyer" in page.content.decode()
    assert "Add buyer" not in page.content.decode()
