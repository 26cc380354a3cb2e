from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "apa.api"
    label = "api"
