from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "apa.assessments"
    label = "assessments"
    verbose_name = "Assessment cycles"

    def ready(self):
        from . import receivers

        receivers.connect()
