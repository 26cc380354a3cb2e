"""Importing indicator data: the LAIT layout, all-or-nothing, history, periods, judgement areas, the CLI."""

import pandas as pd
import pytest

from apa.accounts.models import User
from apa.errors import ApaError, PermissionDenied
from apa.indicators.lait_reader import lait_read
from apa.indicators.models import AreaValue, Import, Indicator, IndicatorPeriod, Value, ValueChange
from apa.indicators.periods import period_place
from apa.indicators.services import SYSTEM_JOB, indicator_outcomes_set, indicator_values_import
from apa.indicators.storage import packed_values

from .conftest import SAMPLE, SAMPLE_CODES, SAMPLE_DICTIONARY

pytestmark = pytest.mark.django_db


def test_sample_catalogue_keeps_codes_exactly_and_reports_dictionary_disagreements(sample):
    assert set(Indicator.objects.values_list("code", flat=True)) >= set(SAMPLE_CODES)
    both = Indicator.objects.get(code="CINPermExclusion")
    assert sorted(t.name for t in both.topics.all()) == ["All Pupil Absence & Exclusions", "Children in Need"]
    assert both.polarity == "low"
    assert any("'CINPermExclusion'" in w and "disagree" in w and "No_Quartile" in w for w in sample.warnings)
    # LAIT's `0` label carries no values: skipped with a warning, never an error.
    assert any("'0'" in w and "skipped" in w for w in sample.warnings)
    assert not IndicatorPeriod.objects.filter(label="0").exists()
    assert Indicator.objects.get(code="Social_Work_Starters").polarity == "none"
    assert Indicator.objects.get(code="Social_Work_Starters").quartiles is False  # No_Quartile = N


def test_dash_is_no_value_and_areas_are_not_authorities(sample):
    raw = pd.read_parquet(SAMPLE)
    dashes = raw[(raw["Values"] == "-") & (raw["LA Number"] < 970)]
    row = dashes.iloc[0]
    stored = Value.objects.get(period__indicator__code=row["Short Desc"], period__label=row["Years"],
                               authority__dfe_code=str(int(row["LA Number"])))
    assert stored.value is None and stored.missing == "-"
    england = raw[(raw["LA Number"] == 970) & (raw["Short Desc"] == "RTA") & (raw["Years"] == "2014-16")]
    assert AreaValue.objects.get(period__indicator__code="RTA", period__label="2014-16", area="England").value == \
        float(england["Values"].iloc[0])
    inner = raw[(raw["LA Number"] == 987) & (raw["Values"] != "-")].iloc[0]
    assert AreaValue.objects.filter(period__indicator__code=inner["Short Desc"], period__label=inner["Years"],
                                    area="Inner London", value=float(inner["Values"])).exists()
    assert not Value.objects.filter(authority__dfe_code__gte="970").exists()
    # Every row of the file is stored once, bar the one unplaceable label.
    assert Value.objects.filter(period__indicator__code__in=SAMPLE_CODES).count() + AreaValue.objects.filter(
        period__indicator__code__in=SAMPLE_CODES).count() == len(raw[raw["Years"] != "0"])


def test_same_file_again_changes_nothing(sample):
    before = (Import.objects.count(), ValueChange.objects.count())
    again = indicator_values_import(reading=lait_read(path=SAMPLE, dictionary=SAMPLE_DICTIONARY))
    assert again.import_id is None
    assert again.created == again.changed == 0
    assert again.unchanged == sample.created
    assert (Import.objects.count(), ValueChange.objects.count()) == before


def test_one_changed_value_is_exactly_one_history_entry(sample, tmp_path):
    raw = pd.read_parquet(SAMPLE)
    target = raw[(raw["Short Desc"] == "NEW_KS2_RWM_Sen_W/Osta") & (raw["LA Number"] == 886)
                 & (raw["Values"] != "-")].index[-1]
    old = float(raw.loc[target, "Values"])
    raw.loc[target, "Values"] = "12.5"
    newer = tmp_path / "newer.parquet"
    raw.to_parquet(newer, index=False)
    summary = indicator_values_import(reading=lait_read(path=newer, dictionary=SAMPLE_DICTIONARY),
                                      actor=User.objects.get(username="admin"))
    assert (summary.created, summary.changed) == (0, 1)
    assert Import.objects.get(pk=summary.import_id).actor == "admin"
    changes = list(ValueChange.objects.filter(source_id=summary.import_id))
    assert len(changes) == 1
    change = changes[0]
    assert (change.period.indicator.code, change.authority.dfe_code) == ("NEW_KS2_RWM_Sen_W/Osta", "886")
    assert (change.old_value, change.new_value) == (old, 12.5)
    value = Value.objects.get(period=change.period, authority=change.authority)
    assert value.value == 12.5 and value.source_id == summary.import_id
    # The packed copy the benchmarks read follows the change.
    packed = packed_values(IndicatorPeriod.objects.get(pk=change.period_id).packed)
    assert packed["value"][packed["authority"] == change.authority_id][0] == 12.5


