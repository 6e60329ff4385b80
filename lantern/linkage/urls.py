from django.urls import path

from lantern.linkage import views

app_name = "linkage"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("pairs/<int:pk>/", views.pair, name="pair"),
    path("merges/<int:pk>/undo/", views.unmerge, name="unmerge"),
]
