"""Accessibility in chromium: axe-core on every page type, anonymous and signed in as each role, against the
WCAG 2.2 AA rules (no rule disabled): no violation. See docs/accessibility.md.

The page types come from the URL resolver: every route is either in PAGES (with one concrete URL, opened by an
account that may open it) or in NOT_PAGES (with the reason it is not an HTML page), so a new route without an
entry fails `test_every_route_is_a_page_type_or_says_why_not`. Each view is checked once. The pages run on a
server of their own: `apa init`, the LAIT sample, `apa demo` (a cycle with an assessment in every state) and
tests/browser/accessibility_data.py (a second, published cycle and what is made from its result)."""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import HTTPS_HEADERS, ROOT, _run, server_environment, serving

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "demo-password"  # apa demo's accounts
ANONYMOUS = None

# Route name -> (account, URL); "{...}" is filled from accessibility_data.py's output. Every role is here:
# admin, inspector, moderator, publisher, authority officer, democratic services; and anonymous visitors.
PAGES = {
    "home": (ANONYMOUS, "/"),
    "about_data": (ANONYMOUS, "/about-the-data/"),
    "login": (ANONYMOUS, "/account/sign-in/"),
    "password_reset": (ANONYMOUS, "/account/password-reset/"),
    "password_reset_done": (ANONYMOUS, "/account/password-reset/sent/"),
    "password_reset_confirm": (ANONYMOUS, "/account/reset/{reset}/"),  # a valid link: the new-password form
    "password_reset_complete": (ANONYMOUS, "/account/reset/done/"),
    "account": ("demo-admin", "/account/"),
    "my_work": ("demo-inspector", "/my-work/"),
    "alerts": ("demo-officer-stockton", "/alerts/"),
    "authority_list": (ANONYMOUS, "/authorities/"),
    "authority_detail": (ANONYMOUS, "/authorities/808/"),
    "authority_indicators": (ANONYMOUS, "/authorities/886/indicators/"),
    "indicator_flag_new": ("demo-officer-kent", "/authorities/886/indicators/flag/?indicator={indicator}&period={period}"),
    "indicator_list": (ANONYMOUS, "/indicators/"),
    "indicator_detail": (ANONYMOUS, "/indicators/{indicator}/"),
    "indicator_flags": ("demo-inspector", "/indicators/flags/"),
    "indicator_flag": ("demo-officer-kent", "/indicators/flags/{flag}/"),
    "compare": (ANONYMOUS, "/compare/?framework=apa-2008&authority=Stockton-on-Tees&score=&year=2024&as_of=&group=england"),
    "framework_list": (ANONYMOUS, "/frameworks/"),
    "framework_detail": (ANONYMOUS, "/frameworks/apa-2008/"),
    "national_results": (ANONYMOUS, "/results/apa-2007/"),
    "national_results_year": (ANONYMOUS, "/results/apa-2008/2024/"),
    "cpa_feed": (ANONYMOUS, "/results/cpa/"),
    "published_letter": (ANONYMOUS, "/letters/808/apa-2008/2024/"),
    "result_correction": ("demo-moderator-2", "/corrections/{correction}/"),
    "jar_risk_assessment": ("demo-moderator", "/joint-area-review/808/apa-2008/2024/"),
    "jar_record": ("demo-moderator", "/joint-area-review/808/apa-2008/2024/record/"),
    "cycle_list": ("demo-publisher", "/cycles/"),
    "cycle_detail": ("demo-admin", "/cycles/{cycle}/"),
    "moderation": ("demo-moderator", "/cycles/{cycle}/moderation/"),
    "assessment_detail": ("demo-moderator", "/assessments/{assessments[moderation]}/"),
    "self_assessment": ("demo-officer-kent", "/assessments/{assessments[self_assessment]}/self-assessment/"),
    "review": ("demo-inspector", "/assessments/{assessments[under_review]}/review/"),
    "draft_letter": ("demo-officer-norfolk", "/assessments/{assessments[factual_accuracy]}/letter/"),
    "representation": ("demo-moderator", "/assessments/{assessments[representation]}/representation/"),
    "council_home": (ANONYMOUS, "/councils/808/"),
    "rule_edit": ("demo-democratic-stockton", "/councils/808/call-in-rule/"),
    "decision_new": ("demo-democratic-stockton", "/councils/808/decisions/new/"),
    "decision_detail": (ANONYMOUS, "/decisions/{decision}/"),
    "meeting_detail": (ANONYMOUS, "/meetings/{meeting}/"),
    "report_new": ("demo-officer-stockton", "/councils/808/reports/new/"),
    "report_detail": (ANONYMOUS, "/reports/{report}/"),
    "plan_home": ("demo-officer-stockton", "/councils/808/plan/"),
    "plan_line": ("demo-officer-stockton", "/plan/lines/{line}/"),
    "plan_action": ("demo-officer-stockton", "/plan/actions/{action}/"),
    "plan_clinic": ("demo-officer-stockton", "/councils/808/plan/clinic/"),
    "plan_history": ("demo-officer-stockton", "/councils/808/plan/history/"),
    "plan_progress": ("demo-officer-stockton", "/councils/808/plan/progress/"),
    "opendata_index": (ANONYMOUS, "/open-data/"),
    "opendata_release": (ANONYMOUS, "/open-data/1/"),
    "opendata_indicators": (ANONYMOUS, "/open-data/indicators/{import}/"),
    "job_list": ("demo-publisher", "/jobs/"),
    "job_detail": ("demo-publisher", "/jobs/{job}/"),
    "job_letters_start": ("demo-publisher", "/jobs/letters/"),
    "job_opendata_start": ("demo-publisher", "/jobs/opendata/"),
    "job_indicators_start": ("demo-admin", "/jobs/indicators/"),
}
# Pages that are not a route of their own.
STATES = {
    "not found (the error page)": (ANONYMOUS, "/authorities/no-such-authority/"),
    "compare with a mistake (error summary)": (ANONYMOUS, "/compare/?framework=apa-2008&authority=Kent&as_of=next+Tuesday"),
    "home, signed in as publisher": ("demo-publisher", "/"),
    "home, signed in as democratic services": ("demo-democratic-stockton", "/"),
}
NOT_PAGES = {
    "logout": "POST only (the sign-out button)",
    "draft_letter_pdf": "a PDF",
    "published_letter_pdf": "a PDF",
    "letter_version": "the view and template of published_letter, for one version",
    "letter_version_pdf": "a PDF",
    "document_download": "a file the authority uploaded",
    "plan_progress_csv": "a CSV file",
    "plan_progress_pdf": "a PDF",
    "report_docx": "a Word document",
    "report_pdf": "a PDF",
    "opendata_latest": "redirects to the latest opendata_release",
    "opendata_latest_file": "redirects to a file of the latest release",
    "opendata_release_file": "a data file (CSV or JSON)",
    "opendata_indicators_latest": "redirects to the latest opendata_indicators",
    "opendata_indicators_latest_file": "redirects to a file of the latest indicators release",
    "opendata_indicators_file": "a data file (CSV or JSON)",
    "job_file": "a file a letters job wrote (PDF or CSV)",
}
NOT_PAGE_PREFIXES = {
    "api/": "the public JSON API (JSON only)",
    "admin/": "Django's own admin site (not GOV.UK pages; staff only)",
}


