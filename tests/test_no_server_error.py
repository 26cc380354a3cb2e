"""No server error on any input (issue 12): every POST route, as every persona who may open it, answers
malformed data with a form error, 400, 403, 404 or 405 (or a redirect to sign-in or back), never 5xx, and
writes nothing.

How it works:
- The POST routes come from the URL resolver (the walk of tests/test_routes.py). A route takes POST when its
  view reads `request.POST`, `request.method` or `request.FILES`, or is a class-based view with `post`.
  Each must have an entry in POSTS (the form classes its view binds, as it binds them, and the object its
  URL names); a new POST route without one fails `test_every_post_route_is_in_the_registry`. The JSON API
  is read-only: every API route is posted to and must answer 405.
- Each entry is one or more targets: a URL of a real object of the right kind and state (so the view reaches
  its form handling, not only a 404) and the forms posted there. A form's fields are read from the form
  instance built as the view builds it (the same kwargs, so data-made choices and fields are real).
- From a valid value for every field, each variant breaks one field in a way every form must refuse: missing,
  empty or blank when required, not an integer, out of any integer range, -1, a wrong choice, 100,000
  characters, a NUL character, an impossible date (at most 8 variants a field), and a button's `action`
  that no view knows. Every variant also carries extra fields no form has.
- Nothing is written: the database's own count of changed rows (SQLite `total_changes()`, PostgreSQL
  `pg_stat_xact_user_tables`) is read around each post; when it moved, every table's rows are hashed and
  compared with the hash taken before the first post, or after the persona last signed in or out (so a write
  rolled back inside the view is not a write, and signing in and out — django-axes' log of sign-ins,
  `axes_accesslog` — is not the form's). Sessions are left out of the comparison: every request of a
  signed-in person saves its session again (the idle timeout, SESSION_SAVE_EVERY_REQUEST), which SQLite's
  count sees; that is not a form's write.
"""

import hashlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django import forms
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from apa.ui.access import PUBLIC, SIGNED_IN, decided
from tests.conftest import PASSWORD
from tests.test_routes import APA_ROUTES, THIRD_PARTY

SIGN_IN = "/account/sign-in/"
MISSING = object()  # a variant that leaves the field out
LONG = "x" * 100_000
HUGE_INT = "9" * 20
NUL = "a\x00b"
EXTRA = {"unexpected": "1", "id": "abc", "pk": "-1", "is_superuser": "on", "role": "admin"}
MAX_VARIANTS_A_FIELD = 8
# Written by signing the personas in and out, never by a form. (django-axes' records of failed sign-ins are
# compared: a malformed sign-in is a form error before any password is tried.)
NOT_COMPARED = ("django_session",)


