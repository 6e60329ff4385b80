from django.urls import path

from lantern.panels import views

app_name = "panels"
urlpatterns = [
    path("", views.index, name="index"),
    path("actions/", views.actions, name="actions"),
    path("actions/<int:pk>/status/", views.action_status, name="action_status"),
    path("weekly/", views.weekly, name="weekly"),
    path("weekly.pdf", views.weekly_pdf, name="weekly_pdf"),
    path("<int:pk>/", views.panel_detail, name="panel"),
    path("<int:pk>/criteria/<int:rule_pk>/", views.rule_edit, name="rule_edit"),
    path("<int:pk>/suggestions/", views.suggestions, name="suggestions"),
    path("<int:pk>/refer/", views.refer, name="refer"),
    path("<int:pk>/refer/<int:child_pk>/", views.refer, name="refer_child"),
    path("<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/build/", views.meeting_build, name="meeting_build"),
    path("meetings/<int:pk>/status/", views.meeting_status, name="meeting_status"),
    path("meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("meetings/<int:pk>/pack-<str:version>.pdf", views.pack, name="pack"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/decision/", views.decision, name="decision"),
    path("items/<int:pk>/actions/new/", views.action_new, name="action_new"),
    path("items/<int:pk>/handover/", views.handover, name="handover"),
    path("items/<int:pk>/remove/", views.item_remove, name="item_remove"),
    path("items/<int:pk>/nrm/", views.nrm, name="nrm"),
]
