"""The Joint Area Review (issue 11, item 3): the core areas fed by judgement areas (framework data), the risk
assessment read from a published snapshot, the JAR a moderator records against it, its public outcome once its
publication date comes, and last time's result and JAR in the next cycle's review. Every expected value here is
written by hand from the grades and findings the test gives."""

import shutil
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from apa.accounts.models import Role, User
from apa.assessments import services
from apa.assessments.models import State
from apa.assessments.workflow import assessment_transition
from apa.errors import ApaError, PermissionDenied
from apa.frameworks.models import Framework
from apa.frameworks.services import DATA_DIR, frameworks_load
from apa.indicators.models import Indicator
from apa.publication import jar
from apa.publication.models import JointAreaReview, JointAreaReviewChange
from apa.publication.selectors import jars_visible, results_visible

from .conftest import journey

CORES = ["safeguarding", "looked_after_children", "learning_difficulties_and_disabilities", "service_management",
         "capacity_to_improve"]

# Kent 2025: two areas graded 2, one area for focus in an area graded 3, one in an area graded 2.
JUDGEMENTS = {
    "overall_effectiveness": dict(grade=3, strengths=["Leaders know the service well"]),
    "being_healthy": dict(grade=3, strengths=["Teenage pregnancy is falling"],
                          areas_for_focus=["Waiting times for child and adolescent mental health services"],
                          indicator_codes=["JAR-CAMHS"]),
    "staying_safe": dict(grade=2, rationale="Child protection reviews are too often late.",
                         strengths=["Referrals are answered within a day"],
                         areas_for_development=["Child protection reviews held on time"],
                         indicator_codes=["JAR-CPR"]),
    "enjoying_and_achieving": dict(grade=2, rationale="Looked after children achieve too little at 16.",
                                   areas_for_development=["Attainment of looked after children at 16"],
                                   areas_for_focus=["Personal education plans for looked after children"]),
    "positive_contribution": dict(grade=4, strengths=["Young people shape services"]),
    "economic_wellbeing": dict(grade=3, strengths=["Few young people are not in education or work"]),
    "capacity_to_improve": dict(grade=3, strengths=["A credible improvement plan"]),
}


def _publish(assessment, users, judgements=JUDGEMENTS):
    """Through the services: submitted, judged by the lead inspector as given, then on to published."""
    journey(assessment, State.SUBMITTED, users=users)
    inspector = assessment.lead_inspector
    assessment_transition(assessment=assessment, to=State.UNDER_REVIEW, actor=inspector)
    for code, data in judgements.items():
        area = assessment.cycle.framework.areas.get(code=code)
        services.judgement_save(assessment=assessment, area=area, actor=inspector, version=None,
                                data=services.JudgementInput(**data))
    for to, actor in ((State.DRAFT_JUDGEMENTS, inspector), (State.FACTUAL_ACCURACY, inspector),
                      (State.MODERATION, inspector), (State.MODERATED, users["moderator"]),
                      (State.PUBLISHED, users["publisher"])):
        assessment_transition(assessment=assessment, to=to, actor=actor)
    return results_visible().get(assessment=assessment)


@pytest.fixture
def indicators(db):
    Indicator.objects.create(code="JAR-CAMHS", title="CAMHS waiting times")
    Indicator.objects.create(code="JAR-CPR", title="Child protection reviews on time")


@pytest.fixture
def published(kent, users, indicators):
    return _publish(kent, users)


@pytest.fixture
def democratic_services(db):
    return User.objects.create_user("kent_dem", role=Role.DEMOCRATIC_SERVICES,
                                    authority=User.objects.get(username="kent_officer").authority)


RISK = "/joint-area-review/886/apa-2008/2025/"
RECORD = RISK + "record/"
LETTER = "/letters/886/apa-2008/2025/"


def _record(result, actor, *, days_to_publication=30, **grades):
    today = timezone.localdate()
    given = dict.fromkeys(CORES, 3) | grades
    return jar.jar_record(result=result, actor=actor, fieldwork_from=today - timedelta(days=20),
                          fieldwork_to=today - timedelta(days=10),
                          publication_date=today + timedelta(days=days_to_publication), grades=given,
                          note="A joint area review of Kent.")


