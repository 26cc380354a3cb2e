from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "apa.web"
    label = "web"
