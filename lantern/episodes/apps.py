from django.apps import AppConfig


class EpisodesConfig(AppConfig):
    name = "lantern.episodes"
    label = "episodes"
