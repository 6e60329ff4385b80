from django.urls import path

from lantern.imports import views

app_name = "imports"
urlpatterns = [path("", views.upload, name="upload")]