# ---- the registry: every POST view's forms -------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    """One form a view binds. `form(world)` builds it unbound as the view does (prefix included); `fixed` are
    the parameters that choose it (the button's action); `params` are parameters the view reads outside a
    form, described by a form field; `valid(world)` gives the values the test cannot make up (ids,
    versions); `bad` adds wrong values the field's type cannot know (a state that does not exist);
    `misplaced` posts the valid form too, at a target where it cannot apply."""

    form: Callable | None = None
    fixed: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    valid: Callable = lambda w: {}
    bad: dict = field(default_factory=dict)
    misplaced: bool = False  # the whole valid form is itself wrong here (an outcome where there is no call-in)


@dataclass(frozen=True)
class Target:
    """A URL of a real object, the posts made there, and who may act there (they get every variant; the
    others who may open the route get each post's first: they are refused before any field is read)."""

    url: Callable
    posts: tuple
    actors: tuple
    redirect: str = ""  # "local": the view sends everyone on to a page of this site whatever was posted (sign-out)


def _form(cls, prefix=None, **kwargs):
    """A builder of form `cls` as a view builds it: kwargs are functions of the world."""
    def build(w):
        return cls(prefix=prefix, **{k: f(w) for k, f in kwargs.items()})
    return build


def _posts(*posts):
    return tuple(posts)


def _registry():
    from apa.accounts.forms import GovukAuthenticationForm, GovukPasswordResetForm, GovukSetPasswordForm
    from apa.assessments import forms as af
    from apa.councils import forms as cf
    from apa.indicators import forms as inf
    from apa.jobs import forms as jf
    from apa.plans import forms as pf
    from apa.publication import forms as puf

    grades = lambda w: w["grades"]  # noqa: E731
    areas = lambda w: w["areas"]  # noqa: E731
    area_code = lambda w: w["areas"][0].code  # noqa: E731
    area_choice = lambda: forms.ChoiceField(choices=[])  # the area a form is for; its valid value is given  # noqa: E731
    version = forms.IntegerField  # a one-button form's version
    return {
        "cycle_list": (Target(lambda w: reverse("cycle_list"), _posts(
            Post(_form(af.CycleOpenForm, frameworks=lambda w: w["frameworks"]),
                 valid=lambda w: {"framework": "apa-2008", "year": "2040"})), actors=("admin",)),),
        "cycle_detail": (Target(lambda w: reverse("cycle_detail", args=[w["cycle"].pk]), _posts(
            Post(_form(af.ScheduleForm, "schedule"), fixed={"action": "schedule"}),
            Post(_form(af.AssignForm, "assign", inspectors=lambda w: w["inspectors"]), fixed={"action": "assign"},
                 valid=lambda w: {"assign-authority": "886", "assign-inspector": "inspector"}),
            Post(fixed={"action": "publish"})), actors=("publisher", "admin")),),
        "moderation": (Target(lambda w: reverse("moderation", args=[w["cycle"].pk]), _posts(
            Post(_form(af.GradeChangeForm, grades=grades),
                 valid=lambda w: {"judgement": w["moderation_judgement"].pk, "to_grade": "2"}),
            Post(fixed={"action": "agree"}, params={"change": forms.IntegerField()},
                 valid=lambda w: {"change": w["grade_change"].pk})), actors=("moderator",)),),
        "assessment_detail": (Target(lambda w: reverse("assessment_detail", args=[w["self_assessment"].pk]), _posts(
            Post(_form(af.TransitionForm), valid=lambda w: {"to": "submitted"},
                 bad={"to": ["no_such_state", "published"]})), actors=("kent_officer", "inspector")),),
        "self_assessment": (Target(lambda w: reverse("self_assessment", args=[w["self_assessment"].pk]), _posts(
            Post(lambda w: af.SelfAssessmentAreaForm(prefix=area_code(w), grades=grades(w)),
                 params={"area": area_choice()},
                 valid=lambda w: {"area": area_code(w), f"{area_code(w)}-version": "0"}),
            Post(_form(af.DocumentForm, areas=areas), fixed={"action": "document"})), actors=("kent_officer",)),),
        "review": (Target(lambda w: reverse("review", args=[w["review"].pk]), _posts(
            Post(_form(af.VisitForm, "visit"), fixed={"action": "visit"},
                 valid=lambda w: {"visit-date_from": "2032-07-01", "visit-date_to": "2032-07-03"}),
            Post(lambda w: af.JudgementForm(prefix=area_code(w), grades=grades(w), documents=[]),
                 params={"area": area_choice()},
                 valid=lambda w: {"area": area_code(w), f"{area_code(w)}-version": str(w["review_judgement"].version)})),
            actors=("inspector",)),),
        "draft_letter": (Target(lambda w: reverse("draft_letter", args=[w["factual"].pk]), _posts(
            Post(_form(af.CommentForm), valid=lambda w: {"judgement": w["factual_judgement"].pk,
                                                         "finding": w["finding"].pk})), actors=("kent_officer",)),),
        "representation": (
            Target(lambda w: reverse("representation", args=[w["moderated"].pk]), _posts(
                Post(_form(af.RepresentationForm, areas=areas), valid=lambda w: {"area": area_code(w)})),
                actors=("kent_officer",)),
            Target(lambda w: reverse("representation", args=[w["represented"].pk]), _posts(
                Post(_form(af.DecisionForm, grades=grades), valid=lambda w: {"representation": w["open_representation"].pk,
                                                                             "new_grade": "2"})),
                actors=("moderator",)),
        ),
        "council_home": (Target(lambda w: reverse("council_home", args=["886"]), _posts(
            Post(_form(cf.MeetingForm))), actors=("kent_democratic",)),),
        "rule_edit": (Target(lambda w: reverse("rule_edit", args=["886"]), _posts(
            Post(_form(cf.RuleForm), valid=lambda w: {"version": str(w["rule_version"]), "deadline_time": "17:00"},
                 bad={"deadline_time": ["25:99", "noon"], "closures": ["2031-02-30", "not a date"]})),
            actors=("kent_democratic",)),),
        "meeting_detail": (Target(lambda w: reverse("meeting_detail", args=[w["meeting"].pk]), _posts(
            Post(_form(cf.AgendaItemForm, reports=lambda w: [w["report"]]),
                 valid=lambda w: {"version": str(w["meeting"].version), "report": str(w["report"].pk)})),
            actors=("kent_democratic",)),),
        "report_new": (Target(lambda w: reverse("report_new", args=["886"]), _posts(
            Post(_form(cf.ReportNewForm, results=lambda w: [w["result"]], meetings=lambda w: [w["meeting"]]),
                 valid=lambda w: {"result": str(w["result"].pk), "meeting": str(w["meeting"].pk)},
                 bad={"score": ["no_such_area", "+", "overall_effectiveness+" * 20]})), actors=("kent_officer",)),),
        "report_detail": (Target(lambda w: reverse("report_detail", args=[w["report"].pk]), _posts(
            Post(lambda w: cf.ReportEditForm(sections=w["report"].sections), fixed={"action": "save"},
                 valid=lambda w: {"version": str(w["report"].version)}),
            Post(fixed={"action": "issue"}, params={"version": version(), "note": forms.CharField(required=False)},
                 valid=lambda w: {"version": str(w["report"].version)}),
            Post(fixed={"action": "withdraw"}, params={"version": version(), "note": forms.CharField()},
                 valid=lambda w: {"version": str(w["report"].version)}),
            Post(fixed={"action": "redraft"}, params={"version": version()},
                 valid=lambda w: {"version": str(w["report"].version)})), actors=("kent_officer",)),),
        "decision_new": (Target(lambda w: reverse("decision_new", args=["886"]), _posts(
            Post(_form(cf.DecisionForm, reports=lambda w: [w["report"]], meetings=lambda w: [w["meeting"]]),
                 valid=lambda w: {"report": str(w["report"].pk), "meeting": str(w["meeting"].pk)})),
            actors=("kent_democratic",)),),
        "decision_detail": (
            Target(lambda w: reverse("decision_detail", args=[w["draft_decision"].pk]), _posts(
                Post(_form(cf.DecisionEditForm, "edit", reports=lambda w: [w["report"]], meetings=lambda w: [w["meeting"]]),
                     fixed={"action": "edit"}, valid=lambda w: {"edit-version": str(w["draft_decision"].version)}),
                Post(_form(cf.PublishForm), fixed={"action": "publish"},
                     valid=lambda w: {"version": str(w["draft_decision"].version)}),
                Post(_form(cf.CallInForm), fixed={"action": "callin"}, misplaced=True),
                Post(_form(cf.OutcomeForm), fixed={"action": "outcome"}, valid=lambda w: {"version": "0"},
                     misplaced=True)), actors=("kent_democratic",)),
            Target(lambda w: reverse("decision_detail", args=[w["called_in"].pk]), _posts(
                Post(_form(cf.OutcomeForm), fixed={"action": "outcome"}, valid=lambda w: {"version": str(w["callin"].version)}),
                Post(fixed={"action": "recompute"}, params={"version": version(), "reason": forms.CharField()},
                     valid=lambda w: {"version": str(w["called_in"].version)})), actors=("kent_democratic",)),
            Target(lambda w: reverse("decision_detail", args=[w["published_decision"].pk]), _posts(
                Post(_form(cf.CallInForm), fixed={"action": "callin"}),
                Post(_form(cf.OutcomeForm), fixed={"action": "outcome"}, valid=lambda w: {"version": "0"},
                     misplaced=True)),
                actors=("kent_democratic",)),
        ),
        "plan_home": (Target(lambda w: reverse("plan_home", args=["886"]), _posts(
            Post(_form(pf.LineForm, "line", results=lambda w: [w["result"]])),
            Post(fixed={"action": "from_result"}, params={"result": forms.IntegerField()},
                 valid=lambda w: {"result": str(w["result"].pk)})), actors=("kent_officer",)),),
        "plan_line": (Target(lambda w: reverse("plan_line", args=[w["plan_line"].pk]), _posts(
            Post(_form(pf.ActionForm, "action", owners=lambda w: w["owners"]),
                 valid=lambda w: {"action-version": str(w["plan_line"].version), "action-owner": ""})),
            actors=("kent_officer",)),),
        "plan_action": (Target(lambda w: reverse("plan_action", args=[w["plan_action"].pk]), _posts(
            Post(_form(pf.ActionUpdateForm, "action", owners=lambda w: w["owners"]),
                 valid=lambda w: {"action-version": str(w["plan_action"].version), "action-owner": ""}),
            Post(_form(pf.NoteForm, "note"), fixed={"action": "note"})), actors=("kent_officer",)),),
        "plan_clinic": (Target(lambda w: reverse("plan_clinic", args=["886"]), _posts(
            Post(_form(pf.ClinicForm, "clinic"))), actors=("kent_officer",)),),
        "plan_progress": (Target(lambda w: reverse("plan_progress", args=["886"]), _posts(
            Post(_form(pf.ProgressReportForm, "report", meetings=lambda w: [w["meeting"]]))), actors=("kent_officer",)),),
        "indicator_flag_new": (Target(lambda w: reverse("indicator_flag_new", args=["886"])
                                      + f"?indicator={w['indicator'].code}&period=2029", _posts(
            Post(_form(inf.FlagForm))), actors=("kent_officer",)),),
        "indicator_flag": (Target(lambda w: reverse("indicator_flag", args=[w["flag"].pk]), _posts(
            Post(_form(inf.FlagResponseForm), fixed={"action": "resolve"}),
            Post(fixed={"action": "withdraw"})), actors=("inspector", "moderator", "kent_officer")),),
        "result_correction": (Target(lambda w: reverse("result_correction", args=[w["result"].pk]), _posts(
            Post(_form(puf.CorrectionForm), fixed={"action": "propose"},
                 params=lambda w: {f"grade-{a.code}": forms.ChoiceField(required=False, choices=[("2", "2")])
                                   for a in w["result"].framework.areas.all()}),
            Post(fixed={"action": "agree"}, params={"correction": forms.IntegerField()},
                 valid=lambda w: {"correction": str(w["correction"].pk)}),
            Post(fixed={"action": "withdraw"}, params={"correction": forms.IntegerField()},
                 valid=lambda w: {"correction": str(w["correction"].pk)})), actors=("moderator",)),),
        "jar_record": (Target(lambda w: reverse("jar_record", args=["886", w["jar_result"].framework.code,
                                                                   w["jar_result"].key]), _posts(
            Post(lambda w: puf.JarForm(core_areas=w["jar_result"].framework.jar_core_areas, grades=grades(w)),
                 valid=lambda w: {"fieldwork_from": "2008-03-03", "fieldwork_to": "2008-03-14",
                                  "publication_date": "2008-05-30"},
                 bad={"fieldwork_to": ["2008-03-01"]})), actors=("moderator",)),),
        "job_letters_start": (Target(lambda w: reverse("job_letters_start"), _posts(
            Post(_form(jf.LettersJobForm), valid=lambda w: {"framework": "apa-2008", "year": "2008"})),
            actors=("publisher",)),),
        "job_indicators_start": (Target(lambda w: reverse("job_indicators_start"), _posts(
            Post(_form(jf.IndicatorsJobForm))), actors=("admin",)),),
        "job_opendata_start": (Target(lambda w: reverse("job_opendata_start"), _posts(
            Post(fixed={"action": "build"})), actors=("publisher",)),),
        "login": (Target(lambda w: reverse("login"), _posts(
            Post(_form(GovukAuthenticationForm), valid=lambda w: {"username": "kent_officer", "password": PASSWORD})),
            actors=("anonymous",)),),
        "logout": (Target(lambda w: reverse("logout"), _posts(
            Post(params={"next": forms.CharField(required=False)},
                 bad={"next": ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]})),
            actors=("anonymous",), redirect="local"),),
        "password_reset": (Target(lambda w: reverse("password_reset"), _posts(
            Post(_form(GovukPasswordResetForm), valid=lambda w: {"email": "officer@kent.example"})),
            actors=("anonymous",)),),
        "password_reset_confirm": (Target(lambda w: w["reset_url"], _posts(
            Post(lambda w: GovukSetPasswordForm(w["people"]["kent_officer"]),
                 valid=lambda w: {"new_password1": "a-new-password-for-kent", "new_password2": "a-new-password-for-kent"})),
            actors=("anonymous",)),),
    }


POSTS = _registry()


# ---- finding the POST routes ---------------------------------------------------------------------------


def takes_post(callback) -> bool:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    source = inspect.getsource(inspect.unwrap(callback))
    return any(text in source for text in ("request.POST", "request.method", "request.FILES"))


API_ROUTES = [r for r in APA_ROUTES if r[2] == "api" or (r[3] or "").startswith("api_")]
POST_ROUTES = [r for r in APA_ROUTES if r not in API_ROUTES and takes_post(r[1])]


def test_every_post_route_is_in_the_registry():
    names = [r[3] for r in POST_ROUTES]
    assert len(names) == len(set(names)), f"two POST routes share a name: {sorted(names)}"
    missing = sorted(set(names) - set(POSTS))
    assert not missing, ("POST routes without an entry in tests/test_no_server_error.py POSTS (name the forms the "
                         f"view binds and a real object's URL): {missing}")
    stale = sorted(set(POSTS) - set(names))
    assert not stale, f"entries in POSTS for no POST route: {stale}"
    print(f"not posted to here: {sorted(THIRD_PARTY)} (Django's own views; tests/test_routes.py checks who may open them)")


def test_the_walk_finds_post_routes_and_not_get_only_ones():
    names = {r[3] for r in POST_ROUTES}
    assert {"moderation", "login", "decision_detail", "plan_action"} <= names
    assert not names & {"home", "document_download", "report_pdf", "compare", "account"}
    assert len(API_ROUTES) > 20


# ---- the world: one real object of each kind, in the state its form needs ------------------------------


def _world():
    from apa.accounts.models import Role, User
    from apa.assessments.models import (
        Assessment,
        Cycle,
        Finding,
        GradeChange,
        Judgement,
        Representation,
        State,
    )
    from apa.authorities.models import Authority
    from apa.councils import services as council
    from apa.councils.models import Meeting
    from apa.frameworks.models import Framework
    from apa.frameworks.selectors import framework_list
    from apa.indicators.models import Flag, Import, Indicator, IndicatorPeriod, Value
    from apa.plans import services as plans
    from apa.plans.selectors import owner_choices
    from apa.publication.models import ResultCorrection
    from apa.publication.selectors import results_visible

    kent = Authority.objects.get(dfe_code="886")
    people = {u.username: u for u in User.objects.filter(username__in=["inspector", "moderator", "publisher",
                                                                       "kent_officer", "surrey_officer", "admin"])}
    people["moderator_b"] = User.objects.create_user("moderator_b", role=Role.MODERATOR)
    people["kent_democratic"] = User.objects.create_user("kent_democratic", role=Role.DEMOCRATIC_SERVICES, authority=kent)
    people["surrey_democratic"] = User.objects.create_user(
        "surrey_democratic", role=Role.DEMOCRATIC_SERVICES, authority=Authority.objects.get(dfe_code="936"))
    User.objects.filter(pk=people["kent_officer"].pk).update(email="officer@kent.example")
    framework = Framework.objects.get(code="apa-2008")
    areas = sorted(framework.areas.all(), key=lambda a: a.judging_order)
    w = {"people": people, "grades": list(framework.grades.all()), "areas": areas, "frameworks": list(framework_list()),
         "inspectors": list(User.objects.filter(role=Role.INSPECTOR, is_active=True))}

    def assessment(year, state):
        cycle = Cycle.objects.create(framework=framework, year=year, self_assessment_due=date(year, 5, 30),
                                     data_lock=date(year, 6, 30), visits_from=date(year, 7, 1),
                                     visits_to=date(year, 7, 31), moderation_by=date(year, 10, 31))
        found = Assessment.objects.create(cycle=cycle, authority=kent, lead_inspector=people["inspector"], state=state)
        for area in areas:
            Judgement.objects.create(assessment=found, area=area, grade=3, rationale="As found")
        return found

    w["self_assessment"] = assessment(2031, State.SELF_ASSESSMENT)
    w["review"] = assessment(2032, State.UNDER_REVIEW)
    w["review_judgement"] = w["review"].judgements.get(area=areas[0])
    w["factual"] = assessment(2033, State.FACTUAL_ACCURACY)
    w["factual_judgement"] = w["factual"].judgements.get(area=areas[0])
    w["finding"] = Finding.objects.create(judgement=w["factual_judgement"], kind="strength", text="Strong")
    w["moderated"] = assessment(2034, State.MODERATED)
    w["represented"] = assessment(2035, State.REPRESENTATION)
    w["open_representation"] = Representation.objects.create(assessment=w["represented"], kind="grade", area=areas[0],
                                                             text="The grade is wrong", made_by=people["kent_officer"])
    in_moderation = assessment(2036, State.MODERATION)
    w["cycle"] = in_moderation.cycle
    w["moderation_judgement"] = in_moderation.judgements.get(area=areas[1])
    w["grade_change"] = GradeChange.objects.create(judgement=in_moderation.judgements.get(area=areas[0]), from_grade=3,
                                                   to_grade=2, reason="Moderated", proposed_by=people["moderator_b"])

    w["result"] = results_visible().filter(authority=kent, framework__code="apa-2007").first()
    w["jar_result"] = w["result"]  # APA 2007 has a joint area review table
    w["correction"] = ResultCorrection.objects.create(result=w["result"], grades={areas[0].code: 2}, note="Typo",
                                                      proposed_by=people["moderator_b"], proposed_at=timezone.now())
    democratic, officer = people["kent_democratic"], people["kent_officer"]
    today = timezone.localdate()
    w["meeting"] = council.meeting_create(authority=kent, actor=democratic, committee="Cabinet",
                                          date=today + timedelta(days=30))
    w["report"] = council.report_draft(result=w["result"], layout="cabinet", actor=officer, report_date=today)
    decision = {"title": "Response to the letter", "decision": "Noted", "decision_date": today - timedelta(days=1)}
    w["draft_decision"] = council.decision_save(authority=kent, actor=democratic, **decision)
    published = []
    for _ in range(2):
        record = council.decision_save(authority=kent, actor=democratic, **decision)
        published.append(council.decision_publish(decision=record, actor=democratic, version=record.version,
                                                  publication_date=today))
    w["published_decision"], w["called_in"] = published
    w["callin"] = council.callin_record(decision=w["called_in"], actor=democratic, members=["Cllr A", "Cllr B"],
                                        reason="Not consulted")
    w["called_in"].refresh_from_db()
    w["rule_version"] = council.callin_rule_version(authority=kent)
    w["meeting"] = Meeting.objects.get(pk=w["meeting"].pk)

    w["plan_line"] = plans.plan_line_add(authority=kent, actor=officer, text="Cut repeat referrals")
    w["plan_action"] = plans.action_add(line=w["plan_line"], actor=officer, version=w["plan_line"].version,
                                        description="Audit referrals", due_date=date(2032, 3, 31), owner_name="A. Person")
    w["plan_line"].refresh_from_db()
    w["owners"] = owner_choices(authority=kent)

    w["indicator"] = Indicator.objects.create(code="NO_5XX_TEST", title="No server error test indicator")
    source = Import.objects.create(source="no server error test", format="plain", sha256="0" * 64)
    flagged = Value.objects.create(period=IndicatorPeriod.objects.create(indicator=w["indicator"], label="2028",
                                                                         sort_key=2028),
                                   authority=kent, value=1.5, source=source)
    Value.objects.create(period=IndicatorPeriod.objects.create(indicator=w["indicator"], label="2029", sort_key=2029),
                         authority=kent, value=2.5, source=source)
    w["flag"] = Flag.objects.create(value=flagged, comment="Looks wrong", value_when_flagged=1.5, raised_by=officer)

    officer.refresh_from_db()  # the token is made from the stored email
    uid = urlsafe_base64_encode(force_bytes(officer.pk))
    w["reset_token_url"] = reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(officer)])
    w["reset_url"] = reverse("password_reset_confirm", args=[uid, "set-password"])
    return w


