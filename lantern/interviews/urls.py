from django.urls import path

from lantern.interviews import views

app_name = "interviews"
urlpatterns = [
    path("record/<int:child_pk>/", views.record, name="record"),
    path("<int:pk>/", views.detail, name="detail"),
]
