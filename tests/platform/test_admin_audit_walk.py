"""The admin-audit walk: every form of the back-office, saved by an administrator, leaves an audit
entry with the old and the new value of what was changed.

The walk goes through every ModelAdmin registered on the admin site: it opens an object's change
form, changes one field in what the page rendered (inlines and their management forms included),
saves, and looks for the entry; it saves the add forms with the values `_add_values` types, and
deletes through the delete pages and the bulk action. A model the walk cannot build an object of
fails it (add a builder to BUILDERS); an admin the administrator may not change, add to or delete
from is skipped, with the reason. The administrator is one by role, not a superuser.
"""

import json
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.fields.files import FieldFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from payments.models import DepositOverride, MyPayment, Payment, PaymentSettings, Refund, WebhookEvent
from portal.alerts.models import Alert
from portal.alerts.services import alert_create
from portal.audit.models import AuditEntry
from portal.audit.services import audit_record
from portal.branding.models import CompanySettings
from portal.outbox.models import OutboxMessage
from portal.outbox.services import outbox_enqueue_email
from portal.texts.models import MessageTemplate
from portal.texts.services import texts_default
from portal.users.models import User
from portal.users.roles import Role
from programmes.models import Lot, Milestone, Programme
from sales.models import Buyer, Sale
from schedules.models import (
    BankStatement,
    CallBatch,
    CallForFunds,
    Invoice,
    LedgerEntry,
    ScheduleTemplate,
    StageCertificate,
    Tranche,
    Trigger,
)
from schedules.services import invoices as invoice_service
from schedules.services.calls import call_batch_start, call_for_funds_issue, stage_certificate_save
from schedules.services.invoices import invoice_create_uploaded
from schedules.services.statements import statement_import
from schedules.services.templates import schedule_template_save
from schedules.services.tranches import schedule_copy_for_sale
from tests.conftest import make_user
from tests.factories import BuyerFactory, ProgrammeFactory, lots_make, request_make
from tests.payments.factories import payment_settings_make
from tests.sales_admin.helpers import sale_make, staff_of
from tests.schedules.ledger_helpers import money_in

pytestmark = pytest.mark.django_db


PDF = b"%PDF-1.4 walk"


@pytest.fixture(autouse=True)
def _backoffice(settings, tmp_path, monkeypatch):
    settings.STAFF_MFA_REQUIRED = False
    settings.MEDIA_ROOT = tmp_path / "private"
    # Invoices and call letters render without WeasyPrint (their own tests render them).
    monkeypatch.setattr(invoice_service, "invoice_pdf", lambda invoice: PDF)
    monkeypatch.setattr("schedules.services.calls.call_letter_pdf", lambda call, **kwargs: PDF)
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    """An administrator by role (not a superuser, as the company's administrators are) and one
    programme with a sales staff member, a sale and a payment request."""
    chief = make_user("chief@example.test", role=Role.ADMINISTRATOR, first_name="Chief")
    programme = ProgrammeFactory(code="walk", name="Programme Walk")
    anne = staff_of(programme, "anne@example.test")
    sale = sale_make(programme, anne)
    payment = request_make(sale=sale, actor=anne, reference="INV-WALK")
    return SimpleNamespace(chief=chief, programme=programme, anne=anne, sale=sale, payment=payment)


def _message_template() -> MessageTemplate:
    default = texts_default(kind="payment_request", language="en", channel="email")
    return MessageTemplate.objects.create(
        kind="payment_request",
        language="en",
        channel="email",
        subject=default.subject,
        text=default.text,
        html=default.html,
    )


def _company() -> CompanySettings:
    CompanySettings().save()
    return CompanySettings.objects.get()


def _deed_planned(sale) -> None:
    # The French deposit cap depends on when the deed is planned (PAY-1).
    Sale.objects.filter(pk=sale.pk).update(deed_planned_on=date.today() + timedelta(days=200))


def _override(sale) -> DepositOverride:
    _deed_planned(sale)
    return DepositOverride.objects.create(sale=sale, amount=Decimal("1000.00"))


def _session(user) -> UserSession:
    now = timezone.now()
    return UserSession.objects.create(
        user=user,
        session_key="walk-session",
        ip="192.0.2.1",
        user_agent="walk",
        created_at=now,
        last_seen_at=now,
    )


