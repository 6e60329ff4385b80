from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "lantern.interviews"
    label = "interviews"
