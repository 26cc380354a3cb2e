"""A publisher builds the ILACS letters of 2023 as files in the background: the form, then the job's page, which
follows the job as a real worker writes the letters (no reload, no timed refresh), then the files to download."""

import subprocess

import pytest

from .conftest import APA, SERVER_ENV, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def worker(server, tmp_path):
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen([str(APA), "worker", "--concurrency", "2"], env=SERVER_ENV, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    yield process
    process.terminate()
    process.wait(timeout=30)
    log.close()


def test_a_publisher_builds_letters_in_the_background_and_downloads_them(page, worker):
    sign_in(page, "e2e-publisher")
    page.get_by_role("link", name="Background jobs").click()
    page.get_by_role("link", name="Build the published letters of a framework as files").click()
    page.get_by_role("button", name="Start the job").click()
    page.get_by_role("link", name="Choose a framework").wait_for()  # the error summary, linked to the field
    page.get_by_label("Framework").select_option(label="Inspection of local authority children's services (ILACS)")
    page.get_by_label("Year").fill("2023")
    page.get_by_role("button", name="Start the job").click()
    page.get_by_text("This page follows the job as it runs").wait_for()
    url = page.url
    page.locator("#job-status", has_text="Finished").wait_for(timeout=90_000)
    assert page.url == url, "the page followed the job without being reloaded"
    assert "43 of 43" in page.locator("#job-progress").inner_text()
    assert "43 letters written" in page.locator("#job-outcome").inner_text()
    link = page.get_by_role("link", name="index.csv")
    answer = page.request.get(link.get_attribute("href"))  # as the browser fetches it, cookies and all
    assert answer.status == 200 and answer.headers["content-disposition"] == 'attachment; filename="index.csv"'
    lines = answer.text().splitlines()
    assert lines[0].startswith("dfe_code,authority,framework,key") and len(lines) == 44
    assert page.get_by_role("link", name="apa-letter-").count() == 43
