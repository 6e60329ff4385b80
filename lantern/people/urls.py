from django.urls import path

from lantern.people import views

app_name = "people"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/access-log/", views.access_log, name="access_log"),
    path("<int:pk>/placements/new/", views.placement_add, name="placement_add"),
    path(
        "<int:pk>/placements/<int:placement_pk>/end/",
        views.placement_end,
        name="placement_end",
    ),
    path("<int:pk>/lead-professional/", views.lead_change, name="lead_change"),
]
