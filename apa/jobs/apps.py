from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "apa.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
