"""The background jobs' pages in one process (tests/jobs/test_worker.py runs them on real workers): who sees
which job, the progress shown, a queue that does not answer, the files a letters job wrote."""

from unittest import mock

import pytest
from kombu.exceptions import OperationalError

from apa.accounts.models import User
from apa.jobs import tasks
from apa.jobs.models import Job, JobItem


@pytest.fixture
def people(db):
    return {u.username: u for u in User.objects.filter(username__in=["publisher", "admin", "moderator"])}


def test_a_job_page_shows_progress_to_its_starter_and_admins_only(client, people):
    job = Job.objects.create(kind=Job.Kind.LETTERS, label="Letters of APA 2008", started_by=people["publisher"],
                             status=Job.Status.RUNNING, total=40, done=12)
    client.force_login(people["publisher"])
    page = client.get(f"/jobs/{job.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "12 of 40 (30%)" in text and 'data-finished="false"' in text
    assert "Letters of APA 2008" in client.get("/jobs/").content.decode()
    client.force_login(people["admin"])
    assert client.get(f"/jobs/{job.pk}/").status_code == 200
    client.force_login(User.objects.create_user("publisher_2", role="publisher"))
    assert client.get(f"/jobs/{job.pk}/").status_code == 404, "another publisher's job is not found"
    assert "Letters of APA 2008" not in client.get("/jobs/").content.decode()
    client.force_login(people["moderator"])
    assert client.get(f"/jobs/{job.pk}/").status_code == 403
    client.logout()
    assert client.get(f"/jobs/{job.pk}/").status_code == 302, "to sign in"


def test_a_finished_letters_job_offers_its_files_and_nothing_else(client, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = Job.objects.create(kind=Job.Kind.LETTERS, label="Letters", started_by=people["publisher"],
                             status=Job.Status.DONE, total=1, done=1, outcome="1 letter written, with index.csv.")
    JobItem.objects.create(job=job, key="1", row={"file": "a.pdf"})
    folder = tmp_path / "jobs" / str(job.pk)
    folder.mkdir(parents=True)
    (folder / "a.pdf").write_bytes(b"%PDF-1.7 test")
    (folder / "index.csv").write_text("file\na.pdf\n")
    (folder / "secret.txt").write_text("not a file of the job")
    client.force_login(people["publisher"])
    text = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"/jobs/{job.pk}/files/a.pdf" in text and 'data-finished="true"' in text
    answer = client.get(f"/jobs/{job.pk}/files/a.pdf")
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == b"%PDF-1.7 test"
    for name in ("secret.txt", "..%2F..%2Fsettings.py", "nothing.pdf"):
        assert client.get(f"/jobs/{job.pk}/files/{name}").status_code == 404


def test_a_queue_that_does_not_answer_is_one_line_on_the_form_and_a_failed_job(client, people):
    client.force_login(people["publisher"])
    with mock.patch.object(tasks.letters_plan, "apply_async", side_effect=OperationalError("refused")):
        page = client.post("/jobs/letters/", {"framework": "apa-2008", "year": "2008"})
    text = page.content.decode()
    assert page.status_code == 200 and "govuk-error-summary" in text
    assert "the job queue is not answering" in text
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and job.outcome.startswith("The job queue is not answering")


def test_the_letters_form_says_what_is_wrong(client, people):
    client.force_login(people["publisher"])
    text = client.post("/jobs/letters/", {"framework": "apa-2008", "year": ""}).content.decode()
    assert "Enter the cycle&#x27;s year" in text and "govuk-error-summary" in text
    assert not Job.objects.exists()