def _template(w) -> ScheduleTemplate:
    template = ScheduleTemplate.objects.filter(programme=w.programme).first()
    if template is not None:
        return template
    return schedule_template_save(
        actor=w.chief,
        template=ScheduleTemplate(programme=w.programme),
        values={"programme": w.programme, "payment_days": 15},
        tranches=[
            {"label": "Deed", "trigger": Trigger.DEED, "percent": Decimal("30")},
            {"label": "Foundations", "trigger": Trigger.FOUNDATIONS, "percent": Decimal("5")},
            {"label": "Completion", "trigger": Trigger.COMPLETION, "percent": Decimal("60")},
            {"label": "Delivery", "trigger": Trigger.DELIVERY, "percent": Decimal("5")},
        ],
    )


def _tranches(w) -> list[Tranche]:
    _template(w)
    schedule_copy_for_sale(sale=w.sale, actor=w.chief)
    return list(Tranche.objects.filter(sale=w.sale).order_by("position"))


def _foundations(w) -> Milestone:
    reached = date.today() - timedelta(days=1)
    return Milestone.objects.get_or_create(
        programme=w.programme, kind="foundations", defaults={"planned_date": reached, "actual_date": reached}
    )[0]


def _call_batch(w) -> CallBatch:
    _tranches(w)
    milestone = _foundations(w)
    return call_batch_start(
        programme=w.programme,
        trigger=Trigger.FOUNDATIONS,
        milestone=milestone,
        reached_on=milestone.actual_date,
        actor=w.chief,
    )


def _call(w) -> CallForFunds:
    tranche = _tranches(w)[0]
    return call_for_funds_issue(tranche_id=tranche.pk, actor=w.chief)


def _certificate(w) -> StageCertificate:
    upload = SimpleUploadedFile("foundations.pdf", PDF, content_type="application/pdf")
    return stage_certificate_save(
        certificate=StageCertificate(milestone=_foundations(w), file=upload), actor=w.chief
    )


def _invoice(w) -> Invoice:
    return invoice_create_uploaded(
        sale=w.sale,
        file=SimpleUploadedFile("invoice.pdf", PDF, content_type="application/pdf"),
        amounts=invoice_service.Amounts(net=Decimal("100.00"), vat=Decimal("20.00"), total=Decimal("120.00")),
        issued_on=date.today(),
        due_on=None,
        actor=w.chief,
    )


def _ledger_entry(w) -> LedgerEntry:
    _tranches(w)
    money_in(w.sale, "100.00", actor=w.chief, reference="INV-LEDGER")
    return LedgerEntry.objects.filter(sale=w.sale).latest("pk")


def _statement(w) -> BankStatement:
    from pathlib import Path

    sample = Path(__file__).resolve().parents[2] / "schedules" / "samples" / "statement.camt053.xml"
    result = statement_import(
        file_name="walk.xml", content=sample.read_bytes(), format="camt053", actor=w.chief
    )
    return result.statement


# One object per model, made as the portal makes them. A model missing here fails the walk.
BUILDERS = {
    Group: lambda w: Group.objects.get(name=Role.SALES.value),
    EmailAddress: lambda w: EmailAddress.objects.get(user=w.anne),
    Authenticator: lambda w: Authenticator.objects.create(
        user=w.anne, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00" * 20, "used_mask": 0}
    ),
    UserSession: lambda w: _session(w.anne),
    User: lambda w: make_user("walked@example.test", role=Role.SALES, first_name="", last_name="Walked"),
    AuditEntry: lambda w: audit_record(actor=w.chief, action="walk.done", obj=w.sale),
    CompanySettings: lambda w: _company(),
    MessageTemplate: lambda w: _message_template(),
    OutboxMessage: lambda w: outbox_enqueue_email(key="walk", to="x@example.test", subject="S", text="T"),
    Alert: lambda w: alert_create(key="walk", user=w.chief, text="Walk"),
    Programme: lambda w: w.programme,
    Lot: lambda w: lots_make(w.programme, 1)[0],
    Buyer: lambda w: BuyerFactory(),
    Sale: lambda w: w.sale,
    Payment: lambda w: w.payment,
    MyPayment: lambda w: MyPayment.objects.get(pk=w.payment.pk),
    PaymentSettings: lambda w: payment_settings_make(w.programme),
    DepositOverride: lambda w: _override(w.sale),
    Refund: lambda w: Refund.objects.create(payment=w.payment, amount=Decimal("1.00"), provider="manual"),
    WebhookEvent: lambda w: WebhookEvent.objects.create(
        provider="simulated", event_id="evt_walk", type="checkout.session.completed", payload={}
    ),
    ScheduleTemplate: _template,
    Tranche: lambda w: _tranches(w)[0],
    CallBatch: _call_batch,
    CallForFunds: _call,
    StageCertificate: _certificate,
    Invoice: _invoice,
    LedgerEntry: _ledger_entry,
    BankStatement: _statement,
}

