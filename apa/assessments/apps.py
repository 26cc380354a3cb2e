from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "apa.assessments"
    label = "assessments"
    verbose_name = "Assessment cycles"
