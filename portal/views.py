from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.i18n import set_language

from portal.audit.changes import form_values
from portal.branding.selectors import offered_languages
from portal.forms import AccountPreferencesForm
from portal.health import redis_ok
from portal.users.services import account_update


def home(request):
    if not request.user.is_authenticated:
        return redirect("account_login")
    if request.user.is_staff:
        return redirect("admin:index")
    return redirect("space:dashboard")


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means the database is down for us
        database = "down"
    redis = redis_ok()
    healthy = database == "ok" and redis in {"ok", "not configured"}
    return JsonResponse({"database": database, "redis": redis}, status=200 if healthy else 503)


@login_required
def account(request):
    form = AccountPreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        account_update(actor=request.user, values=form_values(form))
        messages.success(request, _("Your preferences are saved."))
        return redirect("account")
    return render(request, "portal/account.html", {"form": form})


def language_set(request):
    """The footer's language switcher: Django's own view (cookie, safe `next`), and for a
    logged-in user the choice becomes his language too, or his own language would win again on
    the next page (UserLanguageMiddleware)."""
    response = set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if (
        request.method == "POST"
        and user.is_authenticated
        and language != user.language
        and language in {code for code, _name in offered_languages()}
    ):
        account_update(actor=user, values={"language": language})
    return response