def test_problems_refuse_the_whole_file_with_one_line_each(sample, write_csv):
    path = write_csv("bad.csv", [
        ["Short Desc", "Years", "LA and Regions", "Values", "LA Number"],
        ["RTA", "2030-32", "Kent", "1.5", "886"],  # fine, but must not be written
        ["RTA", "2030-32", "Surrey", "abc", "936"],  # not a number
        ["RTA", "2030-32", "Nowhere", "2", "999"],  # no such area
        ["RTA", "soon", "Kent", "3", "886"],  # a label with a value that cannot be placed
        ["RTA", "2030-32", "Kent", "1.5", "886"],  # a second value
        ["NOPE", "2030-32", "Kent", "1", "886"],  # not in the catalogue
    ])
    before = (Import.objects.count(), Value.objects.count())
    with pytest.raises(ApaError) as refused:
        indicator_values_import(reading=lait_read(path=path, dictionary=None))
    lines = refused.value.lines
    assert any(line.startswith("row 3, column Values:") and "'abc'" in line for line in lines)
    assert any(line.startswith("row 4, column LA Number:") for line in lines)
    assert any(line.startswith("row 5, column period:") and "'soon'" in line for line in lines)
    assert any(line.startswith("row 6:") and "second value" in line for line in lines)
    assert any(line.startswith("row 7, column indicator:") and "'NOPE'" in line for line in lines)
    assert (Import.objects.count(), Value.objects.count()) == before


def test_cli_import_prints_a_summary_and_problems_exit_2(sample, run_apa, write_csv):
    code, out, err = run_apa("indicators", "import", "--as", "admin", SAMPLE, "--dictionary", SAMPLE_DICTIONARY)
    assert code == 0 and "nothing to write" in out and "warning:" in err
    bad = write_csv("bad.csv", [["Short Desc", "Years", "LA and Regions", "Values", "LA Number"],
                                ["RTA", "2016", "Kent", "lots", "886"]])
    code, out, err = run_apa("indicators", "import", "--as", "admin", bad)
    assert code == 2
    assert "error: row 2, column Values: 'lots' is not a number" in err
    assert err.strip().splitlines()[-1] == "error: nothing was imported; correct the file and import it again"


def test_dry_run_reports_and_writes_nothing(sample, run_apa, write_csv):
    path = write_csv("new.csv", [["Short Desc", "Years", "LA and Regions", "Values", "LA Number"],
                                 ["RTA", "2030-32", "Kent", "1.5", "886"]])
    code, out, _ = run_apa("indicators", "import", "--as", "admin", path, "--format", "lait", "--dry-run")
    assert code == 0 and "values 1 new" in out and "dry run" in out
    assert not IndicatorPeriod.objects.filter(label="2030-32").exists()


@pytest.mark.parametrize("earlier, later, year_type", [
    ("2016", "2017", "Academic Year"),
    ("2017", "2018 (Rev)", "Academic Year"),
    ("2025 (prov)", "2025", "Academic Year"),
    ("2019", "2019 (Rev)", "Academic Year"),
    ("2019 (Rev)", "2020 (Final)", "Academic Year"),
    ("2014-16", "2015-17", "Calendar Year"),
    ("2016-17 (OT)", "2017-18 (OT)", "Financial Year"),
    ("2015/16", "2016/17", "Academic Year"),
    ("2013/14-15/16", "2014/15-16/17", "Academic Year"),
    ("2016", "2016/17", "Academic Year"),
    ("2016", "2016-17", "Financial Year"),  # to March 2016, then to March 2017
])
def test_periods_are_ordered_from_label_and_year_type(earlier, later, year_type):
    assert period_place(earlier, year_type).sort_key < period_place(later, year_type).sort_key


def test_period_status_and_unplaceable_labels():
    assert period_place("2025 (prov)").status == "provisional"
    assert period_place("2019 (Rev)").status == "revised"
    assert period_place("2020 (Final)").status == "final"
    assert period_place("2016-17 (OT)").status == "other"
    assert period_place("2016").status == ""
    assert period_place("0") is None and period_place("soon") is None
    assert period_place("2014-16").end_year == 2016 and period_place("1999/00").end_year == 2000


def test_judgement_areas_default_from_topics_and_edits_survive_reimport(sample, run_apa):
    ks1 = Indicator.objects.get(code="KS1P_all")
    assert [o.outcome for o in ks1.outcomes.all()] == ["enjoying_and_achieving"]
    assert not Indicator.objects.get(code="LACFinance").outcomes.exists()  # finance informs no outcome by default
    code, out, _ = run_apa("indicators", "areas", "KS1P_all", "--set", "staying_safe,being_healthy", "--as", "admin")
    assert code == 0 and "staying_safe" in out
    indicator_values_import(reading=lait_read(path=SAMPLE, dictionary=SAMPLE_DICTIONARY))
    ks1.refresh_from_db()
    assert ks1.outcomes_edited
    assert sorted(o.outcome for o in ks1.outcomes.all()) == ["being_healthy", "staying_safe"]
    code, _, err = run_apa("indicators", "areas", "KS1P_all", "--add", "flying", "--as", "admin")
    assert code == 2 and "unknown outcome flying" in err
    code, out, _ = run_apa("indicators", "areas", "KS1P_all", "--reset", "--as", "admin")
    assert code == 0 and out.strip() == "KS1P_all: enjoying_and_achieving"


