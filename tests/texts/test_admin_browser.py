import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from portal.texts.models import MessageTemplate
from portal.users.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_html_preview_shows_inside_the_change_page_under_the_csp(page, live_server, settings):
    settings.STAFF_MFA_REQUIRED = False
    # Transactional tests flush the groups the migrations made: a plain superuser needs none.
    user = User.objects.create_superuser(email="boss@example.test", password="x", language="en")
    template = MessageTemplate.objects.create(
        kind="login_code",
        language="en",
        subject="Code",
        text="{code}",
        html="<p>Your code: <b>{code}</b></p>",
    )
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    blocked = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )

    page.goto(live_server.url + reverse("admin:texts_messagetemplate_change", args=[template.pk]))

    frame = page.frame_locator("iframe.texts-preview-frame")
    assert frame.locator("b").inner_text() == "7KQ-4PZ"
    assert blocked == []
