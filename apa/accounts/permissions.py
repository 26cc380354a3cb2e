"""Who may do what: every permission of APA, each named once and composed from a few predicates.

The predicates look only at the account (its role and authority) and at the object (the authority it belongs
to, its lead inspector, who proposed or raised it), never at per-object rows in the database; they are written
with the `rules` package. *When* an action is allowed (the assessment's state, a pending change, the
publication time) is the workflow's and the services' business; this module says *who*.

Services call `require(perm, user, obj)`; views and templates ask `has_perm` (the template library
`permissions`); the command line checks the same names for the account given with `--as`. An object the
person may not see answers "not found", as one that does not exist (`require_visible`). docs/permissions.md's
table is generated from `PERMISSIONS` (`python -m apa.routedoc`).

"Admin" means one thing: accounts, cycles and their lead inspectors, and reference data (results, indicator
files and catalogue). An admin does not judge, moderate, publish, see an assessment's drafts, run a council's
plan or issue its reports unless the account is also given that role; a superuser is no exception here.
"""

from dataclasses import dataclass

import rules

from apa.errors import NotFound, PermissionDenied, Problem

from .models import Role

# ---- predicates ------------------------------------------------------------------------------------------

_PARENTS = ("assessment", "judgement", "value", "line", "action", "decision", "meeting", "report", "result")


def _is_authority(obj) -> bool:
    return getattr(getattr(obj, "_meta", None), "label", "") == "authorities.Authority"


def _nearest(obj, found):
    """The object itself, or the nearest of its parents, for which `found` holds."""
    while obj is not None and not found(obj):
        obj = next((getattr(obj, p) for p in _PARENTS if hasattr(obj, f"{p}_id") or hasattr(obj, p)), None)
    return obj


def _holder(obj):
    """The object, or its nearest parent, that is an authority or names one (`authority_id`)."""
    return _nearest(obj, lambda o: _is_authority(o) or hasattr(o, "authority_id"))


def authority_id_of(obj) -> int | None:
    """The authority an object belongs to, itself for an authority, following its parents."""
    holder = _holder(obj)
    if holder is None:
        return None
    return holder.pk if _is_authority(holder) else holder.authority_id


def _authority_name_of(obj) -> str | None:
    holder = _holder(obj)
    if holder is None:
        return None
    return holder.name if _is_authority(holder) else getattr(holder.authority, "name", None)


def _assessment_of(obj):
    """The object, or its nearest parent, that is an assessment (it has a lead inspector)."""
    return _nearest(obj, lambda o: hasattr(o, "lead_inspector_id"))


@rules.predicate
def is_active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _has_role(role: str):
    @rules.predicate(name=f"is_{role}")
    def has(user) -> bool:
        return is_active(user) and user.role == role

    return has


is_inspector = _has_role(Role.INSPECTOR)
is_moderator = _has_role(Role.MODERATOR)
is_publisher = _has_role(Role.PUBLISHER)
is_authority_officer = _has_role(Role.AUTHORITY_OFFICER)
is_democratic_services = _has_role(Role.DEMOCRATIC_SERVICES)


@rules.predicate
def is_inspectorate(user) -> bool:
    """An inspector, moderator or publisher."""
    return is_active(user) and user.role in (Role.INSPECTOR, Role.MODERATOR, Role.PUBLISHER)


@rules.predicate
def is_admin(user) -> bool:
    return is_active(user) and (user.role == Role.ADMIN or user.is_superuser)


@rules.predicate
def is_officer_of(user, obj) -> bool:
    """An authority officer of the authority the object belongs to."""
    return is_authority_officer(user) and user.authority_id is not None and user.authority_id == authority_id_of(obj)


@rules.predicate
def is_democratic_services_of(user, obj) -> bool:
    """Democratic services of the council the object belongs to."""
    return is_democratic_services(user) and user.authority_id is not None and user.authority_id == authority_id_of(obj)


@rules.predicate
def is_lead_inspector(user, obj) -> bool:
    """The inspector leading the assessment the object belongs to."""
    assessment = _assessment_of(obj)
    return is_inspector(user) and assessment is not None and assessment.lead_inspector_id == user.pk


@rules.predicate
def is_proposer(user, obj) -> bool:
    """The moderator who proposed this grade change or correction."""
    return obj is not None and getattr(obj, "proposed_by_id", None) == user.pk