# ---- the variants --------------------------------------------------------------------------------------


def bad_values(name: str, f: forms.Field, extra: list) -> list:
    """Values of field `f` that every form must refuse, at most MAX_VARIANTS_A_FIELD."""
    kept_as_typed = isinstance(f, forms.CharField) and not f.strip  # a password: blanks are characters
    out = ([MISSING, ""] + ([] if kept_as_typed else ["   "])) if f.required else []
    if isinstance(f, forms.FileField):
        out += ["not-a-file"] if f.required else []
    elif isinstance(f, forms.BooleanField):
        pass  # any value is a yes or a no
    elif isinstance(f, forms.IntegerField):
        out += ["abc", "1.5", HUGE_INT, "-1"]
    elif isinstance(f, forms.DateTimeField):
        out += ["2031-02-30 10:00", "2031-12-05 25:61", "not a date"]
    elif isinstance(f, forms.DateField):
        out += ["2031-02-30", "31/31/2031", "99999-12-31", "not a date"]
    elif isinstance(f, forms.TimeField):
        out += ["25:00", "not a time"]
    elif isinstance(f, forms.MultipleChoiceField):
        out += [["not-a-choice"], ["1", LONG]]
    elif isinstance(f, forms.ChoiceField):
        out += ["not-a-choice", LONG]
    elif isinstance(f, forms.CharField):
        out += [LONG, NUL] + (["not-an-email"] if isinstance(f, forms.EmailField) else [])
    out += extra
    assert len(out) <= MAX_VARIANTS_A_FIELD, f"{name}: {len(out)} variants"
    return out