# The object whose timeline records a model's changes, when it is not the object itself: a sale's
# schedule and invoices read on the sale's timeline.
AUDITED_ON = {Tranche: lambda obj: obj.sale, Invoice: lambda obj: obj.sale}

# Add pages that are no form of the model: a batch of calls is started from the preview of a
# reached milestone (audited "call_batch.started"; tests/schedules/test_calls_admin.py).
ADD_PAGES_WITHOUT_FORM = {CallBatch: "a batch is started from a milestone's preview, not a form"}


def _audited(obj):
    return AUDITED_ON.get(type(obj), lambda same: same)(obj)


# What an administrator types in each add form (over the form's own defaults); `marker` is the
# value that must show in the new object's audit entry.
def _add_values(model, w) -> dict:
    if model is Programme:
        return {
            "name": "Walked programme",
            "code": "walked",
            "status": "preparation",
            "address": "2 rue du Test",
            "postcode": "69002",
            "city": "Lyon",
            "country": "FR",
            "legal_entity": "SCCV Walked",
            "currency": "EUR",
            "time_zone": "Europe/Paris",
            "reservation_hold_days": "7",
            "marker": "Walked programme",
        }
    if model is Lot:
        return {"programme": str(w.programme.pk), "number": "W-77", "type": "apartment", "price": "1000.00"}
    if model is Buyer:
        return {
            "first_name": "Walter",
            "last_name": "Walked",
            "email": "walter@example.test",
            "language": "en",
        }
    if model is User:
        return {
            "email": "newcomer@example.test",
            "password1": "a-long-walk-42!",
            "password2": "a-long-walk-42!",
            "usable_password": "true",
            "marker": "newcomer@example.test",
        }
    if model is MessageTemplate:
        default = texts_default(kind="payment_reminder", language="pl", channel="email")
        return {
            "kind": "payment_reminder",
            "language": "pl",
            "channel": "email",
            "subject": default.subject + " (walk)",
            "text": default.text,
            "html": default.html,
            "marker": default.subject + " (walk)",
        }
    if model is PaymentSettings:
        other = ProgrammeFactory(code="walk2")
        return {"programme": str(other.pk), "deposit_percent": "3.50", "marker": "3.50"}
    if model is DepositOverride:
        _deed_planned(w.sale)
        return {"sale": str(w.sale.pk), "amount": "777.00", "reason": "walk", "marker": "777.00"}
    if model is EmailAddress:
        return {"user": str(w.anne.pk), "email": "anne.second@example.test"}
    if model is CompanySettings:
        return {"name": "Walked company"}
    if model is ScheduleTemplate:
        other = ProgrammeFactory(code="walk3")
        return {
            "programme": str(other.pk),
            "payment_days": "20",
            "tranches-TOTAL_FORMS": "1",
            "tranches-0-label": "Walked delivery",
            "tranches-0-trigger": "delivery",
            "tranches-0-percent": "100",
            "marker": "Walked delivery",
        }
    if model is StageCertificate:
        return {
            "milestone": str(_foundations(w).pk),
            "file": SimpleUploadedFile("walk-certificate.pdf", PDF, content_type="application/pdf"),
            "marker": "walk-certificate",
        }
    if model is Invoice:
        return {
            "sale": str(w.sale.pk),
            "source": "generated",
            "issued_on": date.today().isoformat(),
            "lines-TOTAL_FORMS": "1",
            "lines-0-label": "Walked kitchen",
            "lines-0-quantity": "1",
            "lines-0-unit_price": "1234.00",
            "lines-0-vat_rate": "20",
            "marker": "1480.80",
        }
    if model is Sale:
        lot = lots_make(w.programme, 1)[0]
        buyer = BuyerFactory()
        return {
            "lots": [str(lot.pk)],
            "main_buyer": str(buyer.pk),
            "price": "123456.78",
            "contract_type": "vefa",
            "marker": "123456.78",
        }
    return None


