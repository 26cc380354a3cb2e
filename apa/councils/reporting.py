"""What a report says: drafted from the published result in Kent's cabinet layout or Southwark's scrutiny
layout. The figures (grades, change since last time, comparisons, strengths to development ratio, appendix)
are computed by the publication rules, and frozen when the report is issued."""

import re

from django.utils import timezone

from apa.frameworks.selectors import score_areas
from apa.publication.selectors import authorities_compared, quartile_label, result_changes

APA_ERA_LAST_YEAR = 2008  # the APA fed the Joint Area Review and the Comprehensive Performance Assessment


def score_or_default(*, result, score: str | None) -> str:
    """The score the officer chooses; by default overall effectiveness plus capacity to improve for APA
    frameworks and overall effectiveness for ILACS (each framework's default score)."""
    areas = score_areas(framework=result.framework, score=score or None)
    return "+".join(a.code for a in areas)


def has_jar_and_cpa(framework) -> bool:
    return bool(framework.first_year and framework.first_year <= APA_ERA_LAST_YEAR)


def _period(result) -> str:
    return str(result.year) if result.year else f"inspection of {result.inspection_date:%-d %B %Y}"


def default_title(report) -> str:
    result = report.result
    if result.framework.code.startswith("ilacs"):
        return f"Ofsted inspection of {report.authority.name}'s children's services ({_period(result)})"
    kind = re.sub(r"\s*\d{4}( to \d{4})?$", "", result.framework.title).lower()
    return f"Results of the {kind} of children's services for {_period(result)}"


def _findings(result) -> dict | None:
    """Strengths, areas for development and areas for focus of a cycle result, from its published letter
    snapshot (what the public read, not the cycle's live rows); None for imported results."""
    if not result.letter:
        return None
    out = {"strength": [], "development": [], "focus": []}
    for section in result.letter["sections"]:
        for kind, items in section["findings"].items():
            out.setdefault(kind, []).extend({"area": section["title"], "text": f["text"]} for f in items)
    return out


def figures(report) -> dict:
    """Everything numeric in the report, as JSON (stored as it is when the report is issued). A progress
    report on the improvement plan reports no result: its figures are in its sections."""
    result = report.result
    if result is None:
        return {"as_of": report.report_date.isoformat(), "result": False,
                "computed_at": timezone.now().isoformat(timespec="seconds")}
    framework = result.framework
    grades = {g.value: g.label for g in framework.grades.all()}
    changes = [
        {"area": c.area.title, "area_code": c.area.code, "grade": c.grade, "label": grades.get(c.grade, ""),
         "previous": c.previous_grade,
         "previous_result": (f"{c.previous_result.framework.code} {c.previous_result.key}" if c.previous_result else None),
         "direction": c.direction}
        for c in sorted(result_changes(result=result), key=lambda c: c.area.display_order)
    ]
    comparisons = []
    for group, label in (("all", "nationally"), ("region", f"in {report.authority.region}"),
                         ("neighbours", "among its statistical neighbours")):
        c = authorities_compared(framework=framework, authority=report.authority, score=report.score,
                                 year=result.year, as_of=report.report_date, group=group)
        comparisons.append({"group": group, "label": label, "score": c.score, "rank": c.rank, "compared": c.compared,
                            "higher": c.higher, "quartile": c.quartile, "quartile_label": c.quartile_label,
                            "score_label": c.score_label})
    found = _findings(result)
    ratio = None
    if found is not None and found["development"]:
        ratio = round(len(found["strength"]) / len(found["development"]), 1)
    return {
        "as_of": report.report_date.isoformat(),
        "framework": framework.title,
        "framework_code": framework.code,
        "period": _period(result),
        "published": result.publication_date.isoformat() if result.publication_date else None,
        "grades": changes,
        "comparisons": comparisons,
        "findings": found,
        "ratio": ratio,
        "result": True,
        "computed_at": timezone.now().isoformat(timespec="seconds"),
    }


def _grade_sentences(fig) -> str:
    lines = []
    for g in fig["grades"]:
        change = {"same": "the same as last time", "better": f"better than last time ({g['previous']})",
                  "worse": f"worse than last time ({g['previous']})"}.get(g["direction"], "not graded last time")
        lines.append(f"{g['area']}: {g['grade']} ({g['label']}), {change}.")
    return "\n".join(lines)


def quartile_text(c: dict) -> str:
    """A frozen comparison's quartile in words ("top quartile", "too few to place in quartiles"); figures
    frozen before the label was kept have only the number."""
    return c.get("quartile_label") or quartile_label(c["quartile"], rank=c["rank"])


def _comparison_sentence(fig, name: str) -> str:
    out = []
    for c in fig["comparisons"]:
        if c["rank"] is None:
            out.append(f"{name} has no {c['score_label'].lower()} score to compare {c['label']}.")
            continue
        published = f"the results for the {c['compared']} authorities published so far {c['label']}"
        if c["quartile"] is None:
            out.append(f"A comparison with {published} ranks {name} {c['rank']} of {c['compared']} based on "
                       f"{c['score_label'].lower()}, with {c['higher']} scoring more highly; that is too few to place "
                       "in quartiles.")
            continue
        out.append(f"A comparison with {published} places {name} in the {quartile_text(c)} based on "
                   f"{c['score_label'].lower()}, with {c['higher']} scoring more highly.")
    return "\n".join(out)


