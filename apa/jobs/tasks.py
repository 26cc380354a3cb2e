"""The Celery tasks: each calls one function of apa.jobs.services, which does the work once however often the
task is delivered (acknowledged late, delivered again if its worker dies)."""

from celery import Task

from . import services
from .queue import app


class JobTask(Task):
    """A task of a job: if it fails with an error no one expected, the job says so on its page (the error
    itself goes to the worker's log)."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        job_id = args[0] if args else kwargs.get("job_id")
        if job_id is not None:
            services.job_fail(job_id=job_id, line="the job stopped on an unexpected error; it is in the worker's "
                                                  "log, and the job can be started again")


def _reporter(task):
    def report(done: int, total: int | None) -> None:
        if task.request.id:  # run by a worker; called directly (a test), there is nowhere to report to
            task.update_state(state="PROGRESS", meta={"done": done, "total": total})

    return report


@app.task(name="apa.jobs.tasks.letters_plan", base=JobTask)
def letters_plan(job_id: int) -> int:
    return services.letters_plan(job_id=job_id)


@app.task(name="apa.jobs.tasks.letter_write", base=JobTask)
def letter_write(job_id: int, key: str) -> bool:
    return services.letter_write(job_id=job_id, key=key)


@app.task(name="apa.jobs.tasks.indicators_import", bind=True, base=JobTask)
def indicators_import(self, job_id: int) -> str:
    return services.indicators_import_run(job_id=job_id, report=_reporter(self))


@app.task(name="apa.jobs.tasks.opendata_build", bind=True, base=JobTask)
def opendata_build(self, job_id: int) -> str:
    return services.opendata_build_run(job_id=job_id, report=_reporter(self))


@app.task(name="apa.jobs.tasks.publish_due")
def publish_due() -> int:
    return services.publish_due()


@app.task(name="apa.jobs.tasks.alerts_digest")
def alerts_digest() -> dict:
    return services.alerts_digest()
