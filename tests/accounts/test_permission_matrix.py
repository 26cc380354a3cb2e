"""Every permission × every persona × an own and another's object, against a table written by hand.

The table below is typed from docs/permissions.md's "who" of each permission and from the policy of issue 10:
admin (and a superuser, who is no exception) holds accounts, cycles, lead inspectors and reference data only;
the inspectorate is inspector, moderator and publisher; "an officer of the object's authority" is that
authority's officer and no one else; democratic services read draft reports but not progress reports (they
hold improvement-plan content); an agreement needs a moderator other than the proposer; a flag is withdrawn by
the officer who raised it; an officer reads the draft letter from the factual accuracy check on; an inactive
account holds nothing. It is never computed from the predicates: a disagreement is a finding, not a typo.

The objects are built with the ORM (this tests who, not the services). Kent (886) is the "own" authority, Surrey
(936) "another's": each object exists for both, each raised or proposed as the policy says (moderator A
proposes every grade change and correction; each authority's flag is raised by its own officer), both
assessments are in factual_accuracy and both are led by the lead inspector.
"""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from apa.accounts.models import Role, User
from apa.accounts.permissions import PERMISSIONS, has_perm
from apa.assessments.models import Assessment, Cycle, Document, GradeChange, Judgement, Representation, State
from apa.authorities.models import Authority
from apa.councils.models import CallIn, DecisionRecord, Meeting, Report
from apa.frameworks.models import Framework
from apa.indicators.models import Flag, Import, Indicator, IndicatorPeriod, Value
from apa.jobs.models import Job
from apa.plans.models import PlanAction, PlanLine
from apa.publication.models import Result, ResultCorrection

# The personas, in the table's column order, with the heading each column has in the table.
PERSONAS = {
    "public": "pub",  # AnonymousUser
    "inactive_officer": "ina",  # Kent's officer, deactivated
    "lead_inspector": "lea",  # leads both assessments
    "other_inspector": "ins",
    "moderator_a": "moA",  # proposes every grade change and correction
    "moderator_b": "moB",
    "publisher": "pbl",
    "admin": "adm",  # role admin
    "superuser": "su",  # Django superuser, no role
    "kent_officer": "kOf",
    "surrey_officer": "sOf",
    "kent_democratic": "kDS",
    "surrey_democratic": "sDS",
}

