"""Journeys in chromium against a real server: what a member of the public and an inspector do."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import ACCOUNTS

pytestmark = pytest.mark.browser

ILACS = "Inspection of local authority children's services (ILACS)"


def _find_kent(page):
    page.goto("/")
    expect(page).to_have_title(re.compile(r"^Annual performance assessment of children's services – "))
    page.get_by_label("Find a local authority").fill("Kent")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_title(re.compile(r"^Local authorities: Kent – "))
    page.get_by_role("link", name="Kent", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kent")


def _check_kent(page):
    # Its ILACS grades, from Ofsted's published outcomes (inspected 9 May 2022).
    card = page.locator(".govuk-summary-card", has_text=f"{ILACS}, inspection of 9 May 2022")
    expect(card.get_by_role("row", name=re.compile(r"^Overall effectiveness"))).to_contain_text("4 Outstanding")
    expect(card.get_by_role("row", name=re.compile(r"^The experiences and progress of children who need help")
                            )).to_contain_text("3 Good")
    # Its rank among its statistical neighbours: Kent's 4 is matched by Essex and Bexley, bettered by none,
    # among the 11 (Kent and its ten 2025 neighbours) with a published ILACS grade.
    comparison = page.locator("table", has=page.locator("caption", has_text=ILACS))
    neighbours = comparison.locator("tr[data-group=neighbours]")
    expect(neighbours).to_contain_text("1st of 11")
    expect(neighbours).to_contain_text("Top quartile")
    expect(page.locator("#neighbours ~ table tbody tr").first).to_contain_text("Essex")


def test_find_kent_and_see_its_ilacs_grades_and_rank_among_its_neighbours(page):
    _find_kent(page)
    _check_kent(page)
    expect(page.locator("nav.govuk-breadcrumbs")).to_contain_text("Authorities")


def test_the_same_journey_works_without_javascript(page_without_javascript):
    _find_kent(page_without_javascript)
    _check_kent(page_without_javascript)


def test_compare_kent_with_its_neighbours(page):
    page.goto("/compare/")
    page.get_by_label("Framework").select_option(label=ILACS)
    page.get_by_label("Authority").fill("Kent")
    page.get_by_label("As of").fill("2022-07-05")
    page.get_by_label("Compared with").select_option(label="Its statistical neighbours")
    page.get_by_role("button", name="Compare").click()
    result = page.locator("#comparison-result")
    # On 5 July 2022, nine of Kent and its neighbours had published ILACS grades (Norfolk and Somerset not yet).
    expect(result).to_contain_text("1st of 9")
    expect(result).to_contain_text("Kent: top quartile, with 0 scoring more highly")
    expect(page).to_have_title(re.compile(r"^Kent compared – "))

    # A mistake keeps what was typed and says what to fix, in a GOV.UK error summary.
    page.get_by_label("As of").fill("next Tuesday")
    page.get_by_role("button", name="Compare").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter a valid date.")
    expect(summary).to_be_focused()  # GOV.UK Frontend's script is served and running
    expect(page.get_by_label("As of")).to_have_value("next Tuesday")
    expect(page.locator("#comparison-result")).to_have_count(0)


def test_sign_in_and_out(page):
    username, spec = "e2e-inspector", ACCOUNTS["e2e-inspector"]
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")

    page.get_by_label("Password").fill(spec["password"])
    page.get_by_role("button", name="Sign in").click()
    sign_out = page.get_by_role("button", name=f"Sign out {username}")
    expect(sign_out).to_be_visible()
    page.goto("/account/")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Inspector")

    sign_out.click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.goto("/account/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/\?next=/account/$"))
