from django.urls import path

from lantern.episodes import views

app_name = "episodes"
urlpatterns = [
    path("report/<int:child_pk>/", views.report, name="report"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/grade/", views.grade, name="grade"),
    path("<int:pk>/return/", views.record_return, name="return"),
]