def valid_value(f: forms.Field):
    """A value the field accepts (the registry gives those that depend on the data)."""
    if isinstance(f, forms.FileField):
        return MISSING
    if isinstance(f, forms.BooleanField):
        return "on"
    if isinstance(f, forms.IntegerField):
        return str(f.min_value or 1)
    if isinstance(f, forms.DateTimeField):
        return "2031-12-05 10:00"
    if isinstance(f, forms.DateField):
        return "2031-12-05"
    if isinstance(f, forms.TimeField):
        return "10:00"
    if isinstance(f, forms.EmailField):
        return "someone@example.com"
    if isinstance(f, forms.ChoiceField):
        return next((str(v) for v, _ in f.choices if v not in ("", None)), "")
    return "Some text"


@dataclass
class Variant:
    label: str
    data: dict
    first: bool  # the post's first variant (also posted by those who may open the route but not act there)


def variants(post: Post, w) -> list[Variant]:
    fields = {}
    if post.form is not None:
        built = post.form(w)
        fields |= {built.add_prefix(name): f for name, f in built.fields.items()}
    fields |= post.params(w) if callable(post.params) else post.params
    base = {name: valid_value(f) for name, f in fields.items()} | {k: str(v) for k, v in post.valid(w).items()}
    out = []
    for name, f in fields.items():
        for value in bad_values(name, f, post.bad.get(name.split("-")[-1], [])):
            data = {**EXTRA, **post.fixed, **{k: v for k, v in base.items() if v is not MISSING}}
            data.pop(name, None)
            if value is not MISSING:
                data[name] = value
            shown = "missing" if value is MISSING else repr(value if len(str(value)) < 40 else f"{str(value)[:12]}…")
            out.append(Variant(f"{name}={shown}", data, not out))
    if post.misplaced:
        out.append(Variant("the whole form, where it cannot apply",
                           {**EXTRA, **post.fixed, **{k: v for k, v in base.items() if v is not MISSING}}, not out))
    if "action" in post.fixed:
        data = {**EXTRA, **{k: v for k, v in base.items() if v is not MISSING}, "action": "no-such-action"}
        out.append(Variant("action='no-such-action'", data, not out))
        out.append(Variant("action=LONG", {**data, "action": LONG}, False))
    return out


