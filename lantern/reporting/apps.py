from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "lantern.reporting"
    label = "reporting"
