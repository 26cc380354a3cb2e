"""Joint Area Review pages: the risk assessment of a published result, and the moderator's JAR record. Views
only call apa.publication.jar; every rule lives there."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from apa.accounts.models import Role
from apa.errors import ApaError
from apa.ui.access import public, roles

from . import jar
from .forms import JarForm


def _private(response):
    response["Cache-Control"] = "private, no-store"
    return response


# The object decides: anyone without the permission, signed in or not, gets a 404, as for a missing one.
@public
def risk_assessment(request, dfe_code: str, code: str, key: str):
    try:
        assessment = jar.risk_assessment_for_user(user=request.user, dfe_code=dfe_code, framework_code=code, key=key)
    except ApaError:
        raise Http404("No such risk assessment") from None
    result = assessment.result
    may_record = jar.may_record_jar(user=request.user, result=result)
    # Those who record JARs see one before it is published; everyone else only a published one.
    review = jar.jar_of(result=result, public=not may_record)
    return _private(render(request, "publication/jar_risk_assessment.html", {
        "assessment": assessment, "result": result, "review": review, "may_record": may_record,
        "outcome": jar.jar_outcome(review=review) if review else [],
        "published": review is not None and jar.jar_of(result=result) is not None,
    }))


@roles(Role.MODERATOR)
def jar_record(request, dfe_code: str, code: str, key: str):
    """Record the JAR of a published result, or change the one recorded."""
    try:
        result = jar.jar_result(dfe_code=dfe_code, framework_code=code, key=key)
    except ApaError:
        raise Http404("No such risk assessment") from None
    if not jar.may_record_jar(user=request.user, result=result):
        raise Http404("No such risk assessment")
    framework = result.framework
    review = jar.jar_of(result=result, public=False)
    initial = None
    if review is not None:
        initial = {"version": review.version, "fieldwork_from": review.fieldwork_from,
                   "fieldwork_to": review.fieldwork_to, "publication_date": review.publication_date,
                   "note": review.note, **{f"grade_{c}": str(g) for c, g in review.grades.items()}}
    form = JarForm(request.POST or None, initial=initial, core_areas=framework.jar_core_areas,
                   grades=list(framework.grades.all()), updating=review is not None)
    problems = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = dict(fieldwork_from=data["fieldwork_from"], fieldwork_to=data["fieldwork_to"],
                      publication_date=data["publication_date"], grades=form.grades(), note=data["note"],
                      reason=data["reason"])
        try:
            if review is None:
                jar.jar_record(result=result, actor=request.user, **fields)
                messages.success(request, "Joint area review recorded")
            else:
                jar.jar_update(review=review, actor=request.user, version=data["version"], **fields)
                messages.success(request, "Joint area review changed")
            return redirect("jar_risk_assessment", dfe_code=result.authority.dfe_code, code=framework.code,
                            key=result.key)
        except ApaError as exc:
            problems = exc.lines
    return _private(render(request, "publication/jar_record.html", {
        "result": result, "review": review, "form": form, "problems": problems,
        "history": jar.jar_history(review=review) if review else [],
    }))
