from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "apa.frameworks"
    label = "frameworks"
