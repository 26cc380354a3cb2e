from django.apps import AppConfig


class CouncilsConfig(AppConfig):
    name = "apa.councils"
    label = "councils"
    verbose_name = "Council side: reports, decisions, improvement plans"
