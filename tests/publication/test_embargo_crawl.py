"""The embargo crawl. One assessment in every workflow state, and the cases around publication where an embargo is
easiest to lose (a moderated result scheduled for later; one whose time has passed with no `publish-due` run; a
representation opened before the time; a result corrected while still under embargo; a representation decided
back to moderated), every text of each carrying its own marker `EMBARGO-<uuid4 hex>`. Every URL the resolver
knows is then fetched, with every plausible argument and in every format, anonymously, as another authority's
officer (Surrey) and as Kent's democratic services: no body may carry a marker of a result that is not public,
nor ever a marker of an internal text (self-assessment, documents, visit notes, factual accuracy comments,
moderation reasons, representations, pending corrections). Once published, the letter's own content (rationale,
findings, a correction's note) does appear on its letter page, and the internal texts still do not."""

import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from apa.accounts.models import Role, User
from apa.assessments import services
from apa.assessments.models import Assessment, Document, State
from apa.assessments.workflow import assessment_transition
from apa.authorities.models import Authority
from apa.publication.models import Result, ResultCorrection
from apa.publication.services import result_correction_agree, result_correction_propose

from .conftest import journey, officer_of

MARKER = re.compile(rb"EMBARGO-[0-9a-f]{32}")
# What a published letter shows: these texts become public with their result, every other text never does.
LETTER_KINDS = {"rationale", "strength", "area for development", "area for focus"}
FAR_FUTURE, PAST = "2099-12-31", "2001-01-01"
QUERIES = ["", "?format=csv", "?format=json", f"?as_of={PAST}", f"?as_of={FAR_FUTURE}",
           f"?format=csv&as_of={FAR_FUTURE}"]
PERSONAS = ["anonymous", "surrey_officer", "kent_democratic_services"]
VARIED = {"format", "as_of"}


class _RecordedQuery:
    """request.GET, noting which keys the view read ("*": the whole query, e.g. a form bound to it)."""

    def __init__(self, data, reads: set):
        self._data, self._reads = data, reads

    def __getitem__(self, key):
        self._reads.add(key)
        return self._data[key]

    def get(self, key, default=None):
        self._reads.add(key)
        return self._data.get(key, default)

    def getlist(self, key, default=None):
        self._reads.add(key)
        return self._data.getlist(key, default)

    def __contains__(self, key):
        self._reads.add(key)
        return key in self._data

    def __iter__(self):
        self._reads.add("*")
        return iter(self._data)

    def __len__(self):
        self._reads.add("*")
        return len(self._data)

    def __bool__(self):
        self._reads.add("*")
        return bool(self._data)

    def __getattr__(self, name):
        self._reads.add("*")
        return getattr(self._data, name)