# ---- the framework data -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_apa_framework_names_the_areas_that_feed_each_core_area():
    cores = {f.code: {c["code"]: c["areas"] for c in f.jar_core_areas} for f in Framework.objects.all()}
    assert cores["apa-2008"] == {
        "safeguarding": ["staying_safe", "social_care_contribution"],
        "looked_after_children": ["staying_safe", "enjoying_and_achieving", "social_care_contribution"],
        "learning_difficulties_and_disabilities": ["being_healthy", "enjoying_and_achieving", "economic_wellbeing"],
        "service_management": ["overall_effectiveness", "capacity_to_improve"],
        "capacity_to_improve": ["capacity_to_improve"],
    }
    assert cores["apa-2005"]["safeguarding"] == ["social_care"]
    assert cores["apa-2006"]["service_management"] == ["capacity_to_improve", "overall_contribution"]
    assert all(list(cores[f"apa-{y}"]) == CORES for y in (2005, 2006, 2007, 2008))
    assert cores["ilacs-2018"] == {} and cores["rating-2009"] == {}


def _copy(tmp_path):
    directory = tmp_path / "frameworks"
    shutil.copytree(DATA_DIR, directory)
    return directory


@pytest.mark.django_db
def test_the_jar_table_of_a_framework_results_use_may_change_and_a_second_load_changes_nothing(tmp_path):
    directory = _copy(tmp_path)
    path = directory / "apa-2007.toml"
    text = path.read_text()
    changed = text.replace('areas = ["staying_safe", "social_care_contribution"]', 'areas = ["staying_safe"]')
    assert changed != text
    path.write_text(changed)
    assert frameworks_load(directory=directory)["apa-2007"] == "updated"
    assert Framework.objects.get(code="apa-2007").jar_core_areas[0]["areas"] == ["staying_safe"]
    assert set(frameworks_load(directory=directory).values()) == {"unchanged"}
    # Anything else of a used framework still may not change.
    path.write_text(changed.replace('title = "Being healthy"', 'title = "Being very healthy"'))
    with pytest.raises(ApaError) as refused:
        frameworks_load(directory=directory)
    assert "published results" in str(refused.value)


@pytest.mark.django_db
def test_an_installation_loaded_before_jar_tables_gains_them_on_the_next_init():
    """As a database loaded from the files before they had [jar] (results already use apa-2008): the next
    `apa init` fills the table in, and the one after changes nothing."""
    Framework.objects.filter(code="apa-2008").update(jar_core_areas=[], checksum="before-jar")
    outcome = frameworks_load()
    assert outcome["apa-2008"] == "updated" and {outcome[c] for c in outcome if c != "apa-2008"} == {"unchanged"}
    assert [c["code"] for c in Framework.objects.get(code="apa-2008").jar_core_areas] == CORES
    assert set(frameworks_load().values()) == {"unchanged"}


@pytest.mark.django_db
def test_a_jar_table_naming_an_unknown_area_is_refused(tmp_path):
    directory = _copy(tmp_path)
    path = directory / "apa-2008.toml"
    path.write_text(path.read_text().replace('areas = ["capacity_to_improve"]', 'areas = ["happiness"]'))
    with pytest.raises(ApaError) as refused:
        frameworks_load(directory=directory)
    assert refused.value.lines == ["apa-2008.toml: JAR core area capacity_to_improve names unknown area 'happiness'"]


# ---- the risk assessment ------------------------------------------------------------------------------------


def _feeds(core):
    return [(f.area, f.grade) for f in core.feeds]


