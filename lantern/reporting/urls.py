from django.urls import path

from lantern.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="index"),
    path("monthly/", views.monthly, name="monthly"),
    path("monthly/download/", views.monthly_csv, name="monthly_csv"),
    path("returns/", views.returns, name="returns"),
    path("returns/ssda903/checks/", views.checks, name="checks"),
    path("returns/ssda903/download/", views.ssda903_csv, name="ssda903_csv"),
    path("returns/ssda903/checks/download/", views.ssda903_checks_csv, name="checks_csv"),
    path("returns/annex-a/download/", views.annex_a_csv, name="annex_a_csv"),
    path("returns/ssd/download/", views.ssd_csv, name="ssd_csv"),
    path("regional/", views.regional, name="regional"),
    path("regional/download/", views.regional_csv, name="regional_csv"),
]
