from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "apa.opendata"
    label = "opendata"
    verbose_name = "Open data"

    def ready(self):
        from . import receivers

        receivers.connect()
