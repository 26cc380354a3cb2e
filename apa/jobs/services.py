"""Starting a background job and doing its work: plain functions, called by the pages, the command line and
the Celery tasks (apa.jobs.tasks, which only call these).

A job is a row (Job) written before its first task is queued, so that its page exists at once. Each task may
be delivered more than once (late acknowledgement: a task whose worker died is delivered again), so each does
its work once however often it runs: a letter is an item (JobItem) marked done in the same transaction as its
index row, the index is written when no item is left, and an import or a package is all or nothing."""

import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apa.accounts.permissions import require
from apa.authorities.selectors import authority_resolve
from apa.errors import ApaError, NotFound, Problem
from apa.frameworks.selectors import framework_get
from apa.publication.letter_build import INDEX_COLUMNS, INDEX_NAME, letters_public
from apa.publication.letters import letter_file_write, moment_of
from apa.tabular import write_csv

from .models import Job, JobItem

QUEUE_DOWN = ("the job queue is not answering (Redis at CELERY_BROKER_URL): the job was not started; "
              "try again in a few minutes")


def _enqueue(job: Job, task) -> Job:
    """Queue the job's first task; a queue that does not answer fails the job with one line."""
    try:
        result = task.apply_async(args=[job.pk], retry=True,
                                  retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5})
    except Exception as exc:  # kombu's OperationalError, a refused connection: the person sees one line
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, finished_at=timezone.now(),
                                             outcome=QUEUE_DOWN[0].upper() + QUEUE_DOWN[1:] + ".")
        raise ApaError(Problem(QUEUE_DOWN)) from exc
    Job.objects.filter(pk=job.pk).update(task_id=result.id)
    job.task_id = result.id
    return job


def _tasks():
    from . import tasks

    return tasks


def job_directory(job: Job) -> Path:
    """Where a job writes files a person downloads from its page (letters)."""
    return Path(settings.MEDIA_ROOT) / "jobs" / str(job.pk)


# ---- letters ------------------------------------------------------------------------------------------------

def letters_job_start(*, framework_code: str, year: int | None, directory: str | Path | None = None,
                      authority: str | None = None, actor=None, at: datetime | None = None) -> Job:
    """Queue `apa letters build` as a job: one task per letter. `directory` None writes into the job's own
    directory under MEDIA_ROOT (downloadable from its page). A person on the web (actor) needs
    jobs.build_letters; the command line is a public read, as `apa letters build` is."""
    if actor is not None:
        require("jobs.build_letters", actor)
    framework = framework_get(code=framework_code)
    if framework.yearly and year is None:
        raise ApaError(Problem(f"framework {framework.code} has a letter a year: give the year"))
    place = authority_resolve(text=authority) if authority else None
    if directory is not None:
        directory = Path(directory).resolve()
        if directory.exists() and not directory.is_dir():
            raise ApaError(Problem(f"{directory} is a file; give a directory for the letters"))
    what = f"{framework.title}" + (f", {year}" if year and str(year) not in framework.title else "")
    label = f"Letters of {what}" + (f", {place.name}" if place else "")
    job = Job.objects.create(kind=Job.Kind.LETTERS, label=label, started_by=actor, arguments={
        "framework": framework.code, "year": year, "authority": place.dfe_code if place else None,
        "directory": str(directory) if directory else "", "at": moment_of(at).isoformat()})
    return _enqueue(job, _tasks().letters_plan)


def _letters_directory(job: Job) -> Path:
    return Path(job.arguments["directory"]) if job.arguments.get("directory") else job_directory(job)


def letters_plan(*, job_id: int) -> int:
    """The first task of a letters job: one item per public letter at the job's moment, then one task per item
    not yet done (a second delivery queues only what is left). Returns the number of letters."""
    job = Job.objects.get(pk=job_id)
    if job.finished:
        return job.total or 0
    args = job.arguments
    framework = framework_get(code=args["framework"])
    place = authority_resolve(text=args["authority"]) if args.get("authority") else None
    results = letters_public(framework=framework, year=args.get("year"), authority=place, at=moment_of(args["at"]))
    with transaction.atomic():
        JobItem.objects.bulk_create([JobItem(job=job, key=str(r.pk)) for r in results], ignore_conflicts=True)
        Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(status=Job.Status.RUNNING,
                                                                       started_at=timezone.now())
        Job.objects.filter(pk=job.pk).update(total=len(results))
    try:
        _letters_directory(job).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        job_fail(job_id=job.pk, line=f"cannot create the directory {_letters_directory(job)}: {exc.strerror}")
        return 0
    waiting = list(job.items.filter(done_at__isnull=True).values_list("key", flat=True))
    if not waiting:
        letters_finish(job_id=job.pk)
    for key in waiting:
        _tasks().letter_write.apply_async(args=[job.pk, key])
    return len(results)


