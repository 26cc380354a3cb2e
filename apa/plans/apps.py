from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "apa.plans"
    label = "plans"
    verbose_name = "Improvement plans, clinics, progress reports and alerts"

    def ready(self):
        from . import receivers

        receivers.connect()