def _ratio_sentence(fig) -> str:
    if fig["findings"] is None:
        return "The ratio of strengths to areas for development is not available: this result was published without its findings."
    if fig["ratio"] is None:
        return f"The letter records {len(fig['findings']['strength'])} strengths and no areas for development."
    return (f"The letter records {len(fig['findings']['strength'])} strengths and {len(fig['findings']['development'])} "
            f"areas for development: about {fig['ratio']} strengths for every concern raised.")


def _bullets(items) -> str:
    return "\n".join(f"- {i['text']}" for i in items) if items else "None recorded."


def default_sections(report, fig) -> list[dict]:
    name = report.authority.name
    result = report.result
    apa = not result.framework.code.startswith("ilacs")
    what = "the Annual Performance Assessment (APA)" if apa else "the Ofsted inspection of children's services"
    published = result.publication_date.strftime("%-d %B %Y") if result.publication_date else "a date not recorded"
    if report.layout == "cabinet":
        sections = [
            ("summary", "Summary", f"This report summarises the outcomes of {what} of {name}'s children's services for "
             f"{fig['period']}, published on {published}."),
            ("introduction", "Introduction", f"It is a statutory requirement to report the results of {what} to the first "
             "Cabinet meeting following their publication, and also to share them with partners and make them "
             "available on the website."),
            ("results", "Results", _grade_sentences(fig) + "\n" + _ratio_sentence(fig)),
            ("comparison", "Comparison with other authorities", _comparison_sentence(fig, name)),
        ]
        if has_jar_and_cpa(result.framework):
            sections.append(("links", "Links to the Joint Area Review and the Comprehensive Performance Assessment",
                             "The Annual Performance Assessment acts as the risk assessment for the Joint Area Review of "
                             "children's services, alongside its core areas (safeguarding, looked after children, "
                             "learning difficulties and disabilities, service management and capacity to improve), and "
                             "its grade contributes to the council's Comprehensive Performance Assessment."))
        sections += [
            ("recommendation", "Recommendation", f"Cabinet is asked TO NOTE the {fig['period']} results of {what}."),
            ("contact", "Contact officer", report.contact_officer),
            ("background", "Background documents", "None"),
        ]
    else:
        found = fig["findings"]
        sections = [
            ("recommendation", "Recommendation", f"Members are invited to note and comment on this report outlining the "
             f"result of {what} for {fig['period']}."),
            ("key_issues", "Key issues for consideration", f"The letter setting out the conclusions of {what} was "
             f"published on {published}.\n" + _grade_sentences(fig) + "\n" + _comparison_sentence(fig, name)),
            ("strengths", "Strengths", _bullets(found["strength"]) if found else "Not available: this result was "
             "published without its findings."),
            ("areas_for_improvement", "Areas for improvement", _bullets(found["development"]) if found else "Not available."),
            ("areas_for_focus", "Areas for focus", _bullets(found["focus"]) if found else "Not available."),
            ("next_steps", "Next steps", "We will make sure that the areas identified for improvement are reflected in "
             "our business planning for the coming year, through the improvement plan, and will continue to monitor "
             "progress in these areas."),
            ("audit_trail", "Audit trail", f"Lead officer: {report.contact_officer}\nVersion: draft\nKey decision: No"),
        ]
    return [{"key": k, "heading": h, "text": t} for k, h, t in sections]


def report_figures(report) -> dict:
    """The frozen figures of an issued report, or the live ones of a draft."""
    return report.frozen if report.frozen else figures(report)


def correction_of(report):
    """The current version of a corrected result, for the notice on a report that reported an earlier one."""
    result = report.result
    if result is None or result.is_current:
        return None
    while getattr(result, "correction", None) is not None:
        result = result.correction
    return result


def decision_state(decision, now=None) -> tuple[str, str]:
    """Open for call-in (with the deadline), called in, in effect, or urgent: (code, sentence)."""
    now = now or timezone.now()
    if decision.urgent:
        return "urgent", f"Urgent decision, exempt from call-in: {decision.urgent_reason}"
    callin = decision.callins.first()
    if callin:
        if callin.outcome == "no_further_action":
            return "in_effect", f"Called in; no further action on {callin.outcome_date:%-d %B %Y}: the decision has taken effect."
        if callin.outcome:
            return "called_in", f"Called in: {callin.get_outcome_display().lower()} ({callin.outcome_date:%-d %B %Y})."
        return "called_in", f"Called in on {callin.date:%-d %B %Y}; the decision does not take effect until the call-in is decided."
    if decision.callin_deadline and now <= decision.callin_deadline:
        when = timezone.localtime(decision.callin_deadline)
        text = "midnight" if when.strftime("%H:%M:%S") == "23:59:59" else when.strftime("%H:%M")
        return "open", f"Open for call-in until {text} on {when:%A %-d %B %Y}."
    return "in_effect", f"In effect from {decision.effective_from:%-d %B %Y}."
