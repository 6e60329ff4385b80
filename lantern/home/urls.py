from django.urls import path

from lantern.home import views

app_name = "home"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("about/", views.about, name="about"),
]
