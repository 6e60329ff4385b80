"""The project's URLs with the imports page, until the project includes it itself."""

from django.urls import include, path

from lantern.urls import urlpatterns as project

urlpatterns = [*project]
if not any(getattr(p, "app_name", None) == "imports" for p in project):
    urlpatterns.append(path("imports/", include("lantern.imports.urls")))