@pytest.mark.django_db
def test_the_risk_assessment_of_kent_2025(published):
    assessment = jar.risk_assessment(result=published)
    assert [(c.code, _feeds(c)) for c in assessment.core_areas] == [
        ("safeguarding", [("staying_safe", 2), ("social_care_contribution", None)]),
        ("looked_after_children", [("staying_safe", 2), ("enjoying_and_achieving", 2),
                                   ("social_care_contribution", None)]),
        ("learning_difficulties_and_disabilities", [("being_healthy", 3), ("enjoying_and_achieving", 2),
                                                    ("economic_wellbeing", 3)]),
        ("service_management", [("overall_effectiveness", 3), ("capacity_to_improve", 3)]),
        ("capacity_to_improve", [("capacity_to_improve", 3)]),
    ]
    assert [(c.lowest.grade, c.lowest.label) for c in assessment.core_areas] == [
        (2, "Adequate"), (2, "Adequate"), (2, "Adequate"), (3, "Good"), (3, "Good")]
    flagged = {f.area: f for f in assessment.flagged}
    assert list(flagged) == ["being_healthy", "staying_safe", "enjoying_and_achieving"]
    healthy, safe, achieving = flagged.values()
    assert (healthy.low_grade, healthy.reasons) == (False, ["1 area for focus"])
    assert [(f.text, [e["indicator"] for e in f.evidence]) for f in healthy.focus] == [
        ("Waiting times for child and adolescent mental health services", ["JAR-CAMHS"])]
    assert healthy.development == []
    assert (safe.low_grade, safe.reasons, safe.rationale) == (
        True, ["graded 2 (Adequate)"], "Child protection reviews are too often late.")
    assert [(f.text, [e["indicator"] for e in f.evidence]) for f in safe.development] == [
        ("Child protection reviews held on time", ["JAR-CPR"])]
    assert achieving.reasons == ["graded 2 (Adequate)", "1 area for focus"]
    assert [f.text for f in achieving.focus] == ["Personal education plans for looked after children"]
    assert [f.text for f in achieving.development] == ["Attainment of looked after children at 16"]


def test_an_imported_result_gives_grades_only():
    """No database: the risk assessment is a function of the published version."""
    areas = [SimpleNamespace(code="social_care", title="Council children's social care services"),
             SimpleNamespace(code="overall", title="Overall")]
    grades = [SimpleNamespace(area=areas[0], grade=1), SimpleNamespace(area=areas[1], grade=3)]
    framework = SimpleNamespace(
        jar_core_areas=[{"code": "safeguarding", "title": "Safeguarding", "areas": ["social_care", "education"]}],
        areas=SimpleNamespace(all=lambda: areas),
        grades=SimpleNamespace(all=lambda: [SimpleNamespace(value=1, label="Inadequate"),
                                            SimpleNamespace(value=3, label="Good")]))
    result = SimpleNamespace(letter=None, framework=framework, grades=SimpleNamespace(all=lambda: grades))
    assessment = jar.risk_assessment(result=result)
    assert not assessment.has_findings
    assert [(f.area, f.grade, f.label) for f in assessment.core_areas[0].feeds] == [
        ("social_care", 1, "Inadequate"), ("education", None, "not graded")]
    assert [(f.area, f.reasons, f.focus, f.development) for f in assessment.flagged] == [
        ("social_care", ["graded 1 (Inadequate)"], [], [])]


@pytest.mark.django_db
def test_who_sees_the_risk_assessment(published, client, persona, democratic_services):
    for name in ("kent_officer", "inspector", "moderator"):
        persona(name)
        page = client.get(RISK)
        assert page.status_code == 200, name
        body = page.content.decode()
        for text in ("Waiting times for child and adolescent mental health services", "JAR-CAMHS",
                     "Child protection reviews held on time", "Personal education plans for looked after children"):
            assert text in body, (name, text)
        assert page["Cache-Control"] == "private, no-store"
    for name in ("surrey_officer", "admin"):
        persona(name)
        assert client.get(RISK).status_code == 404, name
    client.force_login(democratic_services)
    assert client.get(RISK).status_code == 404
    client.logout()
    assert client.get(RISK).status_code == 404
    assert client.get("/joint-area-review/886/apa-2008/1999/").status_code == 404
    assert client.get("/joint-area-review/no-such/apa-2008/2025/").status_code == 404


@pytest.mark.django_db
def test_no_risk_assessment_before_the_result_is_public(kent, users, indicators, client, persona):
    journey(kent, State.MODERATED, users=users)
    for name in ("inspector", "moderator", "kent_officer"):
        persona(name)
        assert client.get(RISK).status_code == 404, name
        assert client.get(RECORD).status_code in (403, 404), name


@pytest.mark.django_db
def test_a_framework_without_a_jar_table_has_no_risk_assessment(client, persona):
    persona("moderator")
    kent_ilacs = results_visible().filter(authority__dfe_code="886", framework__code="ilacs-2018").first()
    assert kent_ilacs is not None
    assert client.get(f"/joint-area-review/886/ilacs-2018/{kent_ilacs.key}/").status_code == 404


# ---- recording the JAR ---------------------------------------------------------------------------------------


