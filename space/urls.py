from django.urls import path

from space import views

app_name = "space"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sales/<int:sale_id>/", views.sale_detail, name="sale"),
    path("sales/<int:sale_id>/calendar/", views.sale_calendar, name="calendar"),
    path("reserve/", views.reserve, name="reserve"),
    path("reserve/<int:lot_id>/", views.reserve_lot, name="reserve_lot"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
]
