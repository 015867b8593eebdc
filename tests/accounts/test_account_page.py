from django.urls import reverse


def test_a_user_changes_his_language_and_phone_from_his_account_page(client, buyer):
    client.force_login(buyer)
    response = client.post(
        reverse("account"),
        {"first_name": "Anna", "last_name": "Buyer", "phone": "06 12 34 56 78", "language": "pl"},
    )
    assert response.status_code == 302
    buyer.refresh_from_db()
    assert (buyer.language, buyer.phone) == ("pl", "+33612345678")
    assert '<html lang="pl">' in client.get(reverse("account")).content.decode()


def test_a_bad_phone_number_is_refused_in_words_next_to_its_field(client, buyer):
    client.force_login(buyer)
    response = client.post(
        reverse("account"), {"first_name": "A", "last_name": "B", "phone": "12", "language": "en"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a valid phone number" in html
    assert 'aria-describedby="id_phone_error"' in html and 'id="id_phone_error"' in html
    buyer.refresh_from_db()
    assert buyer.phone == ""


def test_only_the_languages_the_company_offers_can_be_chosen(client, buyer):
    from portal.branding.models import CompanySettings

    CompanySettings.objects.update_or_create(pk=1, defaults={"languages": ["fr", "en"]})
    client.force_login(buyer)
    response = client.post(
        reverse("account"), {"first_name": "A", "last_name": "B", "phone": "", "language": "pl"}
    )
    assert response.status_code == 200
    buyer.refresh_from_db()
    assert buyer.language == "en"  # unchanged: Polish is not offered


def test_the_account_page_asks_anonymous_visitors_to_log_in(client, db):
    response = client.get(reverse("account"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
