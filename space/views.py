"""The client space: buyers' purchases, notaries' and partners' sales files, reservation requests.

Every object comes through a selector scoped to the user; another person's sale answers 404.
"""

from functools import wraps

from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from payments.selectors import client_payments_of_sales, client_payments_to_pay_count
from portal.branding.selectors import company_settings_get
from portal.pagination import FirstPagePaginator
from portal.timezones import in_zone, local_today
from programmes.models import Lot, Milestone
from programmes.selectors import programme_delivery_date
from sales.errors import SaleError
from sales.invitations import (
    InvitationForExistingAccount,
    InvitationInvalid,
    invitation_accept,
    invitation_for_existing_account,
    invitation_get_valid,
)
from sales.models import Sale, Stage
from sales.selectors import (
    client_sale_calendar_get,
    client_sale_page,
    client_sales_overview,
    lot_for_request_get,
    lots_open_for_requests,
    sales_summaries,
)
from sales.services import sale_request_reservation, sale_withdraw_request
from space import presenters
from space.forms import InvitationPasswordForm


def client_space(view):
    """Logged-in buyers, notaries and partners; staff belong in the back-office.

    Their pages show one person's purchase and money: no browser or shared cache keeps them
    (`Cache-Control: private, no-store`), so the back button after logging out shows nothing."""

    @never_cache
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_staff:
            return redirect("admin:index")
        return view(request, *args, **kwargs)

    return wrapper


def _page(request, items):
    return FirstPagePaginator(items, company_settings_get().rows_per_page).get_page(request.GET.get("page"))


def _render(request, template: str, context: dict, **kwargs):
    return render(request, template, {"external": presenters.is_external(request.user), **context}, **kwargs)


@client_space
def dashboard(request):
    page = _page(request, client_sales_overview(request.user))
    sales = list(page.object_list)
    summaries = sales_summaries([sale.pk for sale in sales])
    if presenters.is_external(request.user):
        rows = [(sale, summaries[sale.pk]) for sale in sales]
        return _render(
            request, "space/dashboard_external.html", {"page": page, "rows": rows, "nav": "dashboard"}
        )
    payments = client_payments_of_sales(request.user, [sale.pk for sale in sales])
    rows = [(sale, summaries[sale.pk], presenters.next_step_for_buyer(sale, payments)) for sale in sales]
    every_sale_shown = page.paginator.num_pages == 1
    to_pay = client_payments_to_pay_count(request.user, every_payment=payments if every_sale_shown else None)
    context = {"page": page, "rows": rows, "to_pay": to_pay, "nav": "dashboard"}
    return _render(request, "space/dashboard.html", context)


def _sale_or_404(getter, user, sale_id: int):
    try:
        return getter(user, sale_id)
    except Sale.DoesNotExist:
        raise Http404(_("No such sale.")) from None


@client_space
def sale_detail(request, sale_id: int):
    page = _sale_or_404(client_sale_page, request.user, sale_id)
    sale = page.sale
    role = presenters.viewer_role(request.user, page)
    context = {
        "sale": sale,
        "programme": sale.programme,
        "role": role,
        "as_buyer": role == presenters.BUYER,
        "stage": presenters.choice_label(Stage, sale.stage),
        "contract_type": presenters.choice_label(Sale.ContractType, sale.contract_type),
        "lots": presenters.lots(page),
        "buyers": page.buyers,
        "timeline": presenters.stage_timeline(sale),
        "key_dates": presenters.key_dates(
            sale, delivery_date=programme_delivery_date(sale.programme, sale.delivery_milestone_day)
        ),
        "next_step": presenters.next_step_for_buyer(
            sale, client_payments_of_sales(request.user, [sale.pk]) if role == presenters.BUYER else ()
        ),
        "pending_request": role == presenters.BUYER and presenters.is_pending_request(sale),
        "due_next": _due_next(sale),
        "notaries": presenters.notaries(page),
        "partners": presenters.partners(page),
        "nav": "dashboard",
    }
    return _render(request, "space/sale.html", context)


def _due_next(sale):
    # space.schedule builds on this module's helpers, hence imported here.
    from space.schedule import sale_due_next

    return sale_due_next(sale)