@rules.predicate
def is_raiser(user, obj) -> bool:
    """The officer who raised this flag."""
    return obj is not None and getattr(obj, "raised_by_id", None) == user.pk


@rules.predicate
def is_starter(user, obj) -> bool:
    """The person who started this background job."""
    return is_active(user) and obj is not None and getattr(obj, "started_by_id", None) == user.pk


@rules.predicate
def letter_shared(user, obj) -> bool:
    """The assessment's draft letter has gone to the authority (factual accuracy onwards)."""
    assessment = _assessment_of(obj)
    return assessment is not None and assessment.letter_shared_with_authority


@rules.predicate
def holds_plan_content(user, obj) -> bool:
    """A report drafted from the improvement plan (a progress report)."""
    return bool(getattr(obj, "holds_plan_content", False))


# ---- permissions -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Permission:
    name: str
    predicate: rules.Predicate
    does: str  # what it allows, after "may": "record a judgement"
    who: str  # who holds it, in words: "the assessment's lead inspector"


def _p(name: str, predicate, does: str, who: str) -> Permission:
    return Permission(name, predicate, does, who)


OFFICER = "an officer of its authority"
DEMOCRATIC = "democratic services of its council"
LEAD = "the assessment's lead inspector"

PERMISSIONS: tuple[Permission, ...] = (
    _p("accounts.manage_accounts", is_admin, "add and deactivate accounts", "admins"),
    # the cycle
    _p("assessments.open_cycle", is_admin, "open a cycle", "admins"),
    _p("assessments.assign_lead_inspector", is_admin, "assign lead inspectors", "admins"),
    _p("assessments.view_cycle", is_inspectorate | is_admin,
       "see a cycle's dashboard (every authority's state and what is overdue)", "the inspectorate and admins"),
    _p("assessments.moderate", is_moderator, "see the moderation grid and confirm an assessment as moderated",
       "moderators"),
    _p("assessments.schedule_publication", is_publisher, "set a cycle's publication time", "publishers"),
    _p("assessments.publish_cycle", is_publisher, "publish a cycle's moderated assessments", "publishers"),
    # one assessment
    _p("assessments.view_assessment", is_inspectorate | is_officer_of, "open an assessment",
       f"the inspectorate and {OFFICER}"),
    _p("assessments.edit_self_assessment", is_officer_of,
       "start, edit, add documents to and submit the self-assessment", OFFICER),
    _p("assessments.view_document", is_inspectorate | is_officer_of, "download a self-assessment document",
       f"the inspectorate and {OFFICER}"),
    _p("assessments.view_review", is_inspectorate, "see the inspectors' review, visits and internal history",
       "the inspectorate"),
    _p("assessments.lead_review", is_lead_inspector,
       "return the self-assessment, begin the review, record visits and move the draft judgements on", LEAD),
    _p("assessments.record_judgement", is_lead_inspector, "record a judgement (grade, rationale, findings)", LEAD),
    _p("assessments.view_draft_letter", is_inspectorate | (is_officer_of & letter_shared),
       "read the draft letter and its judgements",
       f"the inspectorate; {OFFICER} once the letter is shared for factual accuracy"),
    _p("assessments.comment_factual_accuracy", is_officer_of, "comment on the draft letter's factual accuracy",
       OFFICER),
    _p("assessments.propose_grade_change", is_moderator, "propose a moderated grade change", "moderators"),
    _p("assessments.agree_grade_change", is_moderator & ~is_proposer, "agree a proposed grade change",
       "a different moderator than the one who proposed it"),
    _p("assessments.make_representation", is_officer_of, "make a representation on the moderated letter",
       OFFICER),
    _p("assessments.decide_representation", is_moderator, "decide a representation", "moderators"),
    # indicators
    _p("indicators.import_values", is_admin, "import indicator files and edit the catalogue's judgement areas",
       "admins"),
    _p("indicators.view_flags", is_authority_officer | is_inspector | is_moderator,
       "list indicator flags (an officer sees its own authority's)", "authority officers, inspectors, moderators"),
    _p("indicators.view_flag", is_officer_of | is_inspector | is_moderator, "open an indicator flag",
       f"{OFFICER}, inspectors and moderators"),
    _p("indicators.raise_flag", is_officer_of, "flag an indicator value as questionable", OFFICER),
    _p("indicators.withdraw_flag", is_officer_of & is_raiser, "withdraw a flag", "the officer who raised it"),
    _p("indicators.answer_flag", is_inspector | is_moderator, "answer a flag", "inspectors and moderators"),
    # published results
    _p("publication.import_results", is_admin, "import published results", "admins"),
    _p("publication.correct_result", is_moderator, "propose a correction of a published result", "moderators"),
    _p("publication.agree_correction", is_moderator & ~is_proposer, "agree a correction of a published result",
       "a different moderator than the one who proposed it"),
    _p("publication.withdraw_correction", is_moderator, "withdraw a proposed correction", "moderators"),
    _p("publication.view_jar_risk_assessment", is_inspector | is_moderator | is_officer_of,
       "see the joint area review risk assessment drawn from a published result",
       f"inspectors, moderators and {OFFICER}"),
    _p("publication.record_jar", is_moderator, "record and change a joint area review", "moderators"),
    # the council
    _p("councils.view_draft_report", is_officer_of | (is_democratic_services_of & ~holds_plan_content),
       "read a draft or exempt report", f"{OFFICER}; {DEMOCRATIC}, except a report drawn from the improvement plan"),
    _p("councils.draft_report", is_officer_of, "draft, edit, issue, withdraw and redraft a committee report",
       OFFICER),
    _p("councils.manage_meetings", is_democratic_services_of, "add meetings and agenda items", DEMOCRATIC),
    _p("councils.view_draft_decision", is_democratic_services_of | is_officer_of,
       "read an unpublished decision record", f"{DEMOCRATIC} and {OFFICER}"),
    _p("councils.record_decision", is_democratic_services_of, "record and amend a decision", DEMOCRATIC),
    _p("councils.publish_decision", is_democratic_services_of,
       "publish a decision and recompute its call-in deadline", DEMOCRATIC),
    _p("councils.record_callin", is_democratic_services_of, "record a call-in and its outcome", DEMOCRATIC),
    _p("councils.set_callin_rule", is_democratic_services_of, "set the council's call-in rule", DEMOCRATIC),
    # the improvement plan
    _p("plans.view_plan", is_officer_of, "see the improvement plan, its history, clinics and progress", OFFICER),
    _p("plans.edit_plan", is_officer_of,
       "change the plan (lines, actions, progress notes), record a clinic and draft a progress report", OFFICER),
    # background jobs
    _p("jobs.build_letters", is_publisher, "build a framework's published letters as files, in the background",
       "publishers"),
    _p("jobs.build_opendata", is_publisher, "build the open-data packages of the latest releases, in the background",
       "publishers"),
    _p("jobs.view_job", is_starter | is_admin, "follow a background job and download what it wrote",
       "the person who started it, and admins"),
)