def _form(**overrides):
    today = timezone.localdate()
    data = {"fieldwork_from": str(today - timedelta(days=20)), "fieldwork_to": str(today - timedelta(days=10)),
            "publication_date": str(today + timedelta(days=30)), "note": "Fieldwork in Kent.",
            "grade_safeguarding": "2", "grade_looked_after_children": "2",
            "grade_learning_difficulties_and_disabilities": "3", "grade_service_management": "3",
            "grade_capacity_to_improve": "3"}
    return data | overrides


@pytest.mark.django_db
def test_a_moderator_records_the_jar(published, client, persona):
    moderator = persona("moderator")
    form = client.get(RECORD)
    assert form.status_code == 200 and "Record the joint area review" in form.content.decode()
    response = client.post(RECORD, _form())
    assert response.status_code == 302 and response["Location"] == RISK
    review = JointAreaReview.objects.get(result=published)
    assert review.grades == {"safeguarding": 2, "looked_after_children": 2,
                             "learning_difficulties_and_disabilities": 3, "service_management": 3,
                             "capacity_to_improve": 3}
    assert (review.recorded_by, review.version, review.note) == (moderator, 1, "Fieldwork in Kent.")
    change = JointAreaReviewChange.objects.get(review=review)
    assert (change.actor, change.action, change.version) == (moderator, "recorded", 1)
    assert "safeguarding 2" in change.after
    # The moderator sees it, marked unpublished, on the risk assessment.
    page = client.get(RISK).content.decode()
    assert f'data-jar="{review.pk}"' in page and "Not yet published" in page


@pytest.mark.django_db
def test_a_changed_jar_keeps_its_history(published, users):
    review = _record(published, users["moderator"])
    jar.jar_update(review=review, actor=users["moderator_2"], version=1, fieldwork_from=review.fieldwork_from,
                   fieldwork_to=review.fieldwork_to, publication_date=review.publication_date,
                   grades=dict.fromkeys(CORES, 3) | {"safeguarding": 1}, note=review.note,
                   reason="Safeguarding was re-graded at the JAR's moderation")
    review.refresh_from_db()
    assert review.version == 2 and review.grades["safeguarding"] == 1 and review.updated_by == users["moderator_2"]
    rows = [(c.action, c.field, c.before, c.after, c.reason, c.actor.username, c.version)
            for c in review.changes.order_by("pk")][1:]
    assert rows == [("updated", "safeguarding", "3", "1", "Safeguarding was re-graded at the JAR's moderation",
                     "moderator_2", 2)]
    with pytest.raises(ApaError) as refused:
        jar.jar_update(review=review, actor=users["moderator"], version=2, fieldwork_from=review.fieldwork_from,
                       fieldwork_to=review.fieldwork_to, publication_date=review.publication_date,
                       grades=review.grades, note="Changed", reason="")
    assert "say why" in str(refused.value)


@pytest.mark.django_db
def test_only_a_moderator_records_a_jar(published, users, client, persona):
    for name in ("inspector", "admin", "kent_officer", "publisher"):
        persona(name)
        assert client.post(RECORD, _form()).status_code == 403, name
        with pytest.raises(PermissionDenied):
            _record(published, users[name])
    assert not JointAreaReview.objects.exists()


@pytest.mark.django_db
def test_the_form_shows_every_problem_in_a_govuk_error_summary(published, client, persona):
    persona("moderator")
    page = client.post(RECORD, _form(fieldwork_from="", grade_safeguarding="", grade_service_management="9"))
    body = page.content.decode()
    assert page.status_code == 200 and "govuk-error-summary" in body
    for message in ("Enter the date fieldwork began", "Choose a grade for Safeguarding",
                    "Choose a grade for Service management from the list"):
        assert message in body
    today = timezone.localdate()
    page = client.post(RECORD, _form(publication_date=str(today - timedelta(days=15))))
    assert "the publication date must be on or after the last day of fieldwork" in page.content.decode()
    page = client.post(RECORD, _form(fieldwork_from="not a date"))
    assert page.status_code == 200 and "Enter the date fieldwork began as 2026-03-02" in page.content.decode()
    assert not JointAreaReview.objects.exists()


