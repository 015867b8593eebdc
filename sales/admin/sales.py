"""The sales files in the back-office (SAL-2..SAL-6): list, creation, plain fields, inlines.

The stage, the lots and the buyers of a sale never change through its form: the stage moves
through the buttons of its page (sales.admin.views), which call the services.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.access import has_role
from portal.admin_list import CompactChangeList
from portal.admin_titles import FormTitlesMixin
from portal.audit.selectors import audit_entries_for
from portal.money import money_format
from portal.users.models import User
from programmes.admin.scoping import ProgrammeScopedAdmin, RowsPerPageChangeList
from programmes.selectors import advisors_available_to, programmes_visible_to
from sales.admin.access import AccessActions
from sales.admin.display import access_state, timeline
from sales.admin.filters import (
    AdvisorListFilter,
    HoldEndingFilter,
    ProgrammeListFilter,
    RequestFilter,
    list_advisors,
    list_programmes,
)
from sales.admin.unassigned import UnassignedNoticeMixin
from sales.admin.views import PARTNER_ACCOUNT_PERMISSION, SaleAdminViews
from sales.errors import SaleError
from sales.forms import SaleAddForm, SaleChangeForm, partner_accounts
from sales.models import Sale, SaleAssignment, Stage
from sales.partners import ROLE_GROUP, sale_assign, sale_unassign
from sales.selectors import sales_for_admin_list, sales_list_page, sales_with_parties
from sales.services import sale_create, sale_update
from sales.stages import ALLOWED_MOVES, PIPELINE

# Stage buttons in the order of the pipeline, the way out (cancelled, withdrawn) last.
STAGE_ORDER = [*PIPELINE, Stage.WITHDRAWN, Stage.CANCELLED]

ADD_FIELDS = [
    "lots",
    "main_buyer",
    "co_buyers",
    "price",
    "hold_until",
    "advisor",
    "contract_type",
    "contract_number",
    "partner_agency",
]


def without_related_links(formfield):
    """No "add", "change" or "view" icons next to a choice of people: accounts are opened
    through their own pages (send access, partner account), not from a sale's form."""
    widget = getattr(formfield, "widget", None)
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget.can_add_related = widget.can_change_related = widget.can_view_related = False
        widget.can_delete_related = False
    return formfield


def people_choices(request) -> dict[str, list[tuple[int, str]]]:
    """The people a sale's page offers, read in one query for the whole request: the staff it may
    be given to as advisor, and the notary and partner accounts it may be assigned to. The
    fields keep their querysets, which check what is posted."""
    cached = getattr(request, "_sale_people", None)
    if cached is None:
        advisors = advisors_available_to(request.user).values("pk")
        partners = partner_accounts().values("pk")
        people = User.objects.filter(Q(pk__in=advisors) | Q(pk__in=partners)).order_by(
            "last_name", "first_name", "email"
        )
        cached = {"advisors": [], "partners": []}
        for person in people:
            # Partner accounts are never staff, so one person lands in one list only.
            cached["advisors" if person.is_staff else "partners"].append((person.pk, str(person)))
        request._sale_people = cached
    return cached


class SaleAssignmentForm(forms.ModelForm):
    """A notary or partner given access: checked here, so a wrong row stops the whole page's save
    (the sale's fields and its rows are saved together, in the admin's one transaction)."""

    class Meta:
        model = SaleAssignment
        fields = ["user", "role"]

    def clean(self):
        cleaned = super().clean()
        user, role = cleaned.get("user"), cleaned.get("role")
        if (
            user is not None
            and role in ROLE_GROUP
            and (user.is_staff or not has_role(user, ROLE_GROUP[role]))
        ):
            self.add_error(
                "user",
                _("%(user)s is not a %(role)s account.")
                % {"user": user, "role": SaleAssignment.Role(role).label.lower()},
            )
        return cleaned