@client_space
def sale_calendar(request, sale_id: int):
    sale = _sale_or_404(client_sale_calendar_get, request.user, sale_id)
    programme = sale.programme
    milestones = list(programme.milestones.all())
    has_delivery_milestone = any(milestone.kind == Milestone.Kind.DELIVERY for milestone in milestones)
    context = {
        "sale": sale,
        "programme": programme,
        "milestones": presenters.calendar_rows(milestones, today=local_today(programme.time_zone)),
        # Said below the calendar only when no milestone of it gives the delivery date already.
        "delivery_date": None if has_delivery_milestone else programme.delivery_date,
        "nav": "dashboard",
    }
    return _render(request, "space/calendar.html", context)


@client_space
def reserve(request):
    if presenters.is_external(request.user):
        raise Http404(_("Only buyers may request reservations."))
    page = _page(request, lots_open_for_requests(request.user))
    return _render(request, "space/reserve.html", {"page": page, "lots": page.object_list, "nav": "reserve"})


@client_space
@require_http_methods(["GET", "POST"])
def reserve_lot(request, lot_id: int):
    """GET asks the buyer to confirm what he is about to request; POST sends the request."""
    if presenters.is_external(request.user):
        raise Http404(_("Only buyers may request reservations."))
    try:
        lot = lot_for_request_get(request.user, lot_id)
    except Lot.DoesNotExist:
        raise Http404(_("No such lot.")) from None
    if request.method == "GET":
        context = {"lot": lot, "programme": lot.programme, "nav": "reserve"}
        return _render(request, "space/reserve_confirm.html", context)
    try:
        sale = sale_request_reservation(user=request.user, lot=lot)
    except SaleError as error:
        messages.error(request, str(error))
        return redirect("space:reserve")
    held_until = formats.date_format(in_zone(sale.hold_until, lot.programme.time_zone), "DATETIME_FORMAT")
    messages.success(
        request,
        _(
            "Your request for lot %(lot)s is sent. The lot is held for you until %(date)s "
            "while your advisor confirms it."
        )
        % {"lot": lot, "date": held_until},
    )
    return redirect("space:sale", sale_id=sale.pk)


@client_space
@require_http_methods(["GET", "POST"])
def withdraw_request(request, sale_id: int):
    """A buyer withdraws his own pending reservation request, after confirming it (GET)."""
    page = _sale_or_404(client_sale_page, request.user, sale_id)
    sale = page.sale
    if presenters.viewer_role(request.user, page) != presenters.BUYER or not presenters.is_pending_request(
        sale
    ):
        raise Http404(_("No pending reservation request here."))
    if request.method == "GET":
        numbers = [link.lot.number for link in page.lots]
        context = {
            "sale": sale,
            "programme": sale.programme,
            "lot_numbers": ", ".join(numbers),
            "lot_count": len(numbers),
            "nav": "dashboard",
        }
        return _render(request, "space/withdraw_request.html", context)
    try:
        sale_withdraw_request(user=request.user, sale=sale)
    except SaleError as error:
        messages.error(request, str(error))
        return redirect("space:sale", sale_id=sale.pk)
    messages.success(request, _("Your reservation request is withdrawn and the lot is free again."))
    return redirect("space:dashboard")


def _invitation_refused(request):
    # The same page and status for an unknown, used, revoked or expired link: nothing to probe.
    return render(request, "space/invitation_invalid.html", status=404)


@never_cache
def invitation(request, token: str):
    """A buyer's "send access" link: he chooses his password and is logged in."""
    pending = invitation_get_valid(token)
    if pending is None:
        return _invitation_refused(request)
    if not request.user.is_authenticated:
        # He was written to in his own language; the page follows it.
        translation.activate(pending.buyer.language)
        request.LANGUAGE_CODE = pending.buyer.language
    if invitation_for_existing_account(pending):
        # Never a password form for an account that has one: the ordinary ways in are for it.
        return render(request, "space/invitation_existing_account.html", status=409)
    form = InvitationPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(token=token, password=form.cleaned_data["password1"])
        except InvitationForExistingAccount:
            return render(request, "space/invitation_existing_account.html", status=409)
        except InvitationInvalid:
            return _invitation_refused(request)
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            messages.success(request, _("Your password is set. Welcome to your client space."))
            return perform_login(request, user, redirect_url=reverse("space:dashboard"))
    login_email = pending.buyer.user.email if pending.buyer.user else pending.buyer.email
    return render(
        request, "space/invitation.html", {"form": form, "buyer": pending.buyer, "login_email": login_email}
    )
