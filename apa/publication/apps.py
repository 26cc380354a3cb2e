from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "apa.publication"
    label = "publication"
