from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("lantern.home.urls")),
    path("account/", include("lantern.accounts.urls")),
    path("children/", include("lantern.people.urls")),
    path("episodes/", include("lantern.episodes.urls")),
    path("interviews/", include("lantern.interviews.urls")),
    path("risk/", include("lantern.risk.urls")),
    path("reports/", include("lantern.reporting.urls")),
    path("panels/", include("lantern.panels.urls")),
    path("intelligence/", include("lantern.intelligence.urls")),
    path("linkage/", include("lantern.linkage.urls")),
    path("api/", include("lantern.api.urls")),
    path("imports/", include("lantern.imports.urls")),
    path("admin/", admin.site.urls),
]