class QueryReadRecorder:
    """Test middleware: which query keys a view read. A view that read neither `format` nor `as_of` (nor the whole
    query) on the bare URL takes the same path with them, so the crawl need not fetch those variants."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.query_reads = set()
        request.GET = _RecordedQuery(request.GET, request.query_reads)
        return self.get_response(request)


@dataclass
class Case:
    label: str
    assessment: Assessment
    public: bool  # whether its result is public now (stated by the test, not asked of the product)
    letter_kinds: set = field(default_factory=lambda: set(LETTER_KINDS))


@dataclass
class World:
    cases: dict
    markers: dict  # marker -> (case label, kind)
    cycles: list
    crawl: list = field(default_factory=list)

    def planter(self, label):
        def text(kind):
            marker = f"EMBARGO-{uuid.uuid4().hex}"
            self.markers[marker] = (label, kind)
            return f"{kind} {marker}"
        return text

    def forbidden(self, marker: str) -> bool:
        label, kind = self.markers[marker]
        case = self.cases[label]
        return not (case.public and kind in case.letter_kinds)

    def of(self, label, kinds=None):
        return {m for m, (lab, kind) in self.markers.items() if lab == label and (kinds is None or kind in kinds)}


def _result(assessment) -> Result:
    return Result.objects.get(assessment=assessment, is_current=True)


@pytest.fixture(autouse=True)
def record_query_reads(settings):
    settings.MIDDLEWARE = [f"{__name__}.QueryReadRecorder", *settings.MIDDLEWARE]


@pytest.fixture
def world(cycle, users):
    """Cycle 2025 (scheduled a week ahead) with an assessment in every state, and cycle 2024 under the same
    framework whose publication time passes during the set-up, with nobody running `publish-due`."""
    admin, moderator, moderator_2, publisher = users["admin"], users["moderator"], users["moderator_2"], users["publisher"]
    world = World(cases={}, markers={}, cycles=[cycle])
    User.objects.create_user("kent_democratic_services", role=Role.DEMOCRATIC_SERVICES,
                             authority=Authority.objects.get(dfe_code="886"))
    others = list(cycle.assessments.exclude(authority__dfe_code__in=["886", "936"]).order_by("authority__dfe_code"))

    def case(label, assessment, to, public=False, **options):
        world.cases[label] = Case(label, assessment, public)
        return journey(assessment, to, users=users, text=world.planter(label), **options)

    # Cycle 2024: moderated and a representation opened, then its publication time passes.
    cycle_2024 = services.cycle_open(framework_code="apa-2008", year=2024, actor=admin)
    world.cycles.append(cycle_2024)
    # On authorities whose 2025 assessments are still far from public (factual accuracy, moderation).
    late = [cycle_2024.assessments.get(authority=a.authority) for a in (others[6], others[5])]
    passed = case("2024: time passed, publish-due not run", late[0], State.MODERATION, public=True,
                  leave_pending=False)
    held = case("2024: representation before the time", late[1], State.MODERATION, leave_pending=False)
    publish_2024 = timezone.now() + timedelta(seconds=2)
    services.cycle_schedule(cycle=cycle_2024, publish_at=publish_2024, actor=publisher)
    for assessment in (passed, held):
        assessment_transition(assessment=assessment, to=State.MODERATED, actor=moderator)
    services.representation_make(assessment=held, actor=officer_of(held.authority), kind="factual",
                                 text=world.planter("2024: representation before the time")("representation"))
    assert timezone.now() < publish_2024, "the representation was to be made before the publication time"

    # Cycle 2025: a week ahead; an assessment in every state and the cases around the embargo.
    services.cycle_schedule(cycle=cycle, publish_at=timezone.now() + timedelta(days=7), actor=publisher)
    states = [s for s in State.values if s != State.MODERATED]
    for assessment, state in zip(others, states, strict=False):
        case(f"2025: {state}", assessment, state, public=state == State.PUBLISHED)
    assert states.index(State.MODERATION) == 6 and states.index(State.FACTUAL_ACCURACY) == 5
    kent = cycle.assessments.get(authority__dfe_code="886")
    case("2025: moderated, scheduled for later (Kent)", kent, State.MODERATED)
    rest = others[len(states):]

    corrected = case("2025: corrected under embargo", rest[0], State.MODERATED)
    proposal = result_correction_propose(result=_result(corrected), grades={"being_healthy": 1}, actor=moderator,
                                         note=world.planter("2025: corrected under embargo")("correction note"))
    result_correction_agree(correction=proposal, actor=moderator_2)
    assert Result.objects.filter(assessment=corrected).count() == 2

    decided = case("2025: representation decided", rest[1], State.REPRESENTATION)
    services.representation_decide(representation=decided.representations.get(), actor=moderator,
                                   decision="not_upheld", reason=world.planter(
                                       "2025: representation decided")("representation decision reason"))

    published = world.cases["2025: published"].assessment
    result_correction_propose(result=_result(published), grades={"capacity_to_improve": 1}, actor=moderator,
                              note=world.planter("2025: published")("pending correction note"))

    wait = (publish_2024 - timezone.now()).total_seconds()
    if wait > -0.05:
        time.sleep(wait + 0.1)
    assert timezone.now() > publish_2024
    for case_ in world.cases.values():
        case_.assessment.refresh_from_db()
    assert world.cases["2024: time passed, publish-due not run"].assessment.state == State.MODERATED
    assert {c.assessment.state for c in world.cases.values()} == set(State.values)
    return world


def _routes(patterns=None, prefix=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        route = getattr(p.pattern, "_route", None)
        if route is None:  # regex routes (the Django admin): its index stands for them
            if prefix == "" and str(p.pattern).startswith("^admin"):
                yield "admin/"
            continue
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern):
            yield prefix + route


def _urls(world) -> list[str]:
    assessments = [c.assessment for c in world.cases.values()] + list(
        Assessment.objects.filter(authority__dfe_code__in=["886", "936"], cycle__in=world.cycles))
    results = list(Result.objects.filter(assessment__in=assessments))
    pks = {
        "cycles/": [c.pk for c in world.cycles],
        "assessments/": [a.pk for a in assessments],
        "documents/": list(Document.objects.filter(assessment__in=assessments).values_list("pk", flat=True)),
        "corrections/": [r.pk for r in results],
    }
    # A route for objects the fixture did not make (meetings, reports, plans, flags...) gets every pk above that
    # could be mistaken for one.
    every_pk = sorted({pk for values in pks.values() for pk in values}
                      | set(ResultCorrection.objects.values_list("pk", flat=True)))
    codes = sorted({a.authority.dfe_code for a in assessments})
    values = {"dfe_code": codes, "code": ["apa-2008"], "key": ["2025", "2024"], "year": [2025, 2024],
              "version": [1, 2, 3], "uidb64": ["MQ"], "token": ["set-password"]}
    urls = set()
    for route in _routes():
        combos = [route]
        for name in re.findall(r"<(?:\w+:)?(\w+)>", route):
            if name == "pk":
                options = next((v for prefix, v in pks.items() if route.startswith(prefix)), every_pk)
            else:
                options = values.get(name, ["886"])
            combos = [re.sub(rf"<(?:\w+:)?{name}>", str(v), c, count=1) for c in combos for v in options]
        urls.update("/" + c for c in combos)
    extra = [f"/compare/?framework=apa-2008&authority={code}&year={year}&group=all&as_of={FAR_FUTURE}"
             for code in codes for year in (2025, 2024)]
    extra += [f"/compare/?framework=apa-2008&authority=886&year={year}&group=region" for year in (2025, 2024)]
    extra += [f"/councils/886/reports/new/?result={r.pk}" for r in results]
    extra += ["/authorities/?q=Kent", "/results/apa-2008/?sort=-published"]
    # The API's lists, each cycle's results on one page, with and without an as-of date far ahead.
    for year in (2025, 2024):
        for as_of in ("", f"&as_of={FAR_FUTURE}"):
            extra += [f"/api/v1/results?framework=apa-2008&year={year}&limit=500{as_of}",
                      f"/api/v1/comparisons?framework=apa-2008&authority=886&year={year}{as_of}"]
        extra += [f"/api/v1/comparisons?framework=apa-2008&authority={code}&year={year}&as_of={FAR_FUTURE}"
                  for code in codes]
        extra += [f"/api/v1/letters?framework=apa-2008&year={year}&limit=500"]
    return sorted(urls) + extra


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _crawl(client, world, who, urls) -> list[str]:
    """Fetch every URL as `who`, and its variants (formats and as-of dates) wherever the view reads them; the
    bodies of PDFs are searched as they come (compressed: requested, not decoded)."""
    client.logout()
    if who != "anonymous":
        client.force_login(User.objects.get(username=who))
    leaks = []

    def fetch(url):
        response = client.get(url)
        world.crawl.append((who, url, response.status_code))
        for found in set(MARKER.findall(_body(response))):
            marker = found.decode()
            if marker in world.markers and world.forbidden(marker):
                label, kind = world.markers[marker]
                leaks.append(f"{who} GET {url} ({response.status_code}): {kind} of {label} [{marker}]")
        return response.wsgi_request.query_reads

    for url in urls:
        reads = fetch(url)
        if reads & (VARIED | {"*"}):
            for query in QUERIES[1:] if "?" not in url else ["&format=csv", "&format=json"]:
                fetch(url + query)
    return leaks


def test_markers_are_planted_where_the_inspectorate_reads_them(world, client, users):
    """Not a vacuous crawl: every marker is on some page the moderator may open."""
    client.force_login(users["moderator"])
    seen = set()
    for case in world.cases.values():
        pk = case.assessment.pk
        pages = [f"/assessments/{pk}/", f"/assessments/{pk}/self-assessment/", f"/assessments/{pk}/review/",
                 f"/assessments/{pk}/letter/"]
        pages += [f"/documents/{d.pk}/" for d in case.assessment.documents.all()]
        pages += [f"/corrections/{r.pk}/" for r in Result.objects.filter(assessment=case.assessment, is_current=True)]
        for page in pages:
            seen |= {m.decode() for m in MARKER.findall(_body(client.get(page)))}
    for cycle in world.cycles:
        seen |= {m.decode() for m in MARKER.findall(_body(client.get(f"/cycles/{cycle.pk}/moderation/")))}
    unseen = sorted(f"{world.markers[m][1]} of {world.markers[m][0]}" for m in set(world.markers) - seen)
    assert not unseen, "planted but shown nowhere to the inspectorate: " + "; ".join(unseen)


def test_no_url_shows_what_is_not_public(world, client):
    urls = _urls(world)
    assert len(urls) > 300
    leaks = []
    for who in PERSONAS:
        leaks += _crawl(client, world, who, urls)
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(leaks)
    fetched = {url for _, url, _ in world.crawl}
    for case in world.cases.values():
        letter = f"/letters/{case.assessment.authority.dfe_code}/apa-2008/{case.assessment.cycle.year}/"
        assert {letter, letter + "letter.pdf", letter + "v1/", letter + "v2/letter.pdf"} <= fetched
    statuses = {url: status for who, url, status in world.crawl if who == "anonymous"}
    for label, case in world.cases.items():
        letter = f"/letters/{case.assessment.authority.dfe_code}/apa-2008/{case.assessment.cycle.year}/"
        assert statuses[letter] == (200 if case.public else 404), label
        assert statuses[letter + "letter.pdf"] == (200 if case.public else 404), label
        result = f"/api/v1/results/{case.assessment.authority.dfe_code}/apa-2008/{case.assessment.cycle.year}"
        assert statuses[result] == (200 if case.public else 404), label
    listed = {(r["authority"]["dfe_code"], r["key"]) for year in (2025, 2024) for r in client.get(
        f"/api/v1/results?framework=apa-2008&year={year}&limit=500&as_of={FAR_FUTURE}").json()["items"]}
    for label, case in world.cases.items():
        key = (case.assessment.authority.dfe_code, str(case.assessment.cycle.year))
        assert (key in listed) == case.public, f"{label}: in the API's results list {key in listed}"
    # A result whose time has passed is public before `publish-due` records it, with its letter's content.
    passed = world.cases["2024: time passed, publish-due not run"]
    page = client.get(f"/letters/{passed.assessment.authority.dfe_code}/apa-2008/2024/").content.decode()
    assert world.of(passed.label, LETTER_KINDS) and all(m in page for m in world.of(passed.label, LETTER_KINDS))


def test_once_published_the_letter_shows_its_content_and_nothing_internal(world, client, users):
    cycle_2025 = world.cycles[0]
    published = services.cycle_publish(cycle=cycle_2025, actor=users["publisher"])
    assert {a.pk for a in published} == {world.cases[label].assessment.pk for label in (
        "2025: moderated, scheduled for later (Kent)", "2025: corrected under embargo", "2025: representation decided")}
    recorded = services.cycle_publish_due()
    assert [a.pk for a in recorded] == [world.cases["2024: time passed, publish-due not run"].assessment.pk]
    for label in ("2025: moderated, scheduled for later (Kent)", "2025: corrected under embargo",
                  "2025: representation decided"):
        world.cases[label].public = True
    world.cases["2025: corrected under embargo"].letter_kinds.add("correction note")

    client.logout()
    for label, case in world.cases.items():
        letter = f"/letters/{case.assessment.authority.dfe_code}/apa-2008/{case.assessment.cycle.year}/"
        response = client.get(letter)
        if not case.public:
            assert response.status_code == 404, label
            continue
        page = response.content.decode()
        shown = {m.decode() for m in MARKER.findall(response.content)}
        expected = world.of(label, case.letter_kinds)
        assert expected and expected <= shown, f"{label}: the published letter lacks its own content"
        assert not {m for m in shown if world.forbidden(m)}, f"{label}: internal text on the published letter"
        assert client.get(letter + "letter.pdf")["Content-Type"] == "application/pdf"
        assert "superseded" not in page, label
    corrected = world.cases["2025: corrected under embargo"].assessment
    base = f"/letters/{corrected.authority.dfe_code}/apa-2008/2025/"
    assert client.get(base + "v2/").status_code == 200
    assert client.get(base + "v1/").status_code == 404, "a version corrected during its embargo was never public"

    # The public routes once more, and Kent's council pages (reports are drafted from published letters), for
    # what must stay hidden after publication.
    urls = _urls(world)
    leaks = _crawl(client, world, "anonymous", [u for u in urls if u.startswith((
        "/letters/", "/authorities/", "/results/", "/compare/", "/frameworks/"))])
    leaks += _crawl(client, world, "kent_democratic_services", [u for u in urls if u.startswith((
        "/councils/886/", "/letters/886/", "/authorities/886/"))])
    assert not leaks, f"{len(leaks)} leaks after publication:\n" + "\n".join(leaks)
