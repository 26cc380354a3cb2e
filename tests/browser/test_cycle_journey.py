"""A whole cycle in chromium: the authority submits, the inspector judges, moderators moderate, the publisher
publishes, a member of the public reads the result; before publication the public and another authority's
officer see nothing of it."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in, sign_out

pytestmark = pytest.mark.browser

MARKER = "Imaginative use of family hubs"  # a finding only this journey writes
OTHER_AREAS = ["staying_safe", "enjoying_and_achieving", "positive_contribution", "economic_wellbeing",
               "overall_effectiveness", "capacity_to_improve"]




def test_a_whole_cycle(page, apa_cli, tmp_path):
    apa_cli("cycle", "open", "--framework", "apa-2008", "--year", "2025", "--as", "e2e-admin")
    apa_cli("cycle", "assign", "--framework", "apa-2008", "--year", "2025", "--authority", "Kent",
            "--inspector", "e2e-inspector", "--as", "e2e-admin")

    # The authority writes and submits its self-assessment.
    sign_in(page, "e2e-kent")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Assessment cycles").click()
    page.get_by_role("link", name=re.compile(r"Annual performance assessment 2008, 2025")).click()
    expect(page.locator("#state")).to_have_text("Not started")
    page.get_by_role("link", name="Self-assessment").click()
    section = page.locator("#area-being_healthy")
    section.get_by_label("Narrative").fill("Teenage conceptions have fallen for three years.")
    section.get_by_label("Your own grade").select_option("3")
    section.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Draft saved: Being healthy")
    page.get_by_role("button", name="Submit the self-assessment").click()
    expect(page.locator("#state")).to_have_text("Self-assessment submitted")
    assessment_url = page.url
    sign_out(page)

    # The lead inspector reviews and judges; one area in the browser, the rest from a file.
    sign_in(page, "e2e-inspector")
    page.goto(assessment_url)
    page.get_by_role("button", name="Begin the review").click()
    page.get_by_role("link", name="Inspector review and judgements").click()
    expect(page.locator("#area-being_healthy")).to_contain_text("Teenage conceptions have fallen")
    healthy = page.locator("#area-being_healthy")
    healthy.get_by_label("Grade").select_option("3")
    healthy.get_by_label("Rationale").fill("Health outcomes are good and improving.")
    healthy.get_by_label("Strengths (one per line)").fill(MARKER)
    healthy.get_by_label("Evidence: the authority's self-assessment for this area").check()
    healthy.get_by_role("button", name="Save being healthy").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved: Being healthy")
    rows = "".join(f"Kent,{code},3,Good,Strong partnership working,,,\n" for code in OTHER_AREAS)
    judgements = tmp_path / "judgements.csv"
    judgements.write_text("authority,area,grade,rationale,strengths,areas_for_development,areas_for_focus,evidence\n" + rows)
    apa_cli("judgements", "import", str(judgements), "--framework", "apa-2008", "--year", "2025", "--as", "e2e-inspector")
    page.goto(assessment_url)
    for button in ("Complete the draft judgements", "Send the draft letter to the authority for a factual accuracy check",
                   "Send to national moderation"):
        page.get_by_role("button", name=button).click()
    expect(page.locator("#state")).to_have_text("In moderation")
    sign_out(page)

    # Before publication: nothing of it for the public or another authority.
    for url in ("/authorities/886/", "/results/apa-2008/2025/", "/letters/886/apa-2008/2025/", assessment_url):
        page.goto(url)
        expect(page.locator("body")).not_to_contain_text(MARKER)
    sign_in(page, "e2e-surrey")
    response = page.goto(assessment_url)
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(MARKER)
    sign_out(page)

    # National moderation, then publication.
    sign_in(page, "e2e-moderator")
    page.goto(assessment_url)
    page.get_by_role("button", name="Confirm as moderated").click()
    expect(page.locator("#state")).to_have_text("Moderated")
    sign_out(page)
    page.goto("/letters/886/apa-2008/2025/")
    expect(page.locator("body")).not_to_contain_text(MARKER)

    sign_in(page, "e2e-publisher")
    page.goto(assessment_url)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Assessment cycles").click()
    page.get_by_role("link", name=re.compile(r"Annual performance assessment 2008, 2025")).click()
    page.get_by_role("button", name="Publish every moderated assessment now").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Published 1 assessments")
    sign_out(page)

    # A member of the public reads the result.
    page.goto("/authorities/886/")
    page.get_by_role("link", name="Read the letter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Annual performance assessment of services for children and young people in Kent")
    expect(page.locator("body")).to_contain_text(MARKER)
    expect(page.locator("body")).to_contain_text("Health outcomes are good and improving.")
    page.goto("/results/apa-2008/2025/")
    expect(page.locator("#results-table")).to_contain_text("Kent")
