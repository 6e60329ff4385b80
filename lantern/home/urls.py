from django.urls import path

app_name = "home"
urlpatterns: list = []
