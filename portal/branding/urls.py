from django.urls import path

from portal.branding import views

urlpatterns = [
    path("branding.css", views.stylesheet, name="branding_css"),
    path("branding/logo", views.logo, name="branding_logo"),
    path("branding/background", views.background, name="branding_background"),
]