# Y: holds the permission for the object; .: does not. "none" is no object (a permission over no authority's
# object); "cycle" is the cycle both assessments belong to; "kent:x" and "surrey:x" are that authority's x.
EXPECTED_TABLE = """
permission                            object                pub ina lea ins moA moB pbl adm su  kOf sOf kDS sDS
accounts.manage_accounts              none                   .   .   .   .   .   .   .   Y   Y   .   .   .   .
assessments.open_cycle                none                   .   .   .   .   .   .   .   Y   Y   .   .   .   .
assessments.assign_lead_inspector     cycle                  .   .   .   .   .   .   .   Y   Y   .   .   .   .
assessments.view_cycle                cycle                  .   .   Y   Y   Y   Y   Y   Y   Y   .   .   .   .
assessments.moderate                  kent:assessment        .   .   .   .   Y   Y   .   .   .   .   .   .   .
assessments.moderate                  surrey:assessment      .   .   .   .   Y   Y   .   .   .   .   .   .   .
assessments.schedule_publication      cycle                  .   .   .   .   .   .   Y   .   .   .   .   .   .
assessments.publish_cycle             cycle                  .   .   .   .   .   .   Y   .   .   .   .   .   .
assessments.view_assessment           kent:assessment        .   .   Y   Y   Y   Y   Y   .   .   Y   .   .   .
assessments.view_assessment           surrey:assessment      .   .   Y   Y   Y   Y   Y   .   .   .   Y   .   .
assessments.edit_self_assessment      kent:assessment        .   .   .   .   .   .   .   .   .   Y   .   .   .
assessments.edit_self_assessment      surrey:assessment      .   .   .   .   .   .   .   .   .   .   Y   .   .
assessments.view_document             kent:document          .   .   Y   Y   Y   Y   Y   .   .   Y   .   .   .
assessments.view_document             surrey:document        .   .   Y   Y   Y   Y   Y   .   .   .   Y   .   .
assessments.view_review               kent:assessment        .   .   Y   Y   Y   Y   Y   .   .   .   .   .   .
assessments.view_review               surrey:assessment      .   .   Y   Y   Y   Y   Y   .   .   .   .   .   .
assessments.lead_review               kent:assessment        .   .   Y   .   .   .   .   .   .   .   .   .   .
assessments.lead_review               surrey:assessment      .   .   Y   .   .   .   .   .   .   .   .   .   .
assessments.record_judgement          kent:judgement         .   .   Y   .   .   .   .   .   .   .   .   .   .
assessments.record_judgement          surrey:judgement       .   .   Y   .   .   .   .   .   .   .   .   .   .
assessments.view_draft_letter         kent:assessment        .   .   Y   Y   Y   Y   Y   .   .   Y   .   .   .
assessments.view_draft_letter         surrey:assessment      .   .   Y   Y   Y   Y   Y   .   .   .   Y   .   .
assessments.comment_factual_accuracy  kent:judgement         .   .   .   .   .   .   .   .   .   Y   .   .   .
assessments.comment_factual_accuracy  surrey:judgement       .   .   .   .   .   .   .   .   .   .   Y   .   .
assessments.propose_grade_change      kent:judgement         .   .   .   .   Y   Y   .   .   .   .   .   .   .
assessments.propose_grade_change      surrey:judgement       .   .   .   .   Y   Y   .   .   .   .   .   .   .
assessments.agree_grade_change        kent:grade_change      .   .   .   .   .   Y   .   .   .   .   .   .   .
assessments.agree_grade_change        surrey:grade_change    .   .   .   .   .   Y   .   .   .   .   .   .   .
assessments.make_representation       kent:assessment        .   .   .   .   .   .   .   .   .   Y   .   .   .
assessments.make_representation       surrey:assessment      .   .   .   .   .   .   .   .   .   .   Y   .   .
assessments.decide_representation     kent:representation    .   .   .   .   Y   Y   .   .   .   .   .   .   .
assessments.decide_representation     surrey:representation  .   .   .   .   Y   Y   .   .   .   .   .   .   .
indicators.import_values              none                   .   .   .   .   .   .   .   Y   Y   .   .   .   .
indicators.view_flags                 none                   .   .   Y   Y   Y   Y   .   .   .   Y   Y   .   .
indicators.view_flag                  kent:flag              .   .   Y   Y   Y   Y   .   .   .   Y   .   .   .
indicators.view_flag                  surrey:flag            .   .   Y   Y   Y   Y   .   .   .   .   Y   .   .
indicators.raise_flag                 kent:value             .   .   .   .   .   .   .   .   .   Y   .   .   .
indicators.raise_flag                 surrey:value           .   .   .   .   .   .   .   .   .   .   Y   .   .
indicators.withdraw_flag              kent:flag              .   .   .   .   .   .   .   .   .   Y   .   .   .
indicators.withdraw_flag              surrey:flag            .   .   .   .   .   .   .   .   .   .   Y   .   .
indicators.answer_flag                kent:flag              .   .   Y   Y   Y   Y   .   .   .   .   .   .   .
indicators.answer_flag                surrey:flag            .   .   Y   Y   Y   Y   .   .   .   .   .   .   .
publication.import_results            none                   .   .   .   .   .   .   .   Y   Y   .   .   .   .
publication.correct_result            kent:result            .   .   .   .   Y   Y   .   .   .   .   .   .   .
publication.correct_result            surrey:result          .   .   .   .   Y   Y   .   .   .   .   .   .   .
publication.agree_correction          kent:correction        .   .   .   .   .   Y   .   .   .   .   .   .   .
publication.agree_correction          surrey:correction      .   .   .   .   .   Y   .   .   .   .   .   .   .
publication.withdraw_correction       kent:correction        .   .   .   .   Y   Y   .   .   .   .   .   .   .
publication.withdraw_correction       surrey:correction      .   .   .   .   Y   Y   .   .   .   .   .   .   .
publication.view_jar_risk_assessment  kent:result            .   .   Y   Y   Y   Y   .   .   .   Y   .   .   .
publication.view_jar_risk_assessment  surrey:result          .   .   Y   Y   Y   Y   .   .   .   .   Y   .   .
publication.record_jar                kent:result            .   .   .   .   Y   Y   .   .   .   .   .   .   .
publication.record_jar                surrey:result          .   .   .   .   Y   Y   .   .   .   .   .   .   .
councils.view_draft_report            kent:cabinet_report    .   .   .   .   .   .   .   .   .   Y   .   Y   .
councils.view_draft_report            surrey:cabinet_report  .   .   .   .   .   .   .   .   .   .   Y   .   Y
councils.view_draft_report            kent:progress_report   .   .   .   .   .   .   .   .   .   Y   .   .   .
councils.view_draft_report            surrey:progress_report .   .   .   .   .   .   .   .   .   .   Y   .   .
councils.draft_report                 kent:cabinet_report    .   .   .   .   .   .   .   .   .   Y   .   .   .
councils.draft_report                 surrey:cabinet_report  .   .   .   .   .   .   .   .   .   .   Y   .   .
councils.draft_report                 kent:progress_report   .   .   .   .   .   .   .   .   .   Y   .   .   .
councils.draft_report                 surrey:progress_report .   .   .   .   .   .   .   .   .   .   Y   .   .
councils.manage_meetings              kent:authority         .   .   .   .   .   .   .   .   .   .   .   Y   .
councils.manage_meetings              surrey:authority       .   .   .   .   .   .   .   .   .   .   .   .   Y
councils.manage_meetings              kent:meeting           .   .   .   .   .   .   .   .   .   .   .   Y   .
councils.manage_meetings              surrey:meeting         .   .   .   .   .   .   .   .   .   .   .   .   Y
councils.view_draft_decision          kent:decision          .   .   .   .   .   .   .   .   .   Y   .   Y   .
councils.view_draft_decision          surrey:decision        .   .   .   .   .   .   .   .   .   .   Y   .   Y
councils.record_decision              kent:decision          .   .   .   .   .   .   .   .   .   .   .   Y   .
councils.record_decision              surrey:decision        .   .   .   .   .   .   .   .   .   .   .   .   Y
councils.publish_decision             kent:decision          .   .   .   .   .   .   .   .   .   .   .   Y   .
councils.publish_decision             surrey:decision        .   .   .   .   .   .   .   .   .   .   .   .   Y
councils.record_callin                kent:callin            .   .   .   .   .   .   .   .   .   .   .   Y   .
councils.record_callin                surrey:callin          .   .   .   .   .   .   .   .   .   .   .   .   Y
councils.set_callin_rule              kent:authority         .   .   .   .   .   .   .   .   .   .   .   Y   .
councils.set_callin_rule              surrey:authority       .   .   .   .   .   .   .   .   .   .   .   .   Y
plans.view_plan                       kent:authority         .   .   .   .   .   .   .   .   .   Y   .   .   .
plans.view_plan                       surrey:authority       .   .   .   .   .   .   .   .   .   .   Y   .   .
plans.view_plan                       kent:plan_line         .   .   .   .   .   .   .   .   .   Y   .   .   .
plans.view_plan                       surrey:plan_line       .   .   .   .   .   .   .   .   .   .   Y   .   .
plans.edit_plan                       kent:plan_line         .   .   .   .   .   .   .   .   .   Y   .   .   .
plans.edit_plan                       surrey:plan_line       .   .   .   .   .   .   .   .   .   .   Y   .   .
plans.edit_plan                       kent:plan_action       .   .   .   .   .   .   .   .   .   Y   .   .   .
plans.edit_plan                       surrey:plan_action     .   .   .   .   .   .   .   .   .   .   Y   .   .
jobs.build_letters                    none                   .   .   .   .   .   .   Y   .   .   .   .   .   .
jobs.build_opendata                   none                   .   .   .   .   .   .   Y   .   .   .   .   .   .
jobs.view_job                         publisher_job          .   .   .   .   .   .   Y   Y   Y   .   .   .   .
jobs.view_job                         system_job             .   .   .   .   .   .   .   Y   Y   .   .   .   .
"""