def letter_write(*, job_id: int, key: str) -> bool:
    """One letter of a letters job, written once: False when it was already done (a second delivery)."""
    item = JobItem.objects.select_related("job").get(job_id=job_id, key=key)
    job = item.job
    if item.done_at is None and not job.finished:
        JobItem.objects.filter(pk=item.pk).update(attempts=F("attempts") + 1)
        try:
            row = letter_file_write(result_id=int(key), directory=_letters_directory(job), at=job.arguments["at"])
        except NotFound:  # no longer public at the job's moment cannot happen; a deleted result can
            row = None
        with transaction.atomic():
            wrote = JobItem.objects.filter(pk=item.pk, done_at__isnull=True).update(done_at=timezone.now(), row=row)
            if wrote:
                Job.objects.filter(pk=job.pk).update(done=F("done") + 1)
    else:
        wrote = 0
    letters_finish(job_id=job_id)
    return bool(wrote)


def letters_finish(*, job_id: int) -> bool:
    """When no letter is left: the index (in the order of the letters' authorities, as `apa letters build`
    writes it), written whole or not at all, and the job done. Safe to run any number of times."""
    job = Job.objects.get(pk=job_id)
    if job.status == Job.Status.DONE or job.items.filter(done_at__isnull=True).exists():
        return False
    rows = [i.row for i in job.items.order_by("pk") if i.row]
    directory = _letters_directory(job)
    partial = directory / f".{INDEX_NAME}.{uuid.uuid4().hex}.part"
    with partial.open("w", encoding="utf-8", newline="") as handle:
        write_csv(handle, ([row[c] for c in INDEX_COLUMNS] for row in rows), header=INDEX_COLUMNS)
    os.replace(partial, directory / INDEX_NAME)
    letters = f"{len(rows)} letter{'s' if len(rows) != 1 else ''}"
    where = f" to {directory}" if job.arguments.get("directory") else ""
    return bool(Job.objects.filter(pk=job.pk).exclude(status=Job.Status.DONE).update(
        status=Job.Status.DONE, finished_at=timezone.now(), done=len(rows),
        outcome=f"{letters} written{where}, with {INDEX_NAME}."))


def job_fail(*, job_id: int, line: str) -> None:
    """The job failed, with one line saying why (unless it had finished)."""
    Job.objects.filter(pk=job_id).exclude(status=Job.Status.DONE).update(
        status=Job.Status.FAILED, finished_at=timezone.now(), outcome=line[0].upper() + line[1:] + ".")


# ---- an indicator file uploaded on the web ------------------------------------------------------------------

def indicators_job_start(*, upload, fmt: str | None, actor) -> Job:
    """Keep an uploaded indicator file (through the storage API) and queue its import as a job of the person
    who uploaded it; the import is the one `apa indicators import` runs, all or nothing."""
    from apa.uploads import INDICATORS_FILE, size_text

    require("indicators.import_values", actor)
    if upload.size > INDICATORS_FILE.max_bytes:
        raise ApaError(Problem(f"the file is {size_text(upload.size)}; {INDICATORS_FILE.kind} may be at most "
                               f"{size_text(INDICATORS_FILE.max_bytes)}", column="file"))
    name = Path(upload.name).name or "upload"
    stored = default_storage.save(f"jobs/uploads/{uuid.uuid4().hex}/{name}", upload)
    job = Job.objects.create(kind=Job.Kind.INDICATORS, label=f"Indicator import: {name}", started_by=actor,
                             arguments={"file": stored, "name": name, "format": fmt or None})
    return _enqueue(job, _tasks().indicators_import)


def indicators_import_run(*, job_id: int, report) -> str:
    """The import of a job's uploaded file; `report(done, total)` is told the values written. A second delivery
    of a finished job does nothing; of a job whose import was interrupted, imports again (the interrupted
    import changed nothing)."""
    from apa.accounts.models import User
    from apa.indicators.files import indicator_file_read
    from apa.indicators.services import indicator_values_import
    from apa.uploads import INDICATORS_FILE, file_check

    job = Job.objects.get(pk=job_id)
    if job.finished:
        return job.outcome
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    args = job.arguments
    actor = User.objects.get(pk=job.started_by_id)
    try:
        with _local_copy(args["file"], args["name"]) as path:
            file_check(path, INDICATORS_FILE)
            reading = indicator_file_read(path=path, fmt=args.get("format"))
            summary = indicator_values_import(reading=reading, actor=actor, progress=report)
    except ApaError as exc:
        job_fail(job_id=job.pk, line="nothing was imported: " + "; ".join(exc.lines[:10]))
        return job.outcome
    outcome = f"Imported {summary}."
    warnings = [w for w in summary.warnings][:10]
    if warnings:
        outcome += " Warnings: " + "; ".join(warnings) + "."
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, finished_at=timezone.now(), outcome=outcome,
                                         done=summary.created + summary.changed,
                                         total=summary.created + summary.changed)
    return outcome


