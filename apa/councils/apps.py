from django.apps import AppConfig


class CouncilsConfig(AppConfig):
    name = "apa.councils"
    label = "councils"
    verbose_name = "Council side: meetings, reports, decisions"
