"""Back-office of schedules (SCH-1): each programme's template with its tranches, and each sale's
own schedule, whose tranches not yet called staff change and whose balance they consign.

The forms check (the legal rules in words on the page); the services write and audit.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.forms import formset_factory
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit.changes import form_values
from portal.money import money_format
from programmes.admin.scoping import ProgrammeScopedAdmin, ScopedRelatedFieldListFilter
from programmes.selectors import programmes_scope
from sales.admin.confirm import confirmation_page, confirmation_reason
from sales.models import Sale
from schedules.forms_templates import PlannedTrancheForm, PlannedTrancheFormSet, TrancheChangeForm
from schedules.models import TRIGGER_ORDER, ScheduleTemplate, TemplateTranche, Tranche, Trigger
from schedules.rules import percent_format, schedule_problems
from schedules.selectors import tranches_with_balances
from schedules.services.templates import schedule_template_save
from schedules.services.tranches import (
    TRANCHE_FIELDS,
    ScheduleError,
    schedule_update,
    tranche_change,
    tranche_consign,
    tranche_unconsign,
)

# Schedule templates -------------------------------------------------------------------------------


class TemplateTrancheFormSet(BaseInlineFormSet):
    """The template's tranches, checked together: 100 % in all, and in France CCH R261-14. The
    refusal is said in words above the rows."""

    def rows(self) -> list[dict]:
        """The rows kept, in the order of the stages (the order typed among rows of one stage)."""
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        return sorted(kept, key=lambda row: TRIGGER_ORDER.index(row["trigger"]))

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        programme = getattr(self.instance, "programme", None) if self.instance.programme_id else None
        if programme is None:
            return  # the programme's own error is shown beside its field
        problems = schedule_problems(
            [(row["trigger"], row["percent"]) for row in self.rows()], country=programme.country
        )
        if problems:
            raise ValidationError(problems)


class TemplateTrancheInline(ProgrammeScopedAdmin, admin.TabularInline):
    programme_path = "template__programme"
    model = TemplateTranche
    formset = TemplateTrancheFormSet
    fields = ["label", "trigger", "percent"]
    ordering = ["position"]
    extra = 0


@admin.register(ScheduleTemplate)
class ScheduleTemplateAdmin(ProgrammeScopedAdmin, admin.ModelAdmin):
    list_display = ["programme", "tranche_list", "payment_days", "updated_at"]
    list_select_related = ["programme"]
    list_filter = [("programme", ScopedRelatedFieldListFilter)]
    search_fields = ["programme__name", "programme__code"]
    fields = ["programme", "payment_days"]
    inlines = [TemplateTrancheInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("tranches", queryset=TemplateTranche.objects.order_by("position")))
        )

    def get_readonly_fields(self, request, obj=None):
        # A template belongs to its programme for good; another programme gets its own.
        return ["programme"] if obj is not None else []

    @admin.display(description=gettext_lazy("tranches"))
    def tranche_list(self, obj):
        return ", ".join(
            f"{tranche.get_trigger_display()} {percent_format(tranche.percent)} %"
            for tranche in obj.tranches.all()
        )

    # Saving: the template and its tranches together, through the service ---------------------

    def save_model(self, request, obj, form, change):
        # Saved with its tranches in save_related: the service checks them as a whole.
        pass

    def save_related(self, request, form, formsets, change):
        formset = next(formset for formset in formsets if formset.model is TemplateTranche)
        values = form_values(form)
        if not change:
            values = {name: form.cleaned_data[name] for name in ["programme", "payment_days"]}
        template = schedule_template_save(
            actor=request.user,
            template=form.instance,
            values=values,
            tranches=[
                {"label": row["label"], "trigger": row["trigger"], "percent": row["percent"]}
                for row in formset.rows()
            ],
        )
        form.instance.pk = template.pk
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def has_delete_permission(self, request, obj=None):
        return False  # sales keep their own copies; a template is changed, not removed


# A sale's schedule ------------------------------------------------------------------------------


class SaleFilter(admin.SimpleListFilter):
    """The tranches of one sale (the link from the sale's page), offered without listing sales."""

    title = gettext_lazy("sale")
    parameter_name = "sale"

    def lookups(self, request, model_admin):
        return []

    def has_output(self):
        return True

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("All"),
        }
        if self.value():
            yield {"selected": True, "query_string": changelist.get_query_string(), "display": self.value()}

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(sale_id=int(value))


