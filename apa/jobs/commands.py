"""`apa worker` and `apa beat` (system jobs: the operator's, run beside `apa serve`), `apa jobs` (what the
background jobs are doing) and `apa letters build --queue` (the build as a job, one task per letter)."""

import argparse
import time

from apa.errors import ApaError, Problem


def register(commands) -> None:
    p = commands.add_parser("worker", help="run a background-job worker (Celery), for as long as it is left running")
    p.add_argument("--concurrency", type=int, metavar="N", help="tasks at once (default: one per CPU)")
    p.add_argument("--loglevel", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.set_defaults(handler=cmd_worker)
    p = commands.add_parser("beat", help="run the scheduler (Celery beat): publication on time and the daily "
                                         "alert digest; run exactly one")
    p.add_argument("--loglevel", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.set_defaults(handler=cmd_beat)

    jobs = commands.add_parser("jobs", help="background jobs: list them, show one, wait for one").add_subparsers(
        dest="jobs_command", metavar="ACTION", required=True)
    p = jobs.add_parser("list", help="the latest background jobs")
    p.add_argument("--limit", type=int, default=20, metavar="N")
    p.set_defaults(handler=cmd_list)
    p = jobs.add_parser("show", help="one job: its state, progress and outcome")
    p.add_argument("job", type=int, metavar="ID")
    p.add_argument("--wait", action="store_true", help="wait until it has finished; exit 2 if it failed")
    p.add_argument("--timeout", type=float, default=3600, metavar="SECONDS", help="with --wait: give up after")
    p.set_defaults(handler=cmd_show)

    build = _subcommand(commands, "letters", "build")
    build.add_argument("--queue", action="store_true",
                       help="queue the build as a background job (one task per letter) and print its number, "
                            "instead of writing the letters in this process")
    build.set_defaults(handler=_queued_or_not(build.get_default("handler")))


def _subcommand(commands, *names: str) -> argparse.ArgumentParser:
    parser = commands.choices[names[0]]
    for name in names[1:]:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[name]
    return parser


def _queued_or_not(handler):
    def handle(args) -> int:
        if not args.queue:
            return handler(args)
        from .services import letters_job_start

        if args.workers is not None:
            raise ApaError(Problem("--workers is for a build in this process; with --queue the workers of "
                                   "`apa worker` write the letters"))
        job = letters_job_start(framework_code=args.framework, year=args.year, authority=args.authority,
                                directory=args.out)
        print(f"job {job.pk} queued: {job.label}; follow it with `apa jobs show {job.pk} --wait`")
        return 0

    return handle


def _worker_argv(args) -> list[str]:
    from django.conf import settings

    argv = ["worker", f"--loglevel={args.loglevel}", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE]
    if args.concurrency is not None:
        if args.concurrency < 1:
            raise ApaError(Problem("--concurrency must be 1 or more"))
        argv.append(f"--concurrency={args.concurrency}")
    return argv


def _broker_check() -> None:
    from .queue import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        from django.conf import settings

        raise ApaError(Problem(f"Redis does not answer at {settings.CELERY_BROKER_URL}: start it "
                               "(make setup starts Debian's redis-server) or set CELERY_BROKER_URL")) from None


def cmd_worker(args) -> int:
    from .queue import app

    argv = _worker_argv(args)
    _broker_check()
    app.worker_main(argv)
    return 0


def cmd_beat(args) -> int:
    from django.conf import settings

    from .queue import app

    _broker_check()
    app.start(["beat", f"--loglevel={args.loglevel}", f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}"])
    return 0


def _line(job) -> str:
    from .services import job_progress

    done, total = job_progress(job)
    progress = f"{done:,} of {total:,}" if total is not None else f"{done:,}"
    who = job.started_by.username if job.started_by_id else "the schedule or the command line"
    line = f"job {job.pk}\t{job.get_status_display()}\t{progress}\t{job.label}\t(started by {who})"
    return line + (f"\n  {job.outcome}" if job.outcome else "")


def cmd_list(args) -> int:
    from .models import Job

    jobs = list(Job.objects.select_related("started_by")[: max(1, args.limit)])
    if not jobs:
        print("no background jobs yet")
    for job in jobs:
        print(_line(job))
    return 0


def cmd_show(args) -> int:
    from .models import Job

    job = Job.objects.select_related("started_by").filter(pk=args.job).first()
    if job is None:
        raise ApaError(Problem(f"no job {args.job}"))
    deadline = time.monotonic() + args.timeout
    while args.wait and not job.finished:
        if time.monotonic() > deadline:
            raise ApaError(Problem(f"job {job.pk} has not finished after {args.timeout:g} s: {_line(job)}"))
        time.sleep(0.5)
        job.refresh_from_db()
    print(_line(job))
    if args.wait and job.status == Job.Status.FAILED:
        return 2
    return 0
