"""The portal's URLs plus the reference page, mounted for the benchmark only."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/reference/", views.reference, name="bench_reference"),
    path("", include("portal.urls")),
]
