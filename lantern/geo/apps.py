from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "lantern.geo"
    label = "geo"