BY_NAME = {p.name: p for p in PERMISSIONS}

for _permission in PERMISSIONS:
    rules.add_perm(_permission.name, _permission.predicate)


def has_perm(name: str, user, obj=None) -> bool:
    """Whether the account holds the permission for the object (no superuser shortcut)."""
    if name not in BY_NAME:
        raise KeyError(f"no permission {name!r}")
    return rules.has_perm(name, user, obj)


def who_may(name: str, obj=None) -> str:
    """Who holds the permission, in words, for a refusal: "an officer of Kent", "the assessment's lead inspector"."""
    who = BY_NAME[name].who
    authority = _authority_name_of(obj)
    if authority:
        who = who.replace("its authority", authority).replace("its council", authority)
    return who


def require(name: str, user, obj=None, doing: str | None = None) -> None:
    """Refuse (PermissionDenied, one sentence) unless the account holds the permission for the object;
    `doing` names the action when it is narrower than the permission's."""
    if not has_perm(name, user, obj):
        raise PermissionDenied(Problem(f"only {who_may(name, obj)} may {doing or BY_NAME[name].does}"))


def require_visible(name: str, user, obj, what: str) -> None:
    """Refuse as "not found" (the same as a missing object) unless the account may see the object."""
    if obj is None or not has_perm(name, user, obj):
        raise NotFound(Problem(f"no such {what}"))
