from django.apps import AppConfig


class AuthoritiesConfig(AppConfig):
    name = "apa.authorities"
    label = "authorities"
