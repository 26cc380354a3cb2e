from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "apa.ui"
    label = "ui"