@pytest.mark.django_db
def test_a_stale_save_is_refused_and_changes_nothing(published, users, client, persona):
    review = _record(published, users["moderator"])
    persona("moderator")
    assert 'name="version" value="1"' in client.get(RECORD).content.decode()
    # Someone else changes it meanwhile.
    jar.jar_update(review=review, actor=users["moderator_2"], version=1, fieldwork_from=review.fieldwork_from,
                   fieldwork_to=review.fieldwork_to, publication_date=review.publication_date,
                   grades=dict.fromkeys(CORES, 4), note=review.note, reason="Agreed at moderation")
    page = client.post(RECORD, _form(version="1", reason="My change"))
    body = page.content.decode()
    assert page.status_code == 200 and "govuk-error-summary" in body
    assert "changed by moderator_2" in body and "nothing was saved" in body
    review.refresh_from_db()
    assert review.version == 2 and review.grades == dict.fromkeys(CORES, 4)
    assert review.changes.filter(actor=users["moderator"], action="updated").count() == 0


@pytest.mark.django_db
def test_a_second_jar_for_the_same_result_is_refused(published, users):
    _record(published, users["moderator"])
    with pytest.raises(ApaError) as refused:
        _record(published, users["moderator_2"])
    assert refused.value.code == "conflict"
    assert JointAreaReview.objects.count() == 1


# ---- the public outcome ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_jar_is_public_only_from_its_publication_date(published, users, client, persona):
    review = _record(published, users["moderator"], days_to_publication=30, safeguarding=2)
    marker = f'data-jar="{review.pk}"'
    assert list(jars_visible()) == []
    assert list(jars_visible(at=timezone.now() + timedelta(days=31))) == [review]
    assert marker not in client.get(LETTER).content.decode()
    assert "Joint area review</strong>" not in client.get("/authorities/886/").content.decode()
    persona("kent_officer")
    assert marker not in client.get(RISK).content.decode()  # nor to its authority's officers before then
    persona("surrey_officer")
    assert marker not in client.get(LETTER).content.decode()
    client.logout()

    jar.jar_update(review=review, actor=users["moderator"], version=1, fieldwork_from=review.fieldwork_from,
                   fieldwork_to=review.fieldwork_to, publication_date=timezone.localdate(), grades=review.grades,
                   note=review.note, reason="Published early")
    assert list(jars_visible()) == [review]
    letter = client.get(LETTER).content.decode()
    assert marker in letter and "A joint area review of Kent." in letter
    authority = client.get("/authorities/886/").content.decode()
    assert "Safeguarding 2 (Adequate)" in authority
    persona("kent_officer")
    assert marker in client.get(RISK).content.decode()


# ---- the next cycle's review -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_lead_inspector_sees_last_time_and_its_jar_in_the_next_review(published, users, client):
    review = _record(published, users["moderator"], safeguarding=2)
    following = services.cycle_open(framework_code="apa-2008", year=2026, actor=users["admin"])
    kent_2026 = following.assessments.get(authority__dfe_code="886")
    services.cycle_assign(cycle=following, authority=kent_2026.authority, inspector=users["inspector"],
                          actor=users["admin"])
    url = f"/assessments/{kent_2026.pk}/review/"

    client.force_login(users["inspector"])
    page = client.get(url).content.decode()
    assert f'data-previous-result="{published.pk}"' in page
    assert "No joint area review of this result is published." in page  # recorded, not yet published

    jar.jar_update(review=review, actor=users["moderator"], version=1, fieldwork_from=review.fieldwork_from,
                   fieldwork_to=review.fieldwork_to, publication_date=timezone.localdate(), grades=review.grades,
                   note=review.note, reason="Published")
    page = client.get(url).content.decode()
    assert f'data-previous-result="{published.pk}"' in page and f'data-jar="{review.pk}"' in page
    previous = jar.previous_for_review(authority=kent_2026.authority, year=2026)
    assert [(g.area, g.grade) for g in previous.grades][:3] == [("overall_effectiveness", 3), ("being_healthy", 3),
                                                                ("staying_safe", 2)]
    assert [(r.code, r.grade) for r in previous.outcome] == [("safeguarding", 2), ("looked_after_children", 3),
                                                             ("learning_difficulties_and_disabilities", 3),
                                                             ("service_management", 3), ("capacity_to_improve", 3)]
    # Another inspector reviewing does not lead it: no panel.
    client.force_login(users["inspector_2"])
    assert "data-previous-result" not in client.get(url).content.decode()
