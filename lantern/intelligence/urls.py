from django.urls import path

from lantern.intelligence import views

app_name = "intelligence"

urlpatterns = [
    path("", views.index, name="index"),
    path("children/<int:pk>/network/", views.child_network, name="child_network"),
    path("network/", views.network, name="network"),
    path("patterns/", views.patterns, name="patterns"),
    path("links/new/", views.link_create, name="link_create"),
    path("places/", views.item_list, {"kind": "place"}, name="place_list"),
    path("places/new/", views.item_create, {"kind": "place"}, name="place_create"),
    path("places/<int:pk>/", views.item_detail, {"kind": "place"}, name="place_detail"),
    path("places/<int:pk>/disruption/", views.disruption_add, name="disruption_add"),
    path("places/<int:pk>/risk/", views.place_risk, name="place_risk"),
    path("people/", views.item_list, {"kind": "person"}, name="person_list"),
    path("people/new/", views.item_create, {"kind": "person"}, name="person_create"),
    path("people/<int:pk>/", views.item_detail, {"kind": "person"}, name="person_detail"),
    path("phones/", views.item_list, {"kind": "phone"}, name="phone_list"),
    path("phones/new/", views.item_create, {"kind": "phone"}, name="phone_create"),
    path("phones/<int:pk>/", views.item_detail, {"kind": "phone"}, name="phone_detail"),
    path("vehicles/", views.item_list, {"kind": "vehicle"}, name="vehicle_list"),
    path("vehicles/new/", views.item_create, {"kind": "vehicle"}, name="vehicle_create"),
    path("vehicles/<int:pk>/", views.item_detail, {"kind": "vehicle"}, name="vehicle_detail"),
    path("maps/found/", views.map_page, {"kind": "found"}, name="map_found"),
    path("maps/episodes/", views.map_page, {"kind": "episodes"}, name="map_episodes"),
    path("maps/flows/", views.map_page, {"kind": "flows"}, name="map_flows"),
    path("maps/boundaries.geojson", views.boundaries, name="boundaries"),
    path("maps/<str:kind>.<str:fmt>", views.map_image, name="map_image"),
    path("volt/", views.volt, name="volt"),
    path("placement-check/", views.placement_check, name="placement_check"),
    path("notifications/", views.notifications, name="notifications"),
    path(
        "notifications/<int:pk>/acknowledge/",
        views.notification_acknowledge,
        name="notification_acknowledge",
    ),
]
