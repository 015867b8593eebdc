from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from portal import views

# The admin login goes through allauth, so rate limits and the second factor apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = admin.site.site_title = "Back-office"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("account/", views.account, name="account"),
    path("i18n/setlang/", views.language_set, name="set_language"),  # Django's, remembered for the user
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("space/", include("space.urls")),
    path("payments/", include("payments.urls")),
    path("", include("portal.branding.urls")),  # /branding.css, /branding/logo, /branding/background
]
