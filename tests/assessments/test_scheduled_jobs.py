"""Publication on time as beat runs it (apa.jobs.tasks.publish_due, called as the worker calls it): a cycle
whose publication time has passed is published once, however often the task runs, and its open-data packages
are queued once."""

from datetime import timedelta
from unittest import mock

from django.utils import timezone

from apa.assessments import services
from apa.assessments.models import ChangeLog, State
from apa.assessments.workflow import assessment_transition
from apa.jobs import services as jobs
from apa.jobs import tasks
from apa.jobs.models import Job

from .test_cycle import _to_moderation


def test_a_due_publication_is_recorded_once_however_often_the_schedule_runs(kent, users):
    _to_moderation(kent, users)
    assessment_transition(assessment=kent, to=State.MODERATED, actor=users["moderator"])
    publish_at = timezone.now() + timedelta(days=2)
    services.cycle_schedule(cycle=kent.cycle, publish_at=publish_at, actor=users["publisher"])
    queued = []
    with mock.patch.object(jobs, "_enqueue", side_effect=lambda job, task: queued.append((job, task)) or job):
        assert tasks.publish_due.run() == 0, "not yet due"
        with mock.patch("django.utils.timezone.now", return_value=publish_at + timedelta(minutes=1)):
            assert tasks.publish_due.run() == 1
            assert tasks.publish_due.run() == 0
            assert tasks.publish_due.run() == 0
    kent.refresh_from_db()
    assert kent.state == State.PUBLISHED
    assert ChangeLog.objects.filter(assessment=kent, action="transition", after=State.PUBLISHED).count() == 1
    assert [(job.kind, job.started_by, task) for job, task in queued] == [(Job.Kind.OPENDATA, None, tasks.opendata_build)]


def test_the_open_data_job_builds_the_packages_once(kent, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = Job.objects.create(kind=Job.Kind.OPENDATA, label="Open-data packages", arguments={})
    reported = []
    outcome = jobs.opendata_build_run(job_id=job.pk, report=lambda done, total: reported.append((done, total)))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.outcome == outcome
    assert reported[-1] == (2, 2)
    assert jobs.opendata_build_run(job_id=job.pk, report=reported.append) == outcome, "a second delivery"
    assert reported[-1] == (2, 2)