def expected_rows() -> dict[str, dict[str, dict[str, bool]]]:
    """The table read into {permission: {object: {persona: holds}}} (reading only: every answer is typed above)."""
    lines = [line.split() for line in EXPECTED_TABLE.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert header == ["permission", "object", *PERSONAS.values()], "the table's columns are not PERSONAS"
    table: dict[str, dict[str, dict[str, bool]]] = {}
    for row in rows:
        name, obj, cells = row[0], row[1], row[2:]
        assert len(cells) == len(PERSONAS) and set(cells) <= {"Y", "."}, f"malformed row: {' '.join(row)}"
        assert obj not in table.get(name, {}), f"{name} on {obj} is in the table twice"
        table.setdefault(name, {})[obj] = {persona: cell == "Y" for persona, cell in zip(PERSONAS, cells, strict=True)}
    return table


EXPECTED = expected_rows()


# ---- the world: personas and each authority's objects ---------------------------------------------------


def _user(username: str, role: str = "", authority: Authority | None = None, **extra) -> User:
    return User.objects.create_user(f"matrix_{username}", role=role, authority=authority, **extra)


def _personas(kent: Authority, surrey: Authority) -> dict:
    return {
        "public": AnonymousUser(),
        "inactive_officer": _user("inactive_officer", Role.AUTHORITY_OFFICER, kent, is_active=False),
        "lead_inspector": _user("lead_inspector", Role.INSPECTOR),
        "other_inspector": _user("other_inspector", Role.INSPECTOR),
        "moderator_a": _user("moderator_a", Role.MODERATOR),
        "moderator_b": _user("moderator_b", Role.MODERATOR),
        "publisher": _user("publisher", Role.PUBLISHER),
        "admin": _user("admin", Role.ADMIN),
        "superuser": User.objects.create_superuser("matrix_superuser", email="", password=None),
        "kent_officer": _user("kent_officer", Role.AUTHORITY_OFFICER, kent),
        "surrey_officer": _user("surrey_officer", Role.AUTHORITY_OFFICER, surrey),
        "kent_democratic": _user("kent_democratic", Role.DEMOCRATIC_SERVICES, kent),
        "surrey_democratic": _user("surrey_democratic", Role.DEMOCRATIC_SERVICES, surrey),
    }


def _cycle(framework: Framework) -> Cycle:
    return Cycle.objects.create(framework=framework, year=2031, self_assessment_due=date(2031, 5, 30),
                                data_lock=date(2031, 6, 30), visits_from=date(2031, 7, 1),
                                visits_to=date(2031, 7, 31), moderation_by=date(2031, 10, 31))


def _authority_objects(prefix: str, authority: Authority, *, cycle: Cycle, people: dict, officer: User,
                       democratic: User, period: IndicatorPeriod, source: Import) -> dict:
    """One of everything for one authority, keyed "prefix:kind"."""
    area = cycle.framework.areas.order_by("judging_order").first()
    assessment = Assessment.objects.create(cycle=cycle, authority=authority, lead_inspector=people["lead_inspector"],
                                           state=State.FACTUAL_ACCURACY)
    judgement = Judgement.objects.create(assessment=assessment, area=area, grade=3)
    value = Value.objects.create(period=period, authority=authority, value=1.5, source=source)
    result = Result.objects.create(authority=authority, framework=cycle.framework, year=2031, key="2031",
                                   counts_from=date(2031, 12, 31))
    meeting = Meeting.objects.create(authority=authority, committee="Cabinet", date=date(2031, 12, 1))
    decision = DecisionRecord.objects.create(authority=authority, meeting=meeting, title="Response to the letter",
                                             decision="Noted", decision_date=date(2031, 12, 1))
    line = PlanLine.objects.create(authority=authority, kind=PlanLine.Kind.OTHER, text="Cut repeat referrals")
    objects = {
        "assessment": assessment,
        "document": Document.objects.create(assessment=assessment, title="Evidence", file="assessments/evidence.txt",
                                            uploaded_by=officer),
        "judgement": judgement,
        "grade_change": GradeChange.objects.create(judgement=judgement, from_grade=3, to_grade=2, reason="Moderated",
                                                   proposed_by=people["moderator_a"]),
        "representation": Representation.objects.create(assessment=assessment, kind=Representation.Kind.GRADE,
                                                         area=area, text="The grade is wrong", made_by=officer),
        "value": value,
        "flag": Flag.objects.create(value=value, comment="Looks wrong", value_when_flagged=1.5, raised_by=officer),
        "result": result,
        "correction": ResultCorrection.objects.create(result=result, grades={area.code: 2}, note="Typo",
                                                      proposed_by=people["moderator_a"], proposed_at=timezone.now()),
        "cabinet_report": Report.objects.create(authority=authority, layout=Report.Layout.CABINET, title="Cabinet",
                                                report_date=date(2031, 12, 1), score="overall_effectiveness"),
        "progress_report": Report.objects.create(authority=authority, layout=Report.Layout.PROGRESS, title="Progress",
                                                 report_date=date(2031, 12, 1), score="overall_effectiveness"),
        "authority": authority,
        "meeting": meeting,
        "decision": decision,
        "callin": CallIn.objects.create(decision=decision, members="Cllr A\nCllr B", reason="Not consulted",
                                        date=date(2031, 12, 3), recorded_by=democratic),
        "plan_line": line,
        "plan_action": PlanAction.objects.create(line=line, description="Audit referrals", due_date=date(2032, 3, 31)),
    }
    return {f"{prefix}:{kind}": obj for kind, obj in objects.items()}


@pytest.fixture
def world(db):
    kent, surrey = Authority.objects.get(dfe_code="886"), Authority.objects.get(dfe_code="936")
    people = _personas(kent, surrey)
    cycle = _cycle(Framework.objects.get(code="apa-2008"))
    indicator = Indicator.objects.create(code="MATRIX_TEST", title="Permission matrix test indicator")
    period = IndicatorPeriod.objects.create(indicator=indicator, label="2030", sort_key=2030)
    source = Import.objects.create(source="permission matrix", format="plain", sha256="0" * 64)
    objects = {"none": None, "cycle": cycle,
               "publisher_job": Job.objects.create(kind=Job.Kind.LETTERS, label="Letters", started_by=people["publisher"]),
               "system_job": Job.objects.create(kind=Job.Kind.OPENDATA, label="Open data")}
    for prefix, authority, officer, democratic in (
        ("kent", kent, people["kent_officer"], people["kent_democratic"]),
        ("surrey", surrey, people["surrey_officer"], people["surrey_democratic"]),
    ):
        objects |= _authority_objects(prefix, authority, cycle=cycle, people=people, officer=officer,
                                      democratic=democratic, period=period, source=source)
    return people, objects


# ---- the tests -----------------------------------------------------------------------------------------


def test_every_permission_has_a_row_and_every_row_a_permission():
    defined, tabled = {p.name for p in PERMISSIONS}, set(EXPECTED)
    assert defined == tabled, (f"permissions without a row in EXPECTED_TABLE: {sorted(defined - tabled)}; "
                               f"rows for no permission: {sorted(tabled - defined)}")


@pytest.mark.parametrize("name", list(EXPECTED))
def test_permission_matrix(world, name):
    people, objects = world
    mismatches = []
    for obj_key, row in EXPECTED[name].items():
        for persona, expected in row.items():
            got = has_perm(name, people[persona], objects[obj_key])
            if got != expected:
                mismatches.append(f"  {persona} on {obj_key}: expected {'Y' if expected else '.'}, "
                                  f"got {'Y' if got else '.'}")
    assert not mismatches, f"{name} disagrees with the table:\n" + "\n".join(mismatches)


def test_officer_does_not_see_the_draft_letter_under_review(world):
    people, objects = world
    assessment = objects["kent:assessment"]
    Assessment.objects.filter(pk=assessment.pk).update(state=State.UNDER_REVIEW)
    assessment.refresh_from_db()
    assert not has_perm("assessments.view_draft_letter", people["kent_officer"], assessment)
    assert not has_perm("assessments.view_draft_letter", people["kent_officer"], objects["kent:judgement"])
    assert has_perm("assessments.view_draft_letter", people["lead_inspector"], assessment)


@pytest.mark.parametrize("role", [*Role.values, "superuser"])
def test_an_inactive_account_holds_nothing(world, role):
    people, objects = world
    tied = role in (Role.AUTHORITY_OFFICER, Role.DEMOCRATIC_SERVICES)
    account = _user(f"inactive_{role}", "" if role == "superuser" else role,
                    objects["kent:authority"] if tied else None, is_active=False, is_superuser=role == "superuser")
    for prefix in ("kent", "surrey"):  # the in-memory parent of every judgement, grade change and document
        objects[f"{prefix}:assessment"].lead_inspector = account
    held = [f"{name} on {obj_key}" for name, row in EXPECTED.items() for obj_key in row
            if has_perm(name, account, objects[obj_key])]
    assert not held, f"an inactive {role} account holds: {held}"


def test_docs_carry_the_generated_permission_table():
    from pathlib import Path

    from apa.routedoc import permission_table

    docs = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
    current = permission_table() in docs.read_text()
    assert current, "docs/permissions.md lacks the current permission table: run .venv/bin/python -m apa.routedoc"