@admin.register(Tranche)
class TrancheAdmin(ProgrammeScopedAdmin, admin.ModelAdmin):
    programme_path = "sale__programme"
    form = TrancheChangeForm
    change_form_template = "admin/schedules/templates/tranche_change_form.html"
    change_list_template = "admin/schedules/templates/tranche_change_list.html"
    list_display = [
        "sale",
        "position",
        "label",
        "trigger",
        "percent_display",
        "amount_display",
        "paid_display",
        "remaining_display",
        "state",
        "called_on",
        "due_on",
    ]
    list_display_links = ["label"]
    list_filter = [SaleFilter, ("sale__programme", ScopedRelatedFieldListFilter), "state", "trigger"]
    list_select_related = ["sale__programme"]
    search_fields = ["sale__reference", "label"]
    ordering = ["sale", "position"]
    fields = [
        "sale_link",
        "position",
        "label",
        "trigger",
        "percent",
        "amount_display",
        "state",
        "called_on",
        "due_on",
    ]

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "sale/<int:sale_id>/",
                self.admin_site.admin_view(self.sale_schedule_view),
                name=f"{info}_sale",
            ),
            path(
                "<path:object_id>/consign/",
                self.admin_site.admin_view(self.consign_view),
                name=f"{info}_consign",
                kwargs={"operation": "consign"},
            ),
            path(
                "<path:object_id>/unconsign/",
                self.admin_site.admin_view(self.consign_view),
                name=f"{info}_unconsign",
                kwargs={"operation": "unconsign"},
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        sale_id = request.GET.get("sale", "")
        if sale_id.isdigit() and self.has_change_permission(request):
            extra_context = {
                **(extra_context or {}),
                "sale_schedule_url": reverse("admin:schedules_tranche_sale", args=[int(sale_id)]),
            }
        return super().changelist_view(request, extra_context)

    def get_readonly_fields(self, request, obj=None):
        always = ["sale_link", "position", "amount_display", "state", "called_on", "due_on"]
        if obj is None or obj.state != Tranche.State.PLANNED:
            return [*always, "label", "trigger", "percent"]
        return always

    def has_add_permission(self, request):
        return False  # a sale's tranches come from its template; its page changes them

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("sale"))
    def sale_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:sales_sale_change", args=[obj.sale_id]), obj.sale
        )

    @admin.display(description=gettext_lazy("percentage of the price"), ordering="percent")
    def percent_display(self, obj):
        return f"{percent_format(obj.percent)} %"

    @admin.display(description=gettext_lazy("amount"), ordering="amount")
    def amount_display(self, obj):
        return money_format(obj.amount, obj.sale.programme.currency)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # The change form's rule check reads the rest of the sale's schedule.
            obj.schedule = list(Tranche.objects.filter(sale_id=obj.sale_id).order_by("position"))
        return obj

    def get_queryset(self, request):
        # Paid and remaining come from the ledger's allocations, never stored (SCH-4).
        return tranches_with_balances(super().get_queryset(request).select_related("sale__programme"))

    @admin.display(description=gettext_lazy("paid"))
    def paid_display(self, obj):
        return money_format(obj.paid, obj.sale.programme.currency)

    @admin.display(description=gettext_lazy("remaining"))
    def remaining_display(self, obj):
        return money_format(obj.remaining, obj.sale.programme.currency)

    def save_model(self, request, obj, form, change):
        # The whole schedule goes to the service: the rules hold for all its tranches at once.
        tranche_change(
            tranche=obj,
            values={name: getattr(obj, name) for name in form.changed_data if name in TRANCHE_FIELDS},
            actor=request.user,
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ScheduleError as error:
            messages.error(request, _("Nothing was saved: %(error)s") % {"error": error})
            return HttpResponseRedirect(request.get_full_path())

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            may = self.has_change_permission(request, obj)
            consignable = obj.trigger == Trigger.DELIVERY and obj.sale.programme.country == "FR"
            context["may_consign"] = may and consignable and obj.state != Tranche.State.CONSIGNED
            context["may_unconsign"] = may and obj.state == Tranche.State.CONSIGNED
            context["sale_schedule_url"] = (
                reverse("admin:schedules_tranche_changelist") + f"?sale={obj.sale_id}"
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        # Back to the sale's schedule, where the new amounts read.
        response = super().response_change(request, obj)
        if "_continue" not in request.POST and response.status_code == 302:
            return HttpResponseRedirect(
                reverse("admin:schedules_tranche_changelist") + f"?sale={obj.sale_id}"
            )
        return response

    # A sale's whole schedule: its tranches not yet called changed together ---------------------

    def sale_schedule_view(self, request, sale_id):
        """The tranches of one sale: those called read only, those not yet called changed, added or
        removed together, so their percentages can move between them and still add up to 100 %."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        sale = (
            programmes_scope(Sale.objects.select_related("programme"), request.user, "programme")
            .filter(pk=sale_id)
            .first()
        )
        if sale is None:
            raise Http404
        may_change = self.has_change_permission(request)
        if request.method == "POST" and not may_change:
            raise PermissionDenied
        tranches = list(tranches_with_balances(Tranche.objects.filter(sale=sale)).order_by("position"))
        planned = [t for t in tranches if t.state == Tranche.State.PLANNED]
        formset_class = formset_factory(
            PlannedTrancheForm, formset=PlannedTrancheFormSet, extra=1, can_delete=True
        )
        formset = formset_class(
            request.POST if request.method == "POST" else None,
            prefix="tranches",
            initial=[
                {"id": t.pk, "label": t.label, "trigger": t.trigger, "percent": t.percent} for t in planned
            ],
            fixed=[t for t in tranches if t.state != Tranche.State.PLANNED],
            planned_ids={t.pk for t in planned},
            country=sale.programme.country,
        )
        if request.method == "POST" and formset.is_valid():
            try:
                schedule_update(sale=sale, tranches=formset.parts(), actor=request.user)
            except ScheduleError as error:
                formset._non_form_errors = formset.error_class([str(error)], renderer=formset.renderer)
            else:
                messages.success(request, _("The schedule of %(sale)s was saved.") % {"sale": sale})
                return HttpResponseRedirect(request.path)
        currency = sale.programme.currency
        context = {
            **self.admin_site.each_context(request),
            "title": _("Payment schedule of %(sale)s") % {"sale": sale},
            "opts": self.opts,
            "sale": sale,
            "sale_url": reverse("admin:sales_sale_change", args=[sale.pk]),
            "list_url": reverse("admin:schedules_tranche_changelist") + f"?sale={sale.pk}",
            "rows": [
                {
                    "tranche": t,
                    "percent": percent_format(t.percent),
                    "amount": money_format(t.amount, currency),
                    "paid": money_format(t.paid, currency),
                    "remaining": money_format(t.remaining, currency),
                    "change_url": reverse("admin:schedules_tranche_change", args=[t.pk]),
                }
                for t in tranches
            ],
            "price": money_format(sale.price, currency),
            "formset": formset if may_change else None,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/schedules/templates/sale_schedule.html", context)

    # Consigning the balance (CCH R261-14 al. 2) and releasing it ----------------------------------

    def consign_view(self, request, object_id, operation):
        if request.method not in {"GET", "POST"}:
            return HttpResponseNotAllowed(["GET", "POST"])
        # As the admin's own pages: no permission, 403; another programme's tranche, 404.
        if not self.has_change_permission(request):
            raise PermissionDenied
        tranche = self.get_object(request, unquote(object_id))
        if tranche is None:
            raise Http404
        change_url = reverse("admin:schedules_tranche_change", args=[tranche.pk])
        if (operation == "unconsign") != (tranche.state == Tranche.State.CONSIGNED):
            # Nothing to do: said on the tranche's page, with nothing to confirm.
            messages.info(
                request,
                _("This tranche is already consigned.")
                if operation == "consign"
                else _("This tranche is not consigned."),
            )
            return HttpResponseRedirect(change_url)
        reason_form = confirmation_reason(request)
        if not reason_form.is_valid():
            amount = money_format(tranche.amount, tranche.sale.programme.currency)
            if operation == "consign":
                title = _("Consign the balance of %(sale)s?") % {"sale": tranche.sale}
                consequences = [
                    _(
                        "%(amount)s of “%(tranche)s” is set aside with a third party while the buyer "
                        "disputes conformity (CCH art. R261-14): it is neither due nor overdue."
                    )
                    % {"amount": amount, "tranche": tranche},
                ]
                submit = _("Yes, consign the balance")
            else:
                title = _("End the consignment of %(sale)s?") % {"sale": tranche.sale}
                consequences = [
                    _("%(amount)s of “%(tranche)s” is due again.") % {"amount": amount, "tranche": tranche}
                ]
                submit = _("Yes, end the consignment")
            return confirmation_page(
                request,
                self,
                form=reason_form,
                title=title,
                consequences=consequences,
                submit=submit,
                back_url=change_url,
                back_label=str(tranche),
            )
        service = tranche_consign if operation == "consign" else tranche_unconsign
        try:
            service(tranche=tranche, actor=request.user, reason=reason_form.cleaned_data["reason"])
        except ScheduleError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The balance is consigned.") if operation == "consign" else _("The consignment has ended."),
            )
        return HttpResponseRedirect(change_url)
