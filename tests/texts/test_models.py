import pytest
from django.core.exceptions import ValidationError

from portal.texts.formatting import fill
from portal.texts.models import MessageTemplate

pytestmark = pytest.mark.django_db


def errors_of(template: MessageTemplate) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        template.full_clean()
    return caught.value.message_dict


def login_code(**fields) -> MessageTemplate:
    return MessageTemplate(
        kind="login_code", language="en", channel="email", **{"subject": "s", "text": "t", **fields}
    )


def test_a_text_with_known_placeholders_is_accepted():
    login_code(
        subject="Code for {user_name}", text="{code} {company_name}", html="<p>{{{code}}}</p>"
    ).full_clean()


def test_an_unknown_placeholder_is_refused_with_its_name_and_the_available_ones():
    errors = errors_of(login_code(text="Your code: {foo}"))

    assert errors["text"] == [
        "Unknown placeholder {foo}. Available: {user_name}, {code}, {link}, {company_name}, {button}."
    ]


def test_a_placeholder_of_another_kind_is_refused():
    assert "Unknown placeholder {amount}." in errors_of(login_code(subject="Pay {amount}"))["subject"][0]


@pytest.mark.parametrize("text", ["{code.__class__}", "{code!r}", "{code:>30}", "{}", "{0}"])
def test_anything_but_a_plain_name_is_refused(text):
    assert errors_of(login_code(html=text))["html"][0].startswith("Unknown placeholder")


@pytest.mark.parametrize("text", ["Your code: {code", "Your code: code}", "{ {code} }}}"])
def test_unbalanced_braces_are_refused(text):
    assert errors_of(login_code(text=text))["text"][0].startswith("Unbalanced braces")


def test_doubled_braces_are_literal_braces():
    login_code(text="{{not a placeholder}}").full_clean()

    assert fill("{{x}} {code}", {"code": "1"}) == "{x} 1"


def test_an_email_needs_a_subject_and_a_text():
    errors = errors_of(login_code(subject="", text=" "))

    assert set(errors) == {"subject", "text"}


def test_a_kind_is_only_sent_by_its_channels():
    errors = errors_of(MessageTemplate(kind="login_code", language="en", channel="sms", text="{code}"))

    assert errors["channel"] == ["This kind of text is not sent by SMS."]


def test_an_sms_keeps_only_its_text():
    template = MessageTemplate(
        kind="access_invitation", language="en", channel="sms", subject="x", text="{link}", html="<p>x</p>"
    )

    template.full_clean()

    assert (template.subject, template.html) == ("", "")


def test_one_text_per_kind_language_and_channel():
    login_code().save()

    assert "__all__" in errors_of(login_code())


def test_filling_never_reaches_attributes():
    assert fill("{code.__class__}", {"code": "1"}) == ""
