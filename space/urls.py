from django.urls import path

from space import email_change, payments, views

app_name = "space"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sales/<int:sale_id>/", views.sale_detail, name="sale"),
    path("sales/<int:sale_id>/calendar/", views.sale_calendar, name="calendar"),
    path("sales/<int:sale_id>/withdraw-request/", views.withdraw_request, name="withdraw_request"),
    path("reserve/", views.reserve, name="reserve"),
    path("reserve/<int:lot_id>/", views.reserve_lot, name="reserve_lot"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("email/<str:token>/", email_change.email_confirm, name="email_confirm"),
    path("payments/", payments.payments, name="payments"),
    path("payments/<int:payment_id>/receipt/", payments.receipt_download, name="receipt"),
]