class _local_copy:
    """A stored file as a path on this machine: the file itself on the file system, a temporary copy from any
    other storage (object storage), removed afterwards. The name it had is kept, as readers look at it."""

    def __init__(self, stored: str, name: str):
        self.stored, self.name, self.scratch = stored, name, None

    def __enter__(self) -> Path:
        try:
            return Path(default_storage.path(self.stored))
        except NotImplementedError:
            import tempfile

            self.scratch = Path(tempfile.mkdtemp(prefix="apa-job-"))
            target = self.scratch / self.name
            with default_storage.open(self.stored, "rb") as source, target.open("wb") as out:
                shutil.copyfileobj(source, out)
            return target

    def __exit__(self, *exc) -> None:
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


# ---- an open-data package -----------------------------------------------------------------------------------

def opendata_job_start(*, actor=None) -> Job:
    """Queue the build of the latest public release's package and the latest data release's indicators
    package, so that the first person to download them waits for nothing. After a publication, beat queues it
    itself (actor None)."""
    if actor is not None:
        require("jobs.build_opendata", actor)
    job = Job.objects.create(kind=Job.Kind.OPENDATA, label="Open-data packages of the latest releases",
                             started_by=actor, arguments={})
    return _enqueue(job, _tasks().opendata_build)


def opendata_build_run(*, job_id: int, report) -> str:
    from apa.opendata.selectors import release_latest
    from apa.opendata.services import indicators_download, release_download

    job = Job.objects.get(pk=job_id)
    if job.finished:
        return job.outcome
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now(), total=2)
    built = []
    try:
        release = release_latest()
    except NotFound:
        release = None
    report(0, 2)
    if release is not None:
        files = release_download(release=release)
        built.append(f"release {release.number} ({len(files)} files)")
    report(1, 2)
    data_release = _latest_data_release()
    if data_release is not None:
        files = indicators_download(data_release=data_release)
        built.append(f"indicator data release {data_release.pk} ({len(files)} files)")
    report(2, 2)
    outcome = ("Built the packages of " + " and ".join(built) + ".") if built else "No release to build yet."
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, finished_at=timezone.now(), done=2,
                                         outcome=outcome)
    return outcome


def _latest_data_release():
    from apa.opendata.selectors import data_release_get

    try:
        return data_release_get()
    except NotFound:
        return None


# ---- the schedule -------------------------------------------------------------------------------------------

def publish_due() -> int:
    """Beat's minute: record the publications whose time has passed (idempotent); when any was, queue the
    open-data packages of the new release. Returns the number of assessments published."""
    from apa.assessments.services import cycle_publish_due

    done = cycle_publish_due()
    if done:
        try:
            opendata_job_start()
        except ApaError:
            pass  # the packages are built on first download instead
    return len(done)


def alerts_digest() -> dict:
    from apa.plans.alerts import alerts_send

    run = alerts_send()
    return {"emails": run.emails, "alerts": run.alerts, "waiting": run.waiting}


# ---- progress -----------------------------------------------------------------------------------------------

def job_progress(job: Job) -> tuple[int, int | None]:
    """(done, total) for the job's page: the items done for a letters job (in the database, each its own
    transaction); for an import or a package, what its task last reported to the result backend (an import
    is one transaction, which other connections cannot see into)."""
    if job.kind == Job.Kind.LETTERS or job.finished:
        return job.done, job.total
    try:
        from celery.result import AsyncResult

        result = AsyncResult(job.task_id)
        if result.state == "PROGRESS" and isinstance(result.info, dict):
            return int(result.info.get("done", 0)), result.info.get("total")
    except Exception:  # a result backend that does not answer: the page still shows the job's state
        pass
    return job.done, job.total


def jobs_for_user(*, user):
    """The jobs a person may see: their own; an admin's, everyone's."""
    qs = Job.objects.select_related("started_by")
    if user.is_admin:
        return qs
    return qs.filter(started_by=user)


def job_for_user(*, user, pk: int) -> Job:
    from apa.accounts.permissions import require_visible

    job = Job.objects.select_related("started_by").filter(pk=pk).first()
    require_visible("jobs.view_job", user, job, "job")
    return job
