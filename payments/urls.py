from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("pay/<str:token>/", views.pay, name="pay"),
    path("pay/<str:token>/checkout/", views.checkout, name="checkout"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("simulated/<str:session_id>/", views.simulated_checkout, name="simulated_checkout"),
]
