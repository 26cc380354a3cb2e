"""The background jobs' pages: start one (letters, an indicator file, the open-data packages) and follow it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from apa.accounts.models import Role
from apa.accounts.permissions import has_perm
from apa.errors import ApaError, NotFound, PermissionDenied
from apa.publication.letter_build import INDEX_NAME
from apa.ui.access import roles
from apa.ui.posts import bad_request

from .forms import IndicatorsJobForm, LettersJobForm
from .models import Job
from .services import (
    indicators_job_start,
    job_directory,
    job_for_user,
    job_progress,
    jobs_for_user,
    letters_job_start,
    opendata_job_start,
)

JOB_ROLES = (Role.PUBLISHER, "admin")


def _may(user) -> dict:
    return {"letters": has_perm("jobs.build_letters", user), "opendata": has_perm("jobs.build_opendata", user),
            "indicators": has_perm("indicators.import_values", user)}


@roles(*JOB_ROLES)
def job_list(request):
    jobs = list(jobs_for_user(user=request.user)[:50])
    return render(request, "jobs/job_list.html", {
        "jobs": [(job, *job_progress(job)) for job in jobs], "may": _may(request.user),
        "letters_form": LettersJobForm(), "indicators_form": IndicatorsJobForm()})


def _started(request, start):
    try:
        job = start()
    except PermissionDenied as exc:
        raise HttpForbidden(exc.lines[0]) from None
    except ApaError as exc:
        return None, exc.lines
    messages.success(request, f"Job {job.pk} started: {job.label}. This page shows its progress.")
    return redirect(reverse("job_detail", args=[job.pk])), []


@roles(Role.PUBLISHER)
def letters_start(request):
    form = LettersJobForm(request.POST or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done, problems = _started(request, lambda: letters_job_start(
            framework_code=data["framework"], year=data["year"], actor=request.user))
        if done:
            return done
    return render(request, "jobs/letters_start.html", {"form": form, "problems": problems})


@roles("admin")
def indicators_start(request):
    form = IndicatorsJobForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done, problems = _started(request, lambda: indicators_job_start(
            upload=data["file"], fmt=data["format"] or None, actor=request.user))
        if done:
            return done
    return render(request, "jobs/indicators_start.html", {"form": form, "problems": problems})


@roles(Role.PUBLISHER)
def opendata_start(request):
    problems = []
    if request.method == "POST":
        if request.POST.get("action") != "build":
            return bad_request(request)
        done, problems = _started(request, lambda: opendata_job_start(actor=request.user))
        if done:
            return done
    return render(request, "jobs/opendata_start.html", {"problems": problems})


def _job_or_404(request, pk: int) -> Job:
    try:
        return job_for_user(user=request.user, pk=pk)
    except NotFound:
        raise Http404("No such job") from None  # another person's job is as missing as one that never was


@roles(Role.PUBLISHER, "admin")
def job_detail(request, pk: int):
    job = _job_or_404(request, pk)
    done, total = job_progress(job)
    files = []
    if job.kind == Job.Kind.LETTERS and job.status == Job.Status.DONE and not job.arguments.get("directory"):
        files = [INDEX_NAME] + sorted(i.row["file"] for i in job.items.all() if i.row)
    percent = int(100 * done / total) if total else (100 if job.finished else 0)
    return render(request, "jobs/job_detail.html", {
        "job": job, "done": done, "total": total, "percent": percent, "files": files})


@roles(Role.PUBLISHER, "admin")
def job_file(request, pk: int, name: str):
    job = _job_or_404(request, pk)
    if job.kind != Job.Kind.LETTERS or job.status != Job.Status.DONE or job.arguments.get("directory"):
        raise Http404("No such file")
    allowed = {INDEX_NAME} | {i.row["file"] for i in job.items.all() if i.row}
    path = job_directory(job) / name
    if name not in allowed or not path.is_file():
        raise Http404("No such file")
    content_type = "text/csv; charset=utf-8" if name == INDEX_NAME else "application/pdf"
    return FileResponse(path.open("rb"), content_type=content_type, as_attachment=True, filename=name)
