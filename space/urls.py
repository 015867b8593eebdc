from django.urls import path

from space import email_change, payments, schedule, views

app_name = "space"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sales/<int:sale_id>/", views.sale_detail, name="sale"),
    path("sales/<int:sale_id>/calendar/", views.sale_calendar, name="calendar"),
    path("sales/<int:sale_id>/schedule/", schedule.schedule, name="schedule"),
    path("sales/<int:sale_id>/calls/<int:call_id>/letter/", schedule.call_letter, name="call_letter"),
    path("sales/<int:sale_id>/invoices/<int:invoice_id>/", schedule.invoice_download, name="invoice"),
    path("sales/<int:sale_id>/withdraw-request/", views.withdraw_request, name="withdraw_request"),
    path("reserve/", views.reserve, name="reserve"),
    path("reserve/<int:lot_id>/", views.reserve_lot, name="reserve_lot"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("email/<str:token>/", email_change.email_confirm, name="email_confirm"),
    path("payments/", payments.payments, name="payments"),
    path("payments/<int:payment_id>/receipt/", payments.receipt_download, name="receipt"),
]
