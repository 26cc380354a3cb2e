from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "apa.indicators"
    label = "indicators"
