from django.urls import path

app_name = "space"

urlpatterns: list = []