def _route_names() -> set[str]:
    from django.urls import get_resolver

    from tests.test_routes import _routes

    return {name or route for route, _, _, name, _ in _routes(get_resolver("apa.urls"))
            if not route.startswith(tuple(NOT_PAGE_PREFIXES))}


def test_every_route_is_a_page_type_or_says_why_not():
    names = _route_names()
    missing = sorted(names - set(PAGES) - set(NOT_PAGES))
    assert not missing, "routes with no entry in PAGES (a page to check) or NOT_PAGES (why not):\n" + "\n".join(missing)
    stale = sorted((set(PAGES) | set(NOT_PAGES)) - names)
    assert not stale, f"entries for routes that no longer exist: {stale}"
    assert not set(PAGES) & set(NOT_PAGES)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(base URL, the data's ids) of a server on its own database with every page type's data."""
    directory = tmp_path_factory.mktemp("a11y")
    env, postgres = server_environment(directory, "a11y")
    _run(["init", "--skip-indicators"], env)
    _run(["users", "add", "a11y-admin", "--role", "admin"], env, stdin="a11y-admin-secret\n")
    _run(["indicators", "import", str(ROOT / "tests" / "indicators" / "data" / "lait_sample.parquet"),
          "--as", "a11y-admin"], env)
    _run(["demo"], env)
    built = subprocess.run([sys.executable, str(Path(__file__).with_name("accessibility_data.py"))], env=env,
                           capture_output=True, text=True, timeout=120, cwd=ROOT)
    if built.returncode != 0:
        pytest.fail(f"accessibility_data.py failed:\n{built.stdout}\n{built.stderr}")
    data = json.loads(built.stdout.strip().splitlines()[-1])
    with serving(env, directory, postgres) as base:
        yield base, data


def _context(browser, base, account):
    """A browser context for `account` (None: anonymous), signed in through the sign-in page. It bypasses the
    Content-Security-Policy only so that axe's script can be injected."""
    context = browser.new_context(base_url=base, bypass_csp=True, extra_http_headers=HTTPS_HEADERS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    if account:
        page.goto("/account/sign-in/")
        page.get_by_label("Username").fill(account)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name=f"Sign out {account}").wait_for()
    return context, page


AXE_RUN = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(r => ({version: r.testEngine.version, rules: r.passes.length + r.violations.length + r.incomplete.length,
      review: r.incomplete.map(v => v.id), violations: r.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\\s+/g, ' '))}))}))"""


# axe's "needs review" results that a person has checked (docs/accessibility.md): text drawn in the SVG charts
# (ink on white, or the contrast-checked text colour of each bar) and long source addresses in the CPA tables.
REVIEWED = {"color-contrast"}


def _axe(page, url=None) -> dict:
    if url is not None:
        response = page.goto(url)
        assert response is not None and response.status in (200, 404), f"{url} answered {response and response.status}"
        assert "text/html" in response.headers.get("content-type", ""), f"{url} is not an HTML page"
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN, WCAG_TAGS)


def test_every_page_type_has_no_wcag_22_aa_violation(browser, site):
    base, data = site
    started = time.monotonic()
    by_account: dict[str | None, list[tuple[str, str]]] = {}
    for name, (account, url) in {**PAGES, **STATES}.items():
        by_account.setdefault(account, []).append((name, url.format(**data)))
    report, version, counts = [], "", {}
    # axe finds what it must: a page with a nameless button, an image without text and no language.
    context, page = _context(browser, base, ANONYMOUS)
    page.set_content("<html><body><img src='x.png'><button></button></body></html>")
    planted = {v["id"] for v in _axe(page)["violations"]}
    assert {"image-alt", "button-name", "html-has-lang", "document-title"} <= planted, planted
    context.close()
    for account, pages in by_account.items():
        context, page = _context(browser, base, account)
        try:
            for name, url in pages:
                result = _axe(page, url)
                version, violations = result["version"], result["violations"]
                assert result["rules"] > 10, result  # the WCAG rules ran
                counts[name] = sum(len(v["nodes"]) for v in violations)
                report.extend(f"{name} ({account or 'anonymous'}, {url}): {rule} needs review"
                              for rule in set(result["review"]) - REVIEWED)
                for v in violations:
                    report.append(f"{name} ({account or 'anonymous'}, {url}): {v['id']} [{v['impact']}] {v['help']}")
                    report.extend(f"    {node}" for node in v["nodes"][:5])
        finally:
            context.close()
    elapsed = time.monotonic() - started
    print(f"\naxe-core {version}: {len(counts)} pages, {sum(counts.values())} violating nodes, {elapsed:.1f} s")
    print(json.dumps({k: v for k, v in counts.items() if v}, indent=1))
    assert version.startswith("4."), version
    assert len(counts) == len(PAGES) + len(STATES)
    assert not report, f"{len(report)} lines of axe violations (WCAG 2.2 AA):\n" + "\n".join(report)


# ---- keyboard only ------------------------------------------------------------------------------------------

FOCUSED = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  const label = (e.labels && e.labels.length ? e.labels[0].innerText : e.getAttribute('aria-label')) || '';
  return {tag: e.tagName.toLowerCase(), id: e.id, text: (e.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 80),
          label: label.trim(), inMain: !!e.closest('main'),
          // GOV.UK's focus state: a yellow (#ffdd00) background or outline, with a black underline (a shadow).
          visible: e !== document.body && ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                   && s.outlineColor !== 'rgba(0, 0, 0, 0)') || s.boxShadow !== 'none'
                   || s.backgroundColor === 'rgb(255, 221, 0)')};
}"""
# Every control of a form that Tab reaches, in the order of the page.
FORM_CONTROLS = """form => [...form.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')]
  .filter(e => !e.disabled && e.tabIndex >= 0 && e.offsetParent !== null).map(e => e.id || e.innerText.trim())"""