class SaleAssignmentInline(ProgrammeScopedAdmin, admin.TabularInline):
    programme_path = "sale__programme"
    model = SaleAssignment
    form = SaleAssignmentForm
    fields = ["user", "role"]
    extra = 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        return without_related_links(formfield) if db_field.name == "user" else formfield

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = partner_accounts()
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            # Read once for the whole page (see people_choices), not once per row of the inline.
            field.choices = [("", field.empty_label), *people_choices(request)["partners"]]
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SaleChangeList(CompactChangeList, RowsPerPageChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        return sales_for_admin_list(super().get_queryset(request, exclude_parameters))

    def get_results(self, request):
        super().get_results(request)
        # The page's sales, read now, with their programme and advisor among those the filters
        # read, their main buyer's name and their lots' numbers.
        self.result_list = sales_list_page(
            self.result_list, programmes=list_programmes(request), advisors=list_advisors(request)
        )


@admin.register(Sale)
class SaleAdmin(
    FormTitlesMixin,
    UnassignedNoticeMixin,
    SaleAdminViews,
    AccessActions,
    ProgrammeScopedAdmin,
    admin.ModelAdmin,
):
    form_titles = {
        "list": gettext_lazy("Sales files"),
        "add_button": gettext_lazy("Open a sale"),
        "add": gettext_lazy("Open a sale"),
        "change": gettext_lazy("Change the sale"),
        "view": gettext_lazy("The sale"),
    }
    form = SaleChangeForm
    # The key columns first (whose, which lots, what price, which stage), so they stay in view at 1280 px.
    list_display = [
        "reference",
        "main_buyer",
        "lot_list",
        "price_display",
        "stage",
        "programme",
        "advisor",
        "updated_at",
    ]
    list_filter = [
        ("programme", ProgrammeListFilter),
        "stage",
        ("advisor", AdvisorListFilter),
        "contract_type",
        RequestFilter,
        HoldEndingFilter,
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = [
        "reference",
        "sale_buyers__buyer__last_name",
        "sale_buyers__buyer__first_name",
        "sale_buyers__buyer__email",
        "sale_lots__lot__number",
    ]
    # No join for the programme and advisor columns: the rows take them from those the filters
    # read (SaleChangeList.get_results). An empty tuple, as False would join every foreign key.
    list_select_related = ()
    inlines = [SaleAssignmentInline]
    actions = ["send_access", "revoke_access"]
    readonly_fields = [
        "reference",
        "programme",
        "stage",
        "stage_changed_at",
        "lot_list",
        "buyer_list",
        "requested_by_buyer",
        "request_confirmed_at",
        "cancelled_on",
        "cancel_reason",
        "reactivated_from",
        "reactivated_as_link",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "programme", "stage", "stage_changed_at", "lot_list", "buyer_list"]}),
        (
            gettext_lazy("Contract"),
            {"fields": ["price", "contract_type", "contract_number", "advisor", "partner_agency"]},
        ),
        (
            gettext_lazy("Key dates"),
            {
                "fields": [
                    "hold_until",
                    "reservation_signed_on",
                    "withdrawal_ends_on",
                    "deed_planned_on",
                    "deed_signed_on",
                    "delivered_on",
                    "cancelled_on",
                    "cancel_reason",
                ]
            },
        ),
        (
            gettext_lazy("Reservation request and history"),
            {
                "fields": [
                    "requested_by_buyer",
                    "request_confirmed_at",
                    "reactivated_from",
                    "reactivated_as_link",
                    "created_at",
                ]
            },
        ),
    ]

    # The list (SaleChangeList) and the actions read the sales alone; one sale's pages read it
    # with its parties.
    def get_object(self, request, object_id, from_field=None):
        queryset = sales_with_parties(self.get_queryset(request))
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (Sale.DoesNotExist, ValidationError, ValueError):
            return None

    def get_changelist(self, request, **kwargs):
        return SaleChangeList

    # Sales are cancelled or withdrawn, never deleted: their lots and payments depend on them.
    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        return without_related_links(formfield) if db_field.name == "advisor" else formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "advisor":
            kwargs["queryset"] = advisors_available_to(request.user)
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.choices = [("", field.empty_label), *people_choices(request)["advisors"]]
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # The columns and read-only fields --------------------------------------------------------

    @admin.display(description=gettext_lazy("lots"))
    def lot_list(self, obj):
        numbers = getattr(obj, "lot_numbers", None)  # the rows of the list (sales_list_page)
        if numbers is None:
            numbers = [link.lot.number for link in obj.sale_lots.all()]
        return ", ".join(numbers)

    @admin.display(description=gettext_lazy("main buyer"))
    def main_buyer(self, obj):
        return obj.main_buyer_name or "–"

    @admin.display(description=gettext_lazy("buyers"))
    def buyer_list(self, obj):
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>{}',
            (
                (
                    reverse("admin:sales_buyer_change", args=[link.buyer_id]),
                    link.buyer,
                    _(" (main buyer)") if link.is_main else "",
                )
                for link in obj.sale_buyers.all()
            ),
        )

    @admin.display(description=gettext_lazy("price incl. tax"), ordering="price")
    def price_display(self, obj):
        return money_format(obj.price, obj.programme.currency)

    @admin.display(description=gettext_lazy("reactivated as"))
    def reactivated_as_link(self, obj):
        new_sale = getattr(obj, "reactivated_as", None)
        if new_sale is None:
            return "–"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:sales_sale_change", args=[new_sale.pk]), new_sale
        )

    # Adding: through sale_create ---------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        programme_id = request.GET.get("programme", "")
        programme = (
            programmes_visible_to(request.user).filter(pk=programme_id).first()
            if programme_id.isdigit()
            else None
        )
        form = SaleAddForm(
            request.POST or None, user=request.user, admin_site=self.admin_site, programme=programme
        )
        if request.method == "POST" and form.is_valid():
            try:
                sale = sale_create(actor=request.user, **form.service_arguments())
            except SaleError as error:
                form.add_error(None, str(error))
            except IntegrityError:
                form.add_error(
                    None, _("These lots or buyers were just changed by someone else. Please try again.")
                )
            else:
                self.log_addition(request, sale, [{"added": {}}])
                messages.success(request, _("Sale %(sale)s was opened.") % {"sale": sale})
                return HttpResponseRedirect(reverse("admin:sales_sale_change", args=[sale.pk]))
        admin_form = helpers.AdminForm(form, [(None, {"fields": ADD_FIELDS})], {}, model_admin=self)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Open a sale or hold lots"),
            "subtitle": None,
            "adminform": admin_form,
            "object_id": None,
            "original": None,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            "show_save_and_add_another": False,
            "show_save_and_continue": False,
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=True, form_url=form_url)

    # Changing: the plain fields through sale_update, the assignments through sale_assign ------

    def save_model(self, request, obj, form, change):
        sale_update(
            actor=request.user,
            sale=obj,
            changes={name: form.cleaned_data[name] for name in form.changed_data},
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SaleError as error:
            # Raised inside the admin's one transaction, which rolled back: nothing of the page
            # was kept, not the sale's fields without its rows.
            messages.error(request, _("Nothing was saved: %(error)s") % {"error": error})
            return HttpResponseRedirect(request.get_full_path())

    def save_formset(self, request, form, formset, change):
        sale = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.deleted_forms:
            if row.instance.pk:
                sale_unassign(actor=request.user, sale=sale, user=row.instance.user)
                formset.deleted_objects.append(row.instance)
        for row in formset.forms:
            if row in formset.deleted_forms or not row.has_changed():
                continue
            if row.instance.pk and "user" in row.changed_data:
                sale_unassign(actor=request.user, sale=sale, user=User.objects.get(pk=row.initial["user"]))
            # A SaleError here (the account changed meanwhile) ends the whole save: see changeform_view.
            assignment = sale_assign(
                actor=request.user, sale=sale, user=row.cleaned_data["user"], role=row.cleaned_data["role"]
            )
            if row.instance.pk:
                formset.changed_objects.append((assignment, row.changed_data))
            else:
                formset.new_objects.append(assignment)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.sale_page_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def sale_page_context(self, request, sale) -> dict:
        zone = sale.programme.time_zone
        may_change = self.has_change_permission(request, sale)
        allowed = ALLOWED_MOVES[sale.stage]
        return {
            "stage_moves": [Stage(stage) for stage in STAGE_ORDER if stage in allowed] if may_change else [],
            "pending_request": may_change
            and sale.requested_by_buyer
            and sale.stage == Stage.OPTION
            and not sale.request_confirmed_at,
            "may_reactivate": may_change
            and not sale.is_live
            and getattr(sale, "reactivated_as", None) is None,
            "may_send_access": self.has_access_permission(request),
            "may_create_partner": request.user.has_perm(PARTNER_ACCOUNT_PERMISSION),
            "buyer_access": [
                {
                    "buyer": link.buyer,
                    "is_main": link.is_main,
                    "state": access_state(link.buyer, link.invited_until, zone),
                }
                for link in sale.sale_buyers.all()
            ],
            "timeline": timeline(audit_entries_for(sale), zone),
        }
