import pytest
from django.conf import settings

from portal.branding.models import CompanySettings
from portal.branding.selectors import company_settings_get
from portal.texts.kinds import KINDS, SMS
from portal.texts.models import MessageTemplate
from portal.texts.services import texts_render

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
EVERY_TEXT = [
    (name, language, channel)
    for name, kind in KINDS.items()
    for channel in kind.channels
    for language in LANGUAGES
]


@pytest.fixture(autouse=True)
def company():
    CompanySettings(name="Horizon Promotion").save()


@pytest.mark.parametrize(("name", "language", "channel"), EVERY_TEXT)
def test_every_default_renders_with_every_value_filled(name, language, channel):
    values = KINDS[name].samples()
    del values["company_name"]  # comes from the company settings

    rendered = texts_render(kind=name, language=language, values=values, channel=channel)

    bodies = [rendered.sms] if channel == SMS else [rendered.subject, rendered.text, rendered.html]
    assert all(bodies)
    assert "{" not in "".join(bodies)
    assert "Horizon Promotion" in "".join(bodies)
    essential = values.get("code") or values.get("link")
    if essential:  # a notice with nothing to open (a payment confirmation, a refund) has neither
        assert essential in (rendered.sms if channel == SMS else rendered.text)
    if channel == SMS:
        assert (rendered.subject, rendered.text, rendered.html) == ("", "", "")
    else:
        assert rendered.sms == ""


def test_the_default_follows_the_language():
    values = {"user_name": "Anna", "code": "123456"}

    french = texts_render(kind="login_code", language="fr", values=values)
    polish = texts_render(kind="login_code", language="pl", values=values)

    assert french.subject == "Votre code de connexion – Horizon Promotion"
    assert polish.subject == "Twój kod logowania – Horizon Promotion"


def test_a_regional_language_uses_its_base_language_and_an_unknown_one_the_default():
    values = {"code": "1"}

    assert texts_render(kind="login_code", language="pl-PL", values=values).subject.startswith("Twój kod")
    assert texts_render(kind="login_code", language="de", values=values).subject.startswith("Votre code")


def test_a_text_edited_by_staff_wins_over_the_default():
    MessageTemplate.objects.create(
        kind="login_code",
        language="en",
        channel="email",
        subject="Code for {user_name}",
        text="{code}",
        html="<b>{code}</b>",
    )

    rendered = texts_render(kind="login_code", language="en", values={"user_name": "Anna", "code": "42"})

    assert (rendered.subject, rendered.text, rendered.html) == ("Code for Anna", "42", "<b>42</b>")
    assert texts_render(kind="login_code", language="fr", values={}).subject.startswith("Votre code")


def test_editing_a_text_reaches_the_next_render():
    template = MessageTemplate.objects.create(
        kind="login_code", language="en", subject="First", text="{code}"
    )
    assert texts_render(kind="login_code", language="en", values={}).subject == "First"

    template.subject = "Second"
    template.save()
    assert texts_render(kind="login_code", language="en", values={}).subject == "Second"

    template.delete()
    assert texts_render(kind="login_code", language="en", values={}).subject.startswith("Your login code")


def test_an_edited_sms_is_the_sms():
    MessageTemplate.objects.create(
        kind="payment_request", language="fr", channel="sms", text="Payez {amount} : {link}"
    )

    rendered = texts_render(
        kind="payment_request",
        language="fr",
        channel="sms",
        values={"amount": "10 €", "link": "https://x.test/p"},
    )

    assert rendered.sms == "Payez 10 € : https://x.test/p"


def test_values_are_escaped_in_the_html_body_only():
    values = {"user_name": '<script>alert("x")</script> & Co', "code": "1"}

    rendered = texts_render(kind="login_code", language="en", values=values)

    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in rendered.html
    assert "<script>" not in rendered.html
    assert '<script>alert("x")</script> & Co' in rendered.text


def test_a_missing_value_renders_as_nothing():
    rendered = texts_render(kind="login_code", language="en", values={})

    assert rendered.text.startswith("Hello ,")


def test_a_value_cannot_break_the_subject_line():
    MessageTemplate.objects.create(kind="login_code", language="en", subject="Hi {user_name}!", text="{code}")

    rendered = texts_render(
        kind="login_code", language="en", values={"user_name": "Anna\r\nBcc: x@evil.test"}
    )

    assert rendered.subject == "Hi Anna Bcc: x@evil.test!"


def test_the_caller_may_give_the_company_name():
    rendered = texts_render(kind="login_code", language="en", values={"company_name": "Other"})

    assert rendered.subject.endswith("– Other")


def test_an_unknown_kind_or_channel_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown kind"):
        texts_render(kind="nope", language="en", values={})
    with pytest.raises(ValueError, match="not sent by"):
        texts_render(kind="login_code", language="en", values={}, channel="sms")


def test_rendering_costs_one_query_then_none(django_assert_num_queries):
    company_settings_get()

    with django_assert_num_queries(1):
        texts_render(kind="login_code", language="en", values={})
    with django_assert_num_queries(0):
        texts_render(kind="login_code", language="en", values={})
