"""The Celery application: broker and settings from Django's settings (CELERY_*), the tasks of apa.jobs.tasks
and beat's schedule. Workers and beat run as `apa worker` and `apa beat`."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apa.settings")

app = Celery("apa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.imports = ("apa.jobs.tasks",)


def beat_schedule(settings) -> dict:
    """What beat runs: the publications whose time has passed, every JOB_PUBLISH_EVERY seconds, and the alert
    digest once a day at JOB_ALERTS_AT (UK time). Both are idempotent, so a second beat or a late run
    publishes once and emails once."""
    hour, _, minute = settings.JOB_ALERTS_AT.partition(":")
    return {
        "publish-due": {"task": "apa.jobs.tasks.publish_due", "schedule": float(settings.JOB_PUBLISH_EVERY)},
        "alerts-digest": {"task": "apa.jobs.tasks.alerts_digest",
                          "schedule": crontab(hour=int(hour), minute=int(minute or 0))},
    }


@app.on_after_configure.connect
def _schedule(sender, **kwargs) -> None:
    from django.conf import settings

    sender.conf.beat_schedule = beat_schedule(settings)