def test_history_and_show_commands(sample, run_apa):
    code, out, _ = run_apa("indicators", "show", "NEW_KS2_RWM_Sen_W/Osta", "--format", "json")
    assert code == 0 and '"code": "NEW_KS2_RWM_Sen_W/Osta"' in out
    code, _, err = run_apa("indicators", "show", "KS1W_Expected_STD")
    assert code == 2 and "no indicator with code 'KS1W_Expected_STD'" in err
    code, out, _ = run_apa("indicators", "history", "--imports")
    assert code == 0 and "lait_sample.parquet" in out


def test_init_loads_the_whole_shipped_lait_set_once(run_apa):
    """The one full-size import in the suite: all 641,070 rows, then `apa init`'s second run is a no-op."""
    from apa.indicators.commands import init_indicators
    from apa.indicators.services import lait_shipped_load

    init_indicators()
    assert Indicator.objects.count() == 434
    assert IndicatorPeriod.objects.count() == 3770
    assert Value.objects.count() + AreaValue.objects.count() == 641_070 - 170  # bar the `0` rows
    assert lait_shipped_load() is None


def test_list_and_flags_commands(sample, run_apa):
    code, out, _ = run_apa("indicators", "list", "--outcome", "staying_safe", "--format", "csv")
    assert code == 0 and "CINPermExclusion" in out and "RTA" not in out
    code, out, _ = run_apa("indicators", "list", "--query", "road traffic")
    assert code == 0 and out.splitlines()[-1] == "1 indicators"
    code, out, _ = run_apa("indicators", "flags", "--status", "all", "--as", "inspector")
    assert code == 0 and out.startswith("flag,status,raised_at")


# ---- who may import and edit the catalogue: admins only, named with --as -----------------------------------


def _refused(run_apa, *argv) -> str:
    """Exit 2 and one `error:` line (after argparse's usage, for a missing --as), which is returned."""
    code, out, err = run_apa(*argv)
    assert code == 2 and out == "" and "Traceback" not in err, (code, out, err)
    lines = [line for line in err.strip().splitlines() if line.startswith("error: ")]
    assert len(lines) == 1 and err.strip().endswith(lines[0]), err
    return lines[0]


def test_cli_import_needs_an_admin_named_with_as(sample, run_apa, write_csv):
    path = write_csv("new.csv", [["Short Desc", "Years", "LA and Regions", "Values", "LA Number"],
                                 ["RTA", "2030-32", "Kent", "1.5", "886"]])
    assert _refused(run_apa, "indicators", "import", path, "--format", "lait") == \
        "error: apa indicators import: the following arguments are required: --as (see apa indicators import --help)"
    for who in ("inspector", "moderator", "kent_officer"):
        assert "may import indicator files" in _refused(
            run_apa, "indicators", "import", path, "--format", "lait", "--as", who), who
    assert "no active account named 'nobody'" in _refused(run_apa, "indicators", "import", path, "--as", "nobody")
    # Refused before the file is read: a person without the permission learns nothing about it.
    assert "may import indicator files" in _refused(run_apa, "indicators", "import", "/no/such/file.csv", "--as", "moderator")
    assert not IndicatorPeriod.objects.filter(label="2030-32").exists()
    code, out, _ = run_apa("indicators", "import", path, "--format", "lait", "--as", "admin")
    assert code == 0 and "values 1 new" in out
    assert Import.objects.get(source="new.csv").actor == "admin"


def test_only_the_system_job_imports_without_a_person(sample):
    assert sample.import_id and Import.objects.get(pk=sample.import_id).actor == SYSTEM_JOB
    with pytest.raises(PermissionDenied, match="may import indicator files"):
        indicator_values_import(reading=lait_read(path=SAMPLE, dictionary=SAMPLE_DICTIONARY),
                                actor=User.objects.get(username="moderator"))


def test_judgement_areas_are_edited_only_by_an_admin(sample, run_apa):
    """`areas` is the catalogue editor; everyone reads the same outcomes with `indicators list` and `show`."""
    code, out, _ = run_apa("indicators", "areas", "KS1P_all", "--as", "admin")
    assert code == 0 and out.strip() == "KS1P_all: enjoying_and_achieving"
    code, out, _ = run_apa("indicators", "show", "KS1P_all")
    assert code == 0 and "outcomes: enjoying_and_achieving" in out
    assert "required: --as" in _refused(run_apa, "indicators", "areas", "KS1P_all", "--set", "staying_safe")
    for who in ("inspector", "moderator", "kent_officer"):
        for argv in (["KS1P_all", "--reset"], ["KS1P_all"], []):
            assert "may import indicator files" in _refused(run_apa, "indicators", "areas", *argv, "--as", who)
    with pytest.raises(PermissionDenied):
        indicator_outcomes_set(indicator=Indicator.objects.get(code="KS1P_all"), outcomes=None,
                               actor=User.objects.get(username="kent_officer"))
    assert not Indicator.objects.get(code="KS1P_all").outcomes_edited