# ---- nothing written ----------------------------------------------------------------------------------


def _changes() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT total_changes()")
        else:
            cursor.execute("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
                           " WHERE relname <> 'django_session'")
        return int(cursor.fetchone()[0])


def _snapshot() -> dict[str, tuple[int, str]]:
    """Every table's row count and a hash of its rows (in primary-key order). An account's last sign-in time
    is left out: signing the personas in writes it."""
    found = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table.startswith(NOT_COMPARED) or table in found:
                continue
            columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields if f.column != "last_login")
            cursor.execute(f"SELECT {columns} FROM {quote(table)} ORDER BY 1")  # noqa: S608
            digest, count = hashlib.sha256(), 0
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
                count += 1
            found[table] = (count, digest.hexdigest())
    return found


def _differences(before, after) -> list[str]:
    return [f"{t}: {before.get(t, (0,))[0]} -> {after[t][0]} rows" + ("" if before.get(t, (0,))[0] != after[t][0]
                                                                      else " (changed)")
            for t in after if before.get(t) != after[t]]


# ---- the answers ---------------------------------------------------------------------------------------


def refused(response, url: str, target: Target) -> str | None:
    """Why the answer is not a refusal, or None."""
    status = response.status_code
    if status in (400, 403, 404, 405, 409, 422):
        return None
    if status == 200:
        body = response.content.decode(errors="replace")
        return None if "govuk-error-summary" in body or "govuk-error-message" in body else "200 without an error shown"
    if status in (301, 302, 303):
        location = response["Location"]
        path = url.split("?")[0]
        if location.startswith(SIGN_IN) or location.split("#")[0].split("?")[0] == path:
            return None
        if target.redirect == "local" and not urlsplit(location).scheme and not urlsplit(location).netloc:
            return None
        return f"{status} to {location}"
    return f"answered {status}"


