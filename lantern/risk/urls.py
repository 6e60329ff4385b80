from django.urls import path

from lantern.risk import views

app_name = "risk"
urlpatterns = [
    path("children/<int:pk>/", views.child_risk, name="child"),
    path("children/<int:pk>/chart.svg", views.child_chart, name="child_chart"),
    path(
        "children/<int:child_pk>/screenings/start/", views.assessment_start, name="assessment_start"
    ),
    path("screenings/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("screenings/<int:pk>/complete/", views.assessment_complete, name="assessment_complete"),
    path("flags/<int:pk>/clear/", views.flag_clear, name="flag_clear"),
    path("episodes/<int:episode_pk>/found-with/", views.findings_record, name="findings"),
    path("language-check/", views.language_check, name="language_check"),
]
