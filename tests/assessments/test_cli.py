"""`apa cycle ...`, `apa judgements import`, `apa assessment transition`: the same rules as the pages, with
problems printed one per line and exit code 2, never a traceback."""

import pytest

from apa.assessments.models import ChangeLog, State
from apa.cli import main

from .conftest import put_in_state


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.django_db
def test_open_assign_schedule_and_publish(capsys, users):
    code, out, err = run(capsys, "cycle", "open", "--framework", "apa-2008", "--year", "2025", "--as", "admin",
                         "--self-assessment-due", "2025-05-16", "--data-lock", "2025-06-30")
    assert code == 0 and "opened apa-2008 2025" in out and "self-assessment due 2025-05-16" in out
    code, out, err = run(capsys, "cycle", "open", "--framework", "apa-2008", "--year", "2025", "--as", "admin")
    assert code == 2 and err.strip() == "error: a cycle for apa-2008 2025 is already open"
    code, out, err = run(capsys, "cycle", "assign", "--framework", "apa-2008", "--year", "2025", "--authority", "Kent",
                         "--inspector", "inspector", "--as", "admin")
    assert code == 0 and out.strip() == "inspector is lead inspector for Kent"
    code, out, err = run(capsys, "cycle", "schedule", "--framework", "apa-2008", "--year", "2025",
                         "--publish-at", "2099-11-20T09:30", "--as", "inspector")
    assert code == 2 and "only publisher" in err and "Traceback" not in err
    code, out, err = run(capsys, "cycle", "schedule", "--framework", "apa-2008", "--year", "2025",
                         "--publish-at", "2099-11-20T09:30", "--as", "publisher")
    assert code == 0 and "2099-11-20 09:30 GMT" in out
    code, out, err = run(capsys, "cycle", "publish", "--framework", "apa-2008", "--year", "2025", "--as", "publisher")
    assert code == 2 and "no moderated assessment" in err


def test_transition_from_the_command_line(capsys, kent, users):
    code, out, err = run(capsys, "assessment", "transition", "--framework", "apa-2008", "--year", "2025",
                         "--authority", "886", "--to", "self_assessment", "--as", "kent_officer")
    assert code == 0 and out.strip() == "Kent: not_started -> self_assessment"
    code, out, err = run(capsys, "assessment", "transition", "--framework", "apa-2008", "--year", "2025",
                         "--authority", "886", "--to", "published", "--as", "publisher")
    assert code == 2 and err.splitlines() == [
        "error: Kent cannot move from self_assessment to published: from self-assessment in progress (self_assessment) "
        "it can move to submitted"]
    code, out, err = run(capsys, "assessment", "transition", "--framework", "apa-2008", "--year", "2025",
                         "--authority", "886", "--to", "submitted", "--as", "nobody")
    assert code == 2 and err.strip() == "error: no active account named 'nobody'"


def test_judgements_import_all_or_nothing(capsys, kent, users, tmp_path):
    put_in_state(kent, State.UNDER_REVIEW)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "authority,area,grade,rationale,strengths,areas_for_development,areas_for_focus,evidence\n"
        'Kent,staying_safe,3,Good,"Timely assessments\nStable placements",Repeat referrals,,\n'
        "Kent,no_such_area,3,,,,,\n"
        "Surrey,being_healthy,9,,,,,\n"
    )
    code, out, err = run(capsys, "judgements", "import", str(bad), "--framework", "apa-2008", "--year", "2025",
                         "--as", "inspector")
    assert code == 2
    lines = err.splitlines()
    assert "error: row 3, column area: apa-2008 has no area 'no_such_area'" in lines
    assert any(line.startswith("error: row 4, column authority: Surrey is not_started") for line in lines)
    assert any(line.startswith("error: row 4, column grade: '9' is not a grade") for line in lines)
    assert not kent.judgements.exists(), "nothing written"
    good = tmp_path / "good.csv"
    good.write_text(
        "authority,area,grade,rationale,strengths,areas_for_development,areas_for_focus,evidence\n"
        'Kent,staying_safe,3,Good,"Timely assessments\nStable placements",Repeat referrals,Child protection register,\n'
    )
    code, out, err = run(capsys, "judgements", "import", str(good), "--framework", "apa-2008", "--year", "2025",
                         "--as", "inspector")
    assert (code, out.strip()) == (0, "saved 1 draft judgements")
    judgement = kent.judgements.get(area__code="staying_safe")
    assert judgement.grade == 3
    assert sorted(judgement.findings.values_list("kind", "text")) == [
        ("development", "Repeat referrals"), ("focus", "Child protection register"),
        ("strength", "Stable placements"), ("strength", "Timely assessments")]
    assert ChangeLog.objects.filter(assessment=kent, action="judgement", actor_label="inspector").exists()


def test_publish_due_with_nothing_due(capsys, db):
    code, out, err = run(capsys, "cycle", "publish-due")
    assert (code, out.strip()) == (0, "recorded 0 scheduled publications")


@pytest.mark.django_db
def test_open_with_a_chosen_period(capsys, users):
    from apa.assessments.models import CyclePeriod
    from apa.indicators.models import Indicator, IndicatorPeriod

    indicator = Indicator.objects.create(code="ZZ rate, %", title="A measure")
    for label, key in (("2023", 2023_12_00_1), ("2024", 2024_12_00_1)):
        IndicatorPeriod.objects.create(indicator=indicator, label=label, sort_key=key)
    code, out, err = run(capsys, "cycle", "open", "--framework", "apa-2008", "--year", "2025", "--as", "admin",
                         "--period", "ZZ rate, %=2099")
    assert code == 2 and err.strip() == "error: indicator 'ZZ rate, %' has no period '2099'"
    code, out, err = run(capsys, "cycle", "open", "--framework", "apa-2008", "--year", "2025", "--as", "admin",
                         "--period", "ZZ rate, %=2023")
    assert code == 0
    assert CyclePeriod.objects.get(indicator_code="ZZ rate, %").period == "2023"
