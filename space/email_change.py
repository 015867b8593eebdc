"""A buyer confirms the new address staff typed for him (his login moves there only then).

The link proves the new inbox is his; being logged in proves he holds the account. Opening the
link shows a button; only the POST changes anything.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sales.invitations import EmailChangeInvalid, buyer_email_change_pending, buyer_email_confirm


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def email_confirm(request, token: str):
    try:
        email = buyer_email_change_pending(user=request.user, token=token)
        if request.method == "POST":
            buyer_email_confirm(user=request.user, token=token)
            messages.success(request, _("Your login address is now %(email)s.") % {"email": email})
            return redirect("space:dashboard")
    except EmailChangeInvalid:
        return render(request, "space/invitation_invalid.html", status=404)
    return render(request, "space/email_confirm.html", {"email": email})
