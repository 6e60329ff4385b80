from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "lantern.panels"
    label = "panels"
