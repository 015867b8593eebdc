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


def test_the_footer_language_switcher_changes_a_logged_in_user_s_language_and_audits_it(client, buyer):
    from portal.audit.models import AuditEntry

    client.force_login(buyer)
    response = client.post(reverse("set_language"), {"language": "pl", "next": "/account/"})
    assert response.status_code == 302 and response.url == "/account/"
    buyer.refresh_from_db()
    assert buyer.language == "pl"
    assert '<html lang="pl">' in client.get(reverse("account")).content.decode()
    entry = AuditEntry.objects.get(action="account.changed")
    assert entry.actor_id == buyer.pk


def test_the_switcher_leaves_a_language_the_company_does_not_offer(client, buyer):
    from portal.branding.models import CompanySettings

    CompanySettings.objects.update_or_create(pk=1, defaults={"languages": ["fr", "en"]})
    client.force_login(buyer)
    client.post(reverse("set_language"), {"language": "pl", "next": "/account/"})
    buyer.refresh_from_db()
    assert buyer.language == "en"


def test_an_anonymous_visitor_switches_language_by_cookie_only(client, db):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "fr"


def test_the_account_page_of_a_buyer_has_the_client_space_menu(client, buyer):
    client.force_login(buyer)
    html = client.get(reverse("account")).content.decode()
    for name in ["space:dashboard", "space:reserve", "space:payments"]:
        assert f'href="{reverse(name)}"' in html
    # And the account's own menu, the current page marked.
    assert 'aria-label="Account menu"' in html
    assert f'<a href="{reverse("account")}" aria-current="page">My account</a>' in html
    assert f'href="{reverse("account_change_password")}"' in html


def test_the_account_page_of_staff_leads_to_the_back_office_not_the_client_space(client, sales):
    client.force_login(sales)
    html = client.get(reverse("account")).content.decode()
    assert f'href="{reverse("admin:index")}"' in html
    assert f'href="{reverse("space:payments")}"' not in html


def test_a_buyer_opening_the_back_office_is_refused_in_his_language_with_a_way_back(client, buyer):
    buyer.language = "fr"
    buyer.save(update_fields=["language"])
    client.force_login(buyer)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert f'href="{reverse("space:dashboard")}"' in html
    assert 'class="main-nav"' in html
