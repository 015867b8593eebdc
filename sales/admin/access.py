"""Buyers' access to the client space from the sales back-office (ACC-5): send, resend, revoke."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sales.errors import SaleError
from sales.invitations import invitation_revoke, invitation_send
from sales.models import Buyer


class AccessActions:
    """Mixed into the sale admin: the list actions and the buttons of the sale's page."""

    def has_access_permission(self, request) -> bool:
        return request.user.has_perm("sales.change_buyer")

    @admin.action(description=gettext_lazy("Send access to the buyers"), permissions=["access"])
    def send_access(self, request, queryset):
        self.buyers_access(
            request, Buyer.objects.filter(sale_buyers__sale__in=queryset.values("pk")).distinct(), "send"
        )

    @admin.action(description=gettext_lazy("Revoke the buyers' pending access links"), permissions=["access"])
    def revoke_access(self, request, queryset):
        self.buyers_access(
            request, Buyer.objects.filter(sale_buyers__sale__in=queryset.values("pk")).distinct(), "revoke"
        )

    def buyers_access(self, request, buyers, operation: str) -> None:
        done = 0
        for buyer in buyers.order_by("last_name", "first_name"):
            try:
                if operation == "send":
                    invitation_send(actor=request.user, buyer=buyer)
                    done += 1
                else:
                    done += 1 if invitation_revoke(actor=request.user, buyer=buyer) else 0
            except SaleError as error:
                messages.error(request, _("%(buyer)s: %(error)s") % {"buyer": buyer, "error": error})
        if operation == "send":
            text = ngettext(
                "An access link was emailed to %(count)d buyer.",
                "An access link was emailed to %(count)d buyers.",
                done,
            )
        else:
            text = ngettext(
                "The pending access link of %(count)d buyer was revoked.",
                "The pending access links of %(count)d buyers were revoked.",
                done,
            )
        messages.add_message(request, messages.SUCCESS if done else messages.WARNING, text % {"count": done})

    def access_view(self, request, object_id, operation):
        """The sale page's "send access" and "revoke" buttons: every buyer, or the one posted."""
        if operation not in {"send", "revoke"}:
            raise Http404
        sale = self.sale_or_404(request, object_id)
        if not self.has_access_permission(request):
            raise PermissionDenied
        buyers = Buyer.objects.filter(sale_buyers__sale=sale)
        if request.POST.get("buyer"):
            buyers = buyers.filter(pk=request.POST["buyer"] if request.POST["buyer"].isdigit() else 0)
            if not buyers.exists():
                raise Http404
        self.buyers_access(request, buyers, operation)
        return HttpResponseRedirect(reverse("admin:sales_sale_change", args=[sale.pk]))