class _FormFields(HTMLParser):
    """What a browser would send for the change form (`<form id="…_form">`): its inputs, selects
    and textareas as rendered, inlines and their management forms included."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select, self._textarea, self._text = None, None, []

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self._add(name, attrs.get("value", "on" if kind in {"checkbox", "radio"} else ""))
        elif tag == "select" and name and "disabled" not in attrs:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea" and name and "disabled" not in attrs:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A browser drops the one newline that follows <textarea>, as Django renders it.
            text = "".join(self._text)
            self._add(self._textarea, text[1:] if text.startswith("\n") else text)
            self._textarea = None


def form_as_posted(response, model) -> dict:
    parser = _FormFields(f"{model._meta.model_name}_form")
    parser.feed(response.content.decode())
    assert parser.data, f"no change form found on the page of {model._meta.label}"
    return parser.data


def _new_value(formfield: forms.Field, initial):
    """A different value the field accepts, as posted; None for fields the walk does not change."""
    if isinstance(formfield, forms.FileField) and not isinstance(formfield, forms.ImageField):
        if formfield.disabled:
            return None
        # A new document in place of the stored one (certificates, PDFs): a small PDF.
        return SimpleUploadedFile("walked.pdf", PDF, content_type="application/pdf")
    if formfield.disabled or isinstance(
        formfield, forms.ModelChoiceField | forms.FileField | forms.MultipleChoiceField | forms.JSONField
    ):
        return None
    if isinstance(formfield, forms.BooleanField):
        return not bool(initial)
    if isinstance(formfield, forms.ChoiceField):
        others = [str(value) for value, _label in formfield.choices if value not in ("", None, initial)]
        return others[0] if others else None
    if isinstance(formfield, forms.DecimalField | forms.IntegerField):
        try:
            return str(Decimal(str(initial if initial not in (None, "") else 1)) + 1)
        except InvalidOperation:
            return None
    if isinstance(formfield, forms.DateField):
        return (initial + timedelta(days=1) if isinstance(initial, date) else date(2030, 1, 15)).isoformat()
    if isinstance(formfield, forms.EmailField | forms.SlugField | forms.DateTimeField | forms.URLField):
        return None
    if isinstance(formfield, forms.CharField):
        text = str(initial or "")
        limit = formfield.max_length or 200
        return (text + " Walked")[:limit] if text else "Walked"
    return None


def _encoded(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _stored(obj, name):
    field = obj._meta.get_field(name)
    value = field.value_from_object(obj)
    if isinstance(value, FieldFile):
        return value.name
    return value.pk if hasattr(value, "pk") else value


def _administrator_request(user, path="/admin/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def _registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize(
    ("model", "model_admin"), _registered(), ids=[model._meta.label for model, _a in _registered()]
)
def test_saving_a_change_form_records_the_old_and_new_value(client, world, model, model_admin):
    assert model in BUILDERS, f"The walk cannot build a {model._meta.label}: add it to BUILDERS."
    obj = BUILDERS[model](world)
    request = _administrator_request(world.chief)
    if not model_admin.has_change_permission(request, obj):
        pytest.skip(f"{model._meta.label}: an administrator may not change it (read only or not his).")
    client.force_login(world.chief)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    form = page.context["adminform"].form
    base = form_as_posted(page, model)

    tried = []
    for name, formfield in form.fields.items():
        initial = form.initial.get(name, formfield.initial)
        new = _new_value(formfield, initial)
        is_file = isinstance(new, SimpleUploadedFile)
        if new is None or (
            form[name].html_name not in base and not isinstance(formfield, forms.BooleanField) and not is_file
        ):
            continue
        data = dict(base)
        if isinstance(formfield, forms.BooleanField):
            data.pop(form[name].html_name, None)
            if new:
                data[form[name].html_name] = ["on"]
        else:
            data[form[name].html_name] = [new]
        before = _encoded(_stored(type(obj).objects.get(pk=obj.pk), name))
        entries = set(AuditEntry.objects.values_list("pk", flat=True))
        response = client.post(url, data)
        tried.append((name, response.status_code))
        if response.status_code != 302:
            continue  # the form refused this value: try the next field
        after = _encoded(_stored(type(obj).objects.get(pk=obj.pk), name))
        assert after != before, f"{model._meta.label}.{name} did not change"
        audited = _audited(obj)
        new_entries = AuditEntry.objects.exclude(pk__in=entries).filter(
            object_type=audited._meta.label_lower, object_id=str(audited.pk)
        )
        assert any(entry.data.get(name) == [before, after] for entry in new_entries), (
            f"Saving {model._meta.label}.{name} from {before!r} to {after!r} wrote no audit entry with both "
            f"values: {[(entry.action, entry.data) for entry in new_entries]}"
        )
        return
    pytest.fail(f"The walk found no field of {model._meta.label} it could change: {tried}")


@pytest.mark.parametrize(
    ("model", "model_admin"), _registered(), ids=[model._meta.label for model, _a in _registered()]
)
def test_saving_an_add_form_records_the_new_object(client, world, model, model_admin):
    request = _administrator_request(world.chief)
    if not model_admin.has_add_permission(request):
        pytest.skip(f"{model._meta.label}: an administrator may not add one here.")
    if model in ADD_PAGES_WITHOUT_FORM:
        pytest.skip(f"{model._meta.label}: {ADD_PAGES_WITHOUT_FORM[model]}.")
    values = _add_values(model, world)
    assert values is not None, f"The walk does not know what to type in the add form of {model._meta.label}."
    marker = values.pop("marker", None) or next(iter(values.values()))
    client.force_login(world.chief)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    page = client.get(url)
    assert page.status_code == 200
    data = {
        **form_as_posted(page, model),
        **{key: value if isinstance(value, list) else [value] for key, value in values.items()},
    }
    known = set(model.objects.values_list("pk", flat=True))

    response = client.post(url, data)

    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    created = model.objects.exclude(pk__in=known).get()
    audited = _audited(created)
    entries = AuditEntry.objects.filter(object_type=audited._meta.label_lower, object_id=str(audited.pk))
    assert any(
        marker in json.dumps(entry.data, cls=DjangoJSONEncoder, ensure_ascii=False) for entry in entries
    ), (
        f"Adding a {model._meta.label} wrote no audit entry with what was typed ({marker!r}): "
        f"{[(entry.action, entry.data) for entry in entries]}"
    )


# Objects the delete pages may delete (BUILDERS' programme holds the world's lots and sales).
DELETE_BUILDERS = {**BUILDERS, Programme: lambda w: ProgrammeFactory(code="gone", name="Programme Gone")}


@pytest.mark.parametrize("how", ["page", "action"])
@pytest.mark.parametrize(
    ("model", "model_admin"), _registered(), ids=[model._meta.label for model, _a in _registered()]
)
def test_deleting_records_what_was_deleted(client, world, model, model_admin, how):
    assert model in DELETE_BUILDERS, f"The walk cannot build a {model._meta.label}: add it to BUILDERS."
    obj = DELETE_BUILDERS[model](world)
    if not model_admin.has_delete_permission(_administrator_request(world.chief), obj):
        pytest.skip(f"{model._meta.label}: an administrator may not delete it.")
    client.force_login(world.chief)
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    if how == "page":
        response = client.post(reverse(f"{info}_delete", args=[obj.pk]), {"post": "yes"})
    else:
        response = client.post(
            reverse(f"{info}_changelist"),
            {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
        )

    assert response.status_code == 302
    assert not model._default_manager.filter(pk=obj.pk).exists()
    assert AuditEntry.objects.filter(
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        action__endswith="deleted",
        actor=world.chief,
    ).exists(), f"Deleting a {model._meta.label} ({how}) wrote no audit entry"
