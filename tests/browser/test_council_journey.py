"""The council side in chromium: an authority officer drafts the cabinet report from Kent's published result,
edits the recommendation and issues it; democratic services record the decision; a member of the public reads
the report and the decision with its call-in deadline."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in, sign_out

pytestmark = pytest.mark.browser

RECOMMENDATION = "Cabinet is asked TO NOTE the 2006/7 results of the APA of Children's Services."


def test_cabinet_report_and_decision(page):
    sign_in(page, "e2e-kent")
    page.goto("/authorities/886/")
    page.get_by_role("link", name="Council meetings, reports and decisions").click()
    page.get_by_role("link", name="Draft a report on a published result").click()
    page.get_by_label("Published result").select_option(label="Annual performance assessment 2007, 2007")
    page.get_by_label("Layout").select_option("cabinet")
    # The report date defaults to today. (APA 2007 letters have no recorded publication date, so they count
    # from 31 December 2007: a report dated 17 December 2007 would find none published so far.)
    page.get_by_role("button", name="Draft the report").click()
    expect(page.locator("#report-status")).to_have_text("Draft")
    expect(page.locator("#section-comparison")).to_contain_text("authorities published so far")
    page.get_by_label("Recommendation").fill(RECOMMENDATION)
    page.get_by_label("Contact officer").fill("Chris Carter, Head of Planning and Performance")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#section-recommendation")).to_contain_text(RECOMMENDATION)
    page.get_by_role("button", name=re.compile(r"^Issue the report")).click()
    expect(page.locator("#report-status")).to_have_text("Issued")
    report_url = page.url
    sign_out(page)

    sign_in(page, "e2e-kent-democratic")
    page.goto("/councils/886/")
    page.get_by_role("link", name="Record a decision").click()
    page.get_by_label("Title of the item").fill("Annual Performance Assessment of Children's Services 2006/07")
    page.get_by_label("Record of the decision").fill("Cabinet noted the 2006/07 results of the APA of children's services.")
    page.get_by_label("Reasons for the decision").fill("The results must be reported to the first Cabinet after publication.")
    page.get_by_label("Date of the decision").fill("2007-12-17")
    page.get_by_label("Report").select_option(label="Results of the annual performance assessment of children's services for 2007")
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_label("Publication date").fill("2007-12-18")
    page.get_by_role("button", name="Publish the decision").click()
    # Tue 18 Dec 2007 + 5 working days (the default rule): Wed 19, Thu 20, Fri 21, Mon 24, Thu 27 (25, 26 holidays).
    expect(page.locator("#callin-state")).to_contain_text("Thursday 27 December 2007, 23:59")
    decision_url = page.url
    sign_out(page)

    page.goto(report_url)
    expect(page.locator("#section-recommendation")).to_contain_text(RECOMMENDATION)
    expect(page.locator("body")).to_contain_text("Chris Carter")
    page.goto("/councils/886/")
    page.get_by_role("link", name="Annual Performance Assessment of Children's Services 2006/07").click()
    assert page.url == decision_url
    expect(page.locator("#callin-state")).to_contain_text("In effect from 28 December 2007")
    expect(page.locator("#callin-state")).to_contain_text("Call-in deadline: Thursday 27 December 2007, 23:59")
    expect(page.locator("body")).to_contain_text("Cabinet noted the 2006/07 results")
