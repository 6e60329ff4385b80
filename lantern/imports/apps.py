from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "lantern.imports"
    label = "imports"
