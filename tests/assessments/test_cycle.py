"""The cycle from self-assessment to publication, through the services: permissions, history, no lost
update, moderation by two moderators, representations, embargoed publication and corrections."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apa.assessments import services
from apa.assessments.models import ChangeLog, Evidence, GradeChange, State
from apa.assessments.workflow import assessment_transition
from apa.errors import ApaError
from apa.publication.models import Result
from apa.publication.selectors import authorities_compared, results_visible
from apa.publication.services import result_correction_agree, result_correction_propose

from .conftest import judge, put_in_state


def area(assessment, code):
    return assessment.cycle.framework.areas.get(code=code)


def test_cycle_opens_with_every_authority_of_its_year(cycle):
    assessments = cycle.assessments.all()
    codes = set(assessments.values_list("authority__dfe_code", flat=True))
    assert {"886", "839", "940", "942"} <= codes  # BCP, North Northamptonshire, Cumberland exist in 2025
    assert {"837", "928", "909"}.isdisjoint(codes)  # ended before 2025
    assert set(assessments.values_list("state", flat=True)) == {"not_started"}
    assert (cycle.self_assessment_due.month, cycle.data_lock.month, cycle.visits_from.month) == (5, 6, 7)


def test_only_admin_opens_a_cycle_and_not_twice(users, cycle):
    with pytest.raises(ApaError, match="only admin"):
        services.cycle_open(framework_code="apa-2007", year=2026, actor=users["inspector"])
    with pytest.raises(ApaError, match="already open"):
        services.cycle_open(framework_code="apa-2008", year=2025, actor=users["admin"])


def test_self_assessment_own_authority_only_and_read_only_once_submitted(kent, users):
    outcome = area(kent, "being_healthy")
    with pytest.raises(ApaError, match="officer of Kent"):
        services.self_assessment_save(assessment=kent, area=outcome, actor=users["surrey_officer"], narrative="x")
    row = services.self_assessment_save(assessment=kent, area=outcome, actor=users["kent_officer"],
                                        narrative="Teenage conceptions are falling.", own_grade="3")
    kent.refresh_from_db()
    assert kent.state == State.SELF_ASSESSMENT and row.own_grade == 3 and row.version == 1
    services.self_assessment_submit(assessment=kent, actor=users["kent_officer"])
    with pytest.raises(ApaError, match="read-only"):
        services.self_assessment_save(assessment=kent, area=outcome, actor=users["kent_officer"], narrative="later")
    assessment_transition(assessment=kent, to=State.SELF_ASSESSMENT, actor=users["inspector"], reason="Add the data")
    services.self_assessment_save(assessment=kent, area=outcome, actor=users["kent_officer"], narrative="Updated.")
    fields = list(ChangeLog.objects.filter(assessment=kent, action="self_assessment").values_list("field", "after"))
    assert ("narrative", "Teenage conceptions are falling.") in fields and ("narrative", "Updated.") in fields


def test_document_is_served_only_to_those_allowed(kent, users, client):
    doc = services.document_add(assessment=kent, actor=users["kent_officer"], title="CYPP review",
                                uploaded=SimpleUploadedFile("cypp.txt", b"KENT-SECRET-DOC", content_type="text/plain"))
    url = f"/documents/{doc.pk}/"
    assert client.get(url).status_code == 302  # anonymous: sign in first
    client.force_login(users["surrey_officer"])
    assert client.get(url).status_code == 404
    client.force_login(users["kent_officer"])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"KENT-SECRET-DOC"
    client.force_login(users["inspector"])
    assert client.get(url).status_code == 200


def test_documents_are_kept_through_the_configured_storage(kent, users, client, settings, tmp_path):
    """Uploads go through Django's storage API only, so an object store is a setting (STORAGES, docs/deploy.md):
    with an in-memory storage configured, nothing is written under MEDIA_ROOT and the download reads the storage."""
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    doc = services.document_add(assessment=kent, actor=users["kent_officer"], title="CYPP review",
                                uploaded=SimpleUploadedFile("cypp.txt", b"KENT-STORED", content_type="text/plain"))
    assert type(default_storage._wrapped).__name__ == "InMemoryStorage"
    assert default_storage.exists(doc.file.name) and not (tmp_path / "media").exists()
    client.force_login(users["kent_officer"])
    response = client.get(f"/documents/{doc.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"KENT-STORED"


def test_judgement_links_every_finding_to_its_evidence(kent, users):
    put_in_state(kent, State.UNDER_REVIEW)
    judgement = judge(kent, users["inspector"], "staying_safe", grade=3, rationale="Safeguarding is good.",
                      strengths=["Timely assessments", "Stable placements"], areas_for_development=["Repeat referrals"],
                      areas_for_focus=["Child protection register"], link_self_assessment=False)
    kinds = sorted(judgement.findings.values_list("kind", flat=True))
    assert kinds == ["development", "focus", "strength", "strength"]
    assert ChangeLog.objects.filter(assessment=kent, action="finding", field="strengths").exists()
    with pytest.raises(ApaError, match="unknown indicator NO-SUCH"):
        judge(kent, users["inspector"], "staying_safe", grade=3, indicator_codes=["NO-SUCH"])


def test_no_lost_update(kent, users):
    put_in_state(kent, State.UNDER_REVIEW)
    first = judge(kent, users["inspector"], "being_healthy", grade=3, rationale="First")
    opened_at = first.version
    services.judgement_save(assessment=kent, area=first.area, actor=users["inspector"], version=opened_at,
                            data=services.JudgementInput(grade=4, rationale="Saved by the first tab"))
    with pytest.raises(ApaError, match="someone else saved") as refused:
        services.judgement_save(assessment=kent, area=first.area, actor=users["inspector"], version=opened_at,
                                data=services.JudgementInput(grade=2, rationale="Second tab"))
    assert refused.value.code == "conflict"
    first.refresh_from_db()
    assert (first.grade, first.rationale) == (4, "Saved by the first tab")


def test_only_the_lead_inspector_judges(kent, users):
    put_in_state(kent, State.UNDER_REVIEW)
    with pytest.raises(ApaError, match="lead inspector"):
        judge(kent, users["inspector_2"], "being_healthy", grade=3)


def _to_moderation(kent, users):
    put_in_state(kent, State.UNDER_REVIEW)
    for a in kent.cycle.framework.areas.filter(required=True):
        judge(kent, users["inspector"], a.code, grade=3, rationale=f"MARKER-RATIONALE-{a.code}",
              strengths=[f"MARKER-STRENGTH-{a.code}"], areas_for_development=["MARKER-DEVELOPMENT"])
    for state in (State.DRAFT_JUDGEMENTS, State.FACTUAL_ACCURACY, State.MODERATION):
        assessment_transition(assessment=kent, to=state, actor=users["inspector"])


def test_moderated_grade_needs_a_second_moderator(kent, users):
    _to_moderation(kent, users)
    judgement = kent.judgements.get(area__code="capacity_to_improve")
    with pytest.raises(ApaError, match="reason"):
        services.grade_change_propose(judgement=judgement, to_grade=4, reason=" ", actor=users["moderator"])
    change = services.grade_change_propose(judgement=judgement, to_grade=4, reason="Leadership evidence", actor=users["moderator"])
    judgement.refresh_from_db()
    assert judgement.grade == 3, "a proposal changes nothing yet"
    with pytest.raises(ApaError, match="awaits"):
        assessment_transition(assessment=kent, to=State.MODERATED, actor=users["moderator"])
    with pytest.raises(ApaError, match="different moderator"):
        services.grade_change_agree(change=change, actor=users["moderator"])
    services.grade_change_agree(change=change, actor=users["moderator_2"])
    judgement.refresh_from_db()
    assert judgement.grade == 4
    row = ChangeLog.objects.filter(assessment=kent, action="judgement", field="grade").latest("pk")
    assert (row.before, row.after, row.reason, row.internal) == ("3", "4", "changed in national moderation", False)
    note = ChangeLog.objects.get(assessment=kent, action="grade_change_agreed")
    assert note.internal and "Leadership evidence" in note.reason
    assert GradeChange.objects.get(pk=change.pk).agreed_by == users["moderator_2"]


def test_publication_is_embargoed_until_its_time_without_a_scheduler(kent, users):
    _to_moderation(kent, users)
    assessment_transition(assessment=kent, to=State.MODERATED, actor=users["moderator"])
    result = Result.objects.get(assessment=kent)
    assert result.withheld and not results_visible().filter(pk=result.pk).exists()
    publish_at = timezone.now() + timedelta(days=2)
    services.cycle_schedule(cycle=kent.cycle, publish_at=publish_at, actor=users["publisher"])
    assert not results_visible().filter(pk=result.pk).exists()
    # An as-of date after the publication time still shows nothing unreleased.
    kent_compared = authorities_compared(framework=kent.cycle.framework, authority=kent.authority, year=2025,
                                         as_of=(publish_at + timedelta(days=30)).date())
    assert kent_compared.rank is None and kent_compared.compared == 0
    later = publish_at + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert results_visible().filter(pk=result.pk).exists()
        done = services.cycle_publish_due()
    assert [a.pk for a in done] == [kent.pk]
    kent.refresh_from_db()
    assert kent.state == State.PUBLISHED
    row = ChangeLog.objects.filter(assessment=kent, action="transition").latest("pk")
    assert (row.actor_label, row.after, row.at) == ("scheduled publication", "published", publish_at)
    result.refresh_from_db()
    assert result.publication_date == timezone.localtime(publish_at).date()


def test_representation_holds_one_authority_back(kent, cycle, users):
    _to_moderation(kent, users)
    assessment_transition(assessment=kent, to=State.MODERATED, actor=users["moderator"])
    surrey = cycle.assessments.get(authority__dfe_code="936")
    _to_moderation(surrey, users)
    assessment_transition(assessment=surrey, to=State.MODERATED, actor=users["moderator"])
    rep = services.representation_make(assessment=kent, actor=users["kent_officer"], kind="grade",
                                       area=area(kent, "staying_safe"), text="Timeliness improved since April")
    published = services.cycle_publish(cycle=cycle, actor=users["publisher"])
    assert [a.authority.dfe_code for a in published] == ["936"]
    assert not results_visible().filter(assessment=kent).exists()
    assert results_visible().filter(assessment=surrey).exists()
    services.representation_decide(representation=rep, actor=users["moderator"], decision="upheld",
                                   reason="Data since April confirm it", new_grade=4)
    kent.refresh_from_db()
    assert kent.state == State.MODERATED
    assert kent.judgements.get(area__code="staying_safe").grade == 4
    assert not results_visible().filter(assessment=kent).exists(), "late: waits for the publisher"
    services.cycle_publish(cycle=cycle, actor=users["publisher"])
    late = results_visible().get(assessment=kent)
    assert late.grades.get(area__code="staying_safe").grade == 4
    assert late.publication_date == timezone.localdate()


def test_correction_is_a_new_version_and_keeps_the_old(kent, cycle, users):
    _to_moderation(kent, users)
    assessment_transition(assessment=kent, to=State.MODERATED, actor=users["moderator"])
    services.cycle_publish(cycle=cycle, actor=users["publisher"])
    first = results_visible().get(assessment=kent)
    with pytest.raises(ApaError, match="note"):
        result_correction_propose(result=first, grades={"being_healthy": 2}, note="", actor=users["moderator"])
    proposal = result_correction_propose(result=first, grades={"being_healthy": 2}, note="Health data were mis-keyed",
                                         actor=users["moderator"])
    assert results_visible().get(assessment=kent).pk == first.pk, "nothing changes until a second moderator agrees"
    with pytest.raises(ApaError, match="different moderator"):
        result_correction_agree(correction=proposal, actor=users["moderator"])
    second = result_correction_agree(correction=proposal, actor=users["moderator_2"])
    first.refresh_from_db()
    assert (first.is_current, second.version, second.previous_id) == (False, 2, first.pk)
    assert first.grades.get(area__code="being_healthy").grade == 3
    assert results_visible().get(assessment=kent).grades.get(area__code="being_healthy").grade == 2


def test_factual_accuracy_comments_only_by_the_authority_in_that_state(kent, users):
    put_in_state(kent, State.UNDER_REVIEW)
    judgement = judge(kent, users["inspector"], "being_healthy", grade=3, strengths=["Good health visiting"])
    finding = judgement.findings.get()
    put_in_state(kent, State.FACTUAL_ACCURACY)
    with pytest.raises(ApaError):
        services.factual_accuracy_comment(finding=finding, judgement=judgement, actor=users["surrey_officer"], text="x")
    services.factual_accuracy_comment(finding=finding, judgement=judgement, actor=users["kent_officer"],
                                      text="Health visiting is run by the NHS trust")
    assert finding.comments.get().text == "Health visiting is run by the NHS trust"
    put_in_state(kent, State.MODERATION)
    with pytest.raises(ApaError, match="factual accuracy check"):
        services.factual_accuracy_comment(finding=finding, judgement=judgement, actor=users["kent_officer"], text="late")


def test_schedule_must_be_by_the_publisher_and_in_the_future(cycle, users):
    with pytest.raises(ApaError, match="only publisher"):
        services.cycle_schedule(cycle=cycle, publish_at=timezone.now() + timedelta(days=1), actor=users["moderator"])
    with pytest.raises(ApaError, match="future"):
        services.cycle_schedule(cycle=cycle, publish_at=timezone.now() - timedelta(days=1), actor=users["publisher"])


def test_evidence_links_to_documents_and_self_assessment(kent, users):
    services.self_assessment_save(assessment=kent, area=area(kent, "staying_safe"), actor=users["kent_officer"],
                                  narrative="Our safeguarding board audits every case.")
    doc = services.document_add(assessment=kent, actor=users["kent_officer"], title="Audit",
                                uploaded=SimpleUploadedFile("a.txt", b"audit"))
    put_in_state(kent, State.UNDER_REVIEW)
    judgement = judge(kent, users["inspector"], "staying_safe", grade=3, strengths=["Case audit"],
                      document_ids=[doc.pk], link_self_assessment=True)
    kinds = sorted(Evidence.objects.filter(finding__judgement=judgement).values_list("kind", flat=True))
    assert kinds == ["document", "self_assessment"]
    assert Evidence.objects.get(finding__judgement=judgement, kind="self_assessment").passage.startswith("Our safeguarding")


def test_flags_are_refused_once_the_cycle_locks_its_data(kent, users):
    from datetime import date

    from apa.assessments.models import CyclePeriod
    from apa.indicators.models import Indicator, IndicatorPeriod
    from apa.indicators.services import data_lock_check

    indicator = Indicator.objects.create(code="ZZLOCK", title="A locked measure")
    period = IndicatorPeriod.objects.create(indicator=indicator, label="2024", sort_key=2024_12_00_1)
    CyclePeriod.objects.create(cycle=kent.cycle, indicator_code="ZZLOCK", period="2024")
    data_lock_check(authority=kent.authority, period=period, when=date(2025, 6, 30))  # the lock day itself: open
    with pytest.raises(ApaError, match="locked for the Annual performance assessment 2008 2025 on 30 June 2025"):
        data_lock_check(authority=kent.authority, period=period, when=date(2025, 7, 1))


def test_letters_as_pdf_draft_to_those_allowed_published_to_all(kent, cycle, users, client):
    _to_moderation(kent, users)
    client.force_login(users["kent_officer"])
    draft = client.get(f"/assessments/{kent.pk}/letter.pdf")
    assert draft.status_code == 200 and draft.content.startswith(b"%PDF")
    client.force_login(users["surrey_officer"])
    assert client.get(f"/assessments/{kent.pk}/letter.pdf").status_code == 404
    client.logout()
    assert client.get("/letters/886/apa-2008/2025/letter.pdf").status_code == 404
    assessment_transition(assessment=kent, to=State.MODERATED, actor=users["moderator"])
    services.cycle_publish(cycle=cycle, actor=users["publisher"])
    published = client.get("/letters/886/apa-2008/2025/letter.pdf")
    assert published.status_code == 200 and published.content.startswith(b"%PDF")
    assert b"letter.pdf" in client.get("/letters/886/apa-2008/2025/").content