def _focus(page, wrap: bool = False) -> dict:
    here = page.evaluate(FOCUSED)
    if wrap and here["tag"] == "body":
        return here  # past the last control the focus leaves the page (the browser's own controls), then wraps
    assert here["visible"], f"focus is not visible on {here}"
    return here


def _tab_to(page, target, limit=80, key="Tab") -> list[dict]:
    """Press Tab (only) until `target` has the focus; every element on the way shows a visible focus. Returns
    the focused elements on the way, the target last."""
    page.wait_for_load_state()  # a Tab pressed while a page is still loading is lost
    visited = []
    for _ in range(limit):
        page.keyboard.press(key)
        visited.append(_focus(page, wrap=True))
        if target.evaluate("e => e === document.activeElement"):
            return visited
    raise AssertionError(f"{target} not reached with {limit} presses of {key}; focus went through {visited}")


def _choose(page, select, value: str) -> None:
    """Choose an option of the focused select with the arrow keys."""
    for _ in range(20):
        if select.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"could not reach {value!r} in {select} with the arrow keys")


def _keyboard_context(browser, base):
    context = browser.new_context(base_url=base, extra_http_headers=HTTPS_HEADERS)  # the CSP applies
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _press_and_load(page, key: str) -> None:
    """Press Enter or Space on a focused link or submit button and wait for the page it opens."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_keyboard_only_self_assessment_and_compare(browser, site):
    """An authority officer signs in, starts, writes and submits a self-assessment, and anyone compares an
    authority, with Tab, Shift+Tab, Enter, Space, the arrow keys and typing: no mouse."""
    from playwright.sync_api import expect

    base, data = site
    context, page = _keyboard_context(browser, base)
    try:
        # The first Tab reaches GOV.UK's skip link; Enter moves the focus to the main content.
        page.goto("/account/sign-in/")
        first = _tab_to(page, page.get_by_role("link", name="Skip to main content"), limit=1)
        assert first[0]["text"] == "Skip to main content"
        page.keyboard.press("Enter")  # an in-page link: no new page
        assert page.evaluate("document.activeElement.id") == "main-content"
        # Username, then password, then the button: the order of the form.
        _tab_to(page, page.get_by_label("Username"))
        page.keyboard.type("demo-officer-surrey")
        page.keyboard.press("Tab")
        assert _focus(page)["label"] == "Password"
        page.keyboard.type(PASSWORD)
        button = page.get_by_role("button", name="Sign in")
        assert _tab_to(page, button, limit=3)[-1]["text"] == "Sign in"
        _press_and_load(page, "Enter")
        expect(page.get_by_role("button", name="Sign out demo-officer-surrey")).to_be_visible()

        # Menu -> the cycle -> the assessment; start it.
        _tab_to(page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="Assessment cycles"))
        _press_and_load(page, "Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Assessment cycles")
        _tab_to(page, page.get_by_role("link", name="Annual performance assessment 2008, 2025"))
        _press_and_load(page, "Enter")
        expect(page.locator("#state")).to_have_text("Not started")
        _tab_to(page, page.get_by_role("button", name="Start the self-assessment"))
        _press_and_load(page, "Enter")
        expect(page.locator("#state")).not_to_have_text("Not started")
        _tab_to(page, page.locator("main").get_by_role("link", name="Self-assessment"))
        _press_and_load(page, "Enter")

        # One area, field by field with Tab: narrative, own grade, strengths, development, indicators, save.
        area = page.locator("#area-being_healthy")
        _tab_to(page, area.get_by_label("Narrative"), limit=120)
        page.keyboard.type("Teenage conceptions have fallen for three years.")
        order = [area.get_by_label("Your own grade"), area.get_by_label("Strengths (one per line)"),
                 area.get_by_label("Areas for development (one per line)"),
                 area.get_by_label("Linked indicators (LAIT codes, one per line)"),
                 area.get_by_role("button", name="Save draft")]
        for control in order:
            page.keyboard.press("Tab")
            _focus(page)
            assert control.evaluate("e => e === document.activeElement"), f"Tab did not go on to {control}"
            if control is order[0]:
                _choose(page, control, "3")
            elif control is order[1]:
                page.keyboard.type("Strong partnership with health visitors")
        # Shift+Tab goes back the same way.
        page.keyboard.press("Shift+Tab")
        assert order[3].evaluate("e => e === document.activeElement")
        page.keyboard.press("Tab")
        _press_and_load(page, "Enter")
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Draft saved: Being healthy")
        expect(page.locator("#area-being_healthy").get_by_label("Your own grade")).to_have_value("3")
        submit = page.get_by_role("button", name="Submit the self-assessment")
        _tab_to(page, submit, limit=200)
        _press_and_load(page, "Space")
        expect(page.locator("#state")).to_have_text("Self-assessment submitted")

        # The compare page: every control of the form in the order of the page, then the comparison.
        page.goto("/compare/")
        form = page.locator("main form")
        expected = form.evaluate(FORM_CONTROLS)
        visited = _tab_to(page, page.locator("#id_framework"))
        for control in expected[1:]:
            page.keyboard.press("Tab")
            visited.append(_focus(page))
            assert visited[-1]["id"] == control or visited[-1]["text"] == control, (control, visited[-1])
        assert [v["id"] or v["text"] for v in visited[-len(expected):]] == expected
        page.keyboard.press("Shift+Tab")  # from the button back through the form to the framework
        while page.evaluate("document.activeElement.id") != "id_framework":
            _focus(page)
            page.keyboard.press("Shift+Tab")
        _choose(page, page.locator("#id_framework"), "apa-2008")
        page.keyboard.press("Tab")
        page.keyboard.type("2024")
        page.keyboard.press("Tab")
        page.keyboard.type("Stockton-on-Tees")
        _tab_to(page, page.get_by_role("button", name="Compare"), limit=4)
        _press_and_load(page, "Enter")
        result = page.locator("#comparison-result")
        expect(result).to_contain_text("Stockton-on-Tees")
        expect(page).to_have_title(re.compile(r"^Stockton-on-Tees compared – "))
        # The result's links are reached by keyboard too.
        links = result.get_by_role("link")
        if links.count():
            _tab_to(page, links.first, limit=120)
    finally:
        context.close()