def _personas(route, target: Target) -> list[str]:
    decision = decided(route[1])
    people = ["inspector", "moderator", "moderator_b", "publisher", "kent_officer", "surrey_officer",
              "kent_democratic", "surrey_democratic", "admin"]
    if target.actors == ("anonymous",):
        return ["anonymous"]
    if decision == PUBLIC:
        return ["anonymous", *people]
    if SIGNED_IN in decision:
        return people
    from apa.accounts.models import User

    roles = {u.username: u.role for u in User.objects.filter(username__in=people)}
    return [p for p in people if roles[p] in decision]


@pytest.fixture
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
@pytest.mark.parametrize("route", POST_ROUTES, ids=lambda r: r[3])
def test_malformed_posts_are_refused_and_write_nothing(client, media_in_tmp, route):
    from apa.accounts.models import User

    client.raise_request_exception = False  # a server error is an answer to report, not an exception
    w = _world()
    before = _snapshot()
    failures, posts = [], 0
    for target in POSTS[route[3]]:
        url = target.url(w)
        for persona in _personas(route, target):
            user = None if persona == "anonymous" else User.objects.get(username=persona)
            signed_in = "_auth_user_id" in client.session
            client.logout()
            if signed_in:
                before = _snapshot()  # signing out writes axes' log of sign-ins too: not a form's doing
            everything = persona in target.actors
            for post in target.posts:
                for variant in variants(post, w):
                    if not (everything or variant.first):
                        continue
                    if "_auth_user_id" not in client.session and user is not None:
                        client.force_login(user)
                        before = _snapshot()  # signing in writes axes' log of sign-ins: not a form's doing
                    if route[3] == "password_reset_confirm":
                        client.get(w["reset_token_url"], secure=True)  # as the emailed link does: the token into the session
                    changes = _changes()
                    response = client.post(url, variant.data, secure=True)
                    posts += 1
                    why = refused(response, url, target)
                    written = []
                    if _changes() != changes:
                        written = _differences(before, _snapshot())
                    if why or written:
                        failures.append(f"{persona} POST {url} {variant.label}: {why or 'refused'}"
                                        + (f"; wrote {written}" if written else ""))
    assert posts, f"nothing was posted to {route[3]}"
    assert not failures, f"{len(failures)} of {posts} malformed posts were not refused cleanly:\n" + "\n".join(
        failures[:40])


@pytest.mark.django_db
@pytest.mark.parametrize("route", API_ROUTES, ids=lambda r: r[3] or r[0])
def test_the_api_refuses_every_post(client, route):
    client.raise_request_exception = False
    changes = _changes()
    response = client.post("/" + route[0], {**EXTRA, "name": LONG}, secure=True)
    expected = 404 if route[3] in ("api_no_route", "api_no_route_path") else 405
    assert response.status_code in (expected, 404), f"/{route[0]} answered {response.status_code}"
    assert _changes() == changes
