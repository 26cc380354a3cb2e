"""During the embargo nothing of a result — grade, finding, rationale, note, draft letter, document — reaches
the public or another authority, on any route, in any format. Every URL pattern is fetched with every
plausible argument, anonymously and as Surrey's officer, and none of Kent's unique markers may appear."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from apa.assessments import services
from apa.assessments.models import State
from apa.assessments.workflow import assessment_transition
from apa.publication.models import Result

from .conftest import judge, put_in_state

MARKER = "ZQXEMBARGO"


def _routes(patterns=None, prefix=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        route = getattr(p.pattern, "_route", None)
        if route is None:  # regex routes (Django admin): its index page stands for it
            if prefix == "" and str(p.pattern).startswith("^admin"):
                yield "admin/"
            continue
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern):
            yield prefix + route


@pytest.fixture
def embargoed(kent, cycle, users):
    """Kent moderated and scheduled for next week, with markers in every kind of content."""
    officer = users["kent_officer"]
    for code in ("being_healthy", "staying_safe"):
        services.self_assessment_save(assessment=kent, area=kent.cycle.framework.areas.get(code=code), actor=officer,
                                      narrative=f"{MARKER}-narrative", strengths=f"{MARKER}-sa-strength")
    doc = services.document_add(assessment=kent, actor=officer, title=f"{MARKER}-document",
                                uploaded=SimpleUploadedFile(f"{MARKER}.txt", f"{MARKER}-content".encode()))
    put_in_state(kent, State.UNDER_REVIEW)
    services.visit_record(assessment=kent, actor=users["inspector"], date_from=timezone.localdate(),
                          date_to=timezone.localdate(), notes=f"{MARKER}-visit")
    for area in kent.cycle.framework.areas.filter(required=True):
        judge(kent, users["inspector"], area.code, grade=2, rationale=f"{MARKER}-rationale",
              strengths=[f"{MARKER}-strength"], areas_for_development=[f"{MARKER}-development"],
              areas_for_focus=[f"{MARKER}-focus"], document_ids=[doc.pk], link_self_assessment=True)
    for state in (State.DRAFT_JUDGEMENTS, State.FACTUAL_ACCURACY):
        assessment_transition(assessment=kent, to=state, actor=users["inspector"])
    judgement = kent.judgements.get(area__code="being_healthy")
    services.factual_accuracy_comment(finding=judgement.findings.first(), judgement=judgement, actor=officer,
                                      text=f"{MARKER}-comment")
    assessment_transition(assessment=kent, to=State.MODERATION, actor=users["inspector"])
    change = services.grade_change_propose(judgement=judgement, to_grade=1, reason=f"{MARKER}-moderation-note",
                                           actor=users["moderator"])
    services.grade_change_agree(change=change, actor=users["moderator_2"])
    assessment_transition(assessment=kent, to=State.MODERATED, actor=users["moderator"])
    services.cycle_schedule(cycle=cycle, publish_at=timezone.now() + timedelta(days=7), actor=users["publisher"])
    return {"kent": kent, "document": doc, "result": Result.objects.get(assessment=kent)}


def _urls(embargoed, cycle):
    kent = embargoed["kent"]
    values = {
        "pk": [kent.pk, cycle.pk, embargoed["document"].pk, embargoed["result"].pk],
        "dfe_code": ["886", "936"],
        "code": ["apa-2008", "ilacs-2018"],
        "year": [2025],
        "uidb64": ["MQ"],
        "token": ["set-password"],
    }
    urls = set()
    for route in _routes():
        names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        combos = [route]
        for name in names:
            options = values.get(name, ["886"])
            combos = [re.sub(rf"<(?:\w+:)?{name}>", str(v), c, count=1) for c in combos for v in options]
        urls.update("/" + c for c in combos)
    return sorted(urls)


@pytest.mark.parametrize("who", ["anonymous", "surrey_officer"])
def test_no_route_leaks_an_embargoed_result(who, embargoed, cycle, users, client):
    if who != "anonymous":
        client.force_login(users[who])
    urls = _urls(embargoed, cycle)
    assert len(urls) > 20
    fetched = 0
    for url in urls:
        for query in ("", "?format=csv", "?format=json", "?as_of=2099-01-01"):
            response = client.get(url + query)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert MARKER.encode() not in body, f"{url}{query} shows embargoed content to {who}"
            if url.startswith("/results/apa-2008") and response.status_code == 200:
                assert b"Kent" not in body, f"{url}{query} lists Kent's embargoed grades"
            fetched += 1
    assert fetched >= 4 * len(urls)
    assert client.get("/letters/886/apa-2008/2025/").status_code == 404


def test_the_kent_officer_and_inspectors_do_see_it(embargoed, users, client):
    kent = embargoed["kent"]
    client.force_login(users["kent_officer"])
    assert MARKER.encode() in client.get(f"/assessments/{kent.pk}/letter/").content
    history = client.get(f"/assessments/{kent.pk}/").content
    assert b"moderation-note" not in history, "moderation notes are never shown to the authority"
    client.force_login(users["moderator"])
    assert f"{MARKER}-moderation-note".encode() in client.get(f"/assessments/{kent.pk}/").content
