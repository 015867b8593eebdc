"""The custom pages of the sale admin: each parses the request, calls one service, shows the result.

A sale outside the user's programmes answers 404 here, like everywhere in the back-office.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.money import money_format
from portal.timezones import local_day_start
from sales.admin.confirm import confirmation_page, confirmation_reason
from sales.dashboard import sales_dashboard
from sales.errors import SaleError
from sales.forms import PartnerAccountForm, ReactivateForm, SavedViewForm, StageMoveForm
from sales.models import LIVE_STAGES, SavedView, Stage
from sales.partners import partner_account_create, sale_assign
from sales.selectors import sales_visible_to
from sales.services import (
    sale_confirm_request,
    sale_move_stage,
    sale_reactivate,
    sale_refuse_request,
    saved_view_delete,
    saved_view_save,
)

# A notary's or partner's account is a login of the whole company, like every user: opening
# one takes the right to add users (administrators, portal.users.roles).
PARTNER_ACCOUNT_PERMISSION = "users.add_user"
# The stages that end a sale: moving there is confirmed with a reason.
ENDING_STAGES = {stage.value for stage in Stage if stage not in LIVE_STAGES}


def _lot_list(sale) -> str:
    return ", ".join(str(link.lot) for link in sale.sale_lots.select_related("lot"))


class SaleAdminViews:
    def get_urls(self):
        def wrap(view, *, post_only=False):
            # The pages that change something answer only POST; a GET is refused with 405.
            return self.admin_site.admin_view(require_POST(view) if post_only else view)

        return [
            path("dashboard/", wrap(self.dashboard_view), name="sales_sale_dashboard"),
            path(
                "saved-views/",
                wrap(self.saved_view_save_view, post_only=True),
                name="sales_sale_savedview_save",
            ),
            path(
                "saved-views/<int:view_id>/delete/",
                wrap(self.saved_view_delete_view, post_only=True),
                name="sales_sale_savedview_delete",
            ),
            path("partner-account/", wrap(self.partner_account_view), name="sales_sale_partner_account"),
            # A move that ends the sale (cancelled, withdrawn) and refusing a request are
            # confirmed first, with a reason: a GET or a first click shows what will happen.
            path("<path:object_id>/stage/", wrap(self.stage_move_view), name="sales_sale_stage"),
            path(
                "<path:object_id>/request/<str:decision>/",
                wrap(self.request_decide_view),
                name="sales_sale_request",
            ),
            path(
                "<path:object_id>/reactivate/",
                wrap(self.reactivate_view, post_only=True),
                name="sales_sale_reactivate",
            ),
            path(
                "<path:object_id>/access/<str:operation>/",
                wrap(self.access_view, post_only=True),
                name="sales_sale_access",
            ),
            *super().get_urls(),
        ]

    def sale_or_404(self, request, object_id):
        sale = self.get_object(request, unquote(object_id))
        if sale is None:
            raise Http404
        return sale

    def _changeable_sale(self, request, object_id):
        sale = self.sale_or_404(request, object_id)
        if not self.has_change_permission(request, sale):
            raise PermissionDenied
        return sale

    @staticmethod
    def _to_sale(sale):
        return HttpResponseRedirect(reverse("admin:sales_sale_change", args=[sale.pk]))

    # Stages (SAL-3) and reservation requests (SAL-4) --------------------------------------------

    def stage_move_view(self, request, object_id):
        ending = request.POST.get("target", request.GET.get("target")) in ENDING_STAGES
        if request.method != "POST" and not ending:
            return HttpResponseNotAllowed(["POST"])
        sale = self._changeable_sale(request, object_id)
        form = StageMoveForm(request.POST if request.method == "POST" else request.GET)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return self._to_sale(sale)
        target = form.cleaned_data["target"]
        note = ""
        if ending:
            reason_form = confirmation_reason(request)
            if not reason_form.is_valid():
                return self._stage_confirmation(request, sale, form, reason_form)
            note = reason_form.cleaned_data["reason"]
        try:
            sale = sale_move_stage(
                actor=request.user, sale=sale, target=target, on_date=form.cleaned_data["on_date"], note=note
            )
        except SaleError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Sale %(sale)s is now at stage “%(stage)s”.")
                % {"sale": sale, "stage": Stage(target).label},
            )
        return self._to_sale(sale)

    def _stage_confirmation(self, request, sale, form, reason_form):
        target = Stage(form.cleaned_data["target"])
        on_date = form.cleaned_data["on_date"]
        consequences = [
            _("Sale %(sale)s (%(lots)s, %(price)s) moves from “%(current)s” to “%(target)s”.")
            % {
                "sale": sale.reference,
                "lots": _lot_list(sale),
                "price": money_format(sale.price, sale.programme.currency),
                "current": sale.get_stage_display(),
                "target": target.label,
            },
            _("Its lots become available for sale again."),
            _("Its payment requests still to pay are cancelled and their links stop working."),
            _("The sale can be reactivated later as a new file."),
        ]
        return confirmation_page(
            request,
            self,
            form=reason_form,
            title=_("Move sale %(sale)s to “%(stage)s”?") % {"sale": sale.reference, "stage": target.label},
            consequences=consequences,
            submit=_("Yes, move it to “%(stage)s”") % {"stage": target.label},
            back_url=reverse("admin:sales_sale_change", args=[sale.pk]),
            back_label=sale.reference,
            hidden={"target": target.value, "on_date": on_date.isoformat() if on_date else ""},
        )

    def request_decide_view(self, request, object_id, decision):
        if decision not in {"confirm", "refuse"}:
            raise Http404
        if request.method != "POST" and decision == "confirm":
            return HttpResponseNotAllowed(["POST"])
        sale = self._changeable_sale(request, object_id)
        try:
            if decision == "confirm":
                sale_confirm_request(actor=request.user, sale=sale)
            elif not sale.requested_by_buyer:
                sale_refuse_request(actor=request.user, sale=sale)  # refused with its sentence
            else:
                reason_form = confirmation_reason(request)
                if not reason_form.is_valid():
                    return self._refusal_confirmation(request, sale, reason_form)
                sale_refuse_request(actor=request.user, sale=sale, note=reason_form.cleaned_data["reason"])
        except SaleError as error:
            messages.error(request, str(error))
        else:
            done = (
                _("The reservation request was confirmed.")
                if decision == "confirm"
                else _("The reservation request was refused and the lots are available again.")
            )
            messages.success(request, done)
        return self._to_sale(sale)

    def _refusal_confirmation(self, request, sale, reason_form):
        main = sale.sale_buyers.select_related("buyer").order_by("-is_main", "pk").first()
        consequences = [
            _("The reservation request of %(buyer)s for %(lots)s (%(price)s) is refused.")
            % {
                "buyer": main.buyer if main else "—",
                "lots": _lot_list(sale),
                "price": money_format(sale.price, sale.programme.currency),
            },
            _("Sale %(sale)s moves to “%(stage)s” and its lots become available for sale again.")
            % {"sale": sale.reference, "stage": Stage.CANCELLED.label},
        ]
        return confirmation_page(
            request,
            self,
            form=reason_form,
            title=_("Refuse the reservation request of sale %(sale)s?") % {"sale": sale.reference},
            consequences=consequences,
            submit=_("Yes, refuse the request"),
            back_url=reverse("admin:sales_sale_change", args=[sale.pk]),
            back_label=sale.reference,
        )

    # Reactivation (SAL-5) -------------------------------------------------------------------------

    def reactivate_view(self, request, object_id):
        sale = self._changeable_sale(request, object_id)
        form = ReactivateForm(request.POST)
        hold_until = None
        if form.is_valid() and form.cleaned_data["hold_until"]:
            day = form.cleaned_data["hold_until"] + timedelta(days=1)
            hold_until = local_day_start(day, sale.programme.time_zone)
        try:
            new_sale = sale_reactivate(actor=request.user, sale=sale, hold_until=hold_until)
        except SaleError as error:
            messages.error(request, str(error))
            return self._to_sale(sale)
        messages.success(
            request,
            _("Sale %(old)s was reactivated as %(new)s.")
            % {"old": sale.reference, "new": new_sale.reference},
        )
        return self._to_sale(new_sale)

    # Saved views and dashboard (SAL-6) ----------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        may_read_views = request.user.has_perm("sales.view_savedview")
        context = {
            "saved_views": list(SavedView.objects.filter(owner=request.user)) if may_read_views else [],
            "may_save_view": request.user.has_perm("sales.add_savedview"),
            "may_delete_view": request.user.has_perm("sales.delete_savedview"),
            "current_query": request.GET.urlencode(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    def saved_view_save_view(self, request):
        if not request.user.has_perm("sales.add_savedview"):
            raise PermissionDenied
        form = SavedViewForm(request.POST)
        changelist = reverse("admin:sales_sale_changelist")
        if not form.is_valid():
            messages.error(request, _("Give the view a name of at most 100 characters."))
            query = request.POST.get("query", "")
            return HttpResponseRedirect(f"{changelist}?{query}" if query else changelist)
        view = saved_view_save(owner=request.user, **form.cleaned_data)
        messages.success(request, _("The view “%(name)s” was saved.") % {"name": view.name})
        return HttpResponseRedirect(f"{changelist}?{view.query}" if view.query else changelist)

    def saved_view_delete_view(self, request, view_id):
        if not request.user.has_perm("sales.delete_savedview"):
            raise PermissionDenied
        if not saved_view_delete(owner=request.user, view_id=view_id):
            raise Http404
        messages.success(request, _("The view was deleted."))
        return HttpResponseRedirect(reverse("admin:sales_sale_changelist"))

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Sales dashboard"),
            "opts": self.opts,
            "dashboard": sales_dashboard(sales_visible_to(request.user)),
        }
        return TemplateResponse(request, "admin/sales/sale/dashboard.html", context)

    # Notary and partner accounts (ACC-6) --------------------------------------------------------

    def partner_account_view(self, request):
        if not request.user.has_perm(PARTNER_ACCOUNT_PERMISSION):
            raise PermissionDenied
        sale = self.sale_or_404(request, request.GET["sale"]) if request.GET.get("sale") else None
        if sale is not None and not self.has_change_permission(request, sale):
            raise PermissionDenied
        form = PartnerAccountForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    account = partner_account_create(actor=request.user, **form.cleaned_data)
                    if sale is not None:
                        sale_assign(
                            actor=request.user, sale=sale, user=account, role=form.cleaned_data["role"]
                        )
            except SaleError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("The account of %(name)s was created and emailed a link to choose a password.")
                    % {"name": account},
                )
                return (
                    self._to_sale(sale)
                    if sale
                    else HttpResponseRedirect(reverse("admin:sales_sale_changelist"))
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Create a notary or partner account"),
            "opts": self.opts,
            "form": form,
            "sale": sale,
        }
        return TemplateResponse(request, "admin/sales/sale/partner_account.html", context)
