"""The other two import layouts — Explore Education Statistics tidy CSV and plain indicator,authority,period,
value (CSV or XLSX) — and the evidence for judgements."""

import json

import pytest

from apa.indicators.ees_reader import ees_period_label
from apa.indicators.models import AreaValue, Import, Indicator, Value, ValueChange

from .conftest import DATA

pytestmark = pytest.mark.django_db
EES = DATA / "ees_sample.csv"
MAPPING = DATA / "ees_mapping.toml"


def _value(code, label, dfe):
    return Value.objects.get(period__indicator__code=code, period__label=label, authority__dfe_code=dfe)


def test_ees_labels_follow_dfe_writing():
    assert ees_period_label("201617", "Academic year") == "2016/17"
    assert ees_period_label("201617", "Financial year") == "2016-17"
    assert ees_period_label("2016", "Calendar year") == "2016"
    assert ees_period_label("201617", "Spring term") == "2016/17 (Spring term)"


def test_ees_with_a_mapping_file(run_apa):
    code, out, err = run_apa("indicators", "import", "--as", "admin", EES, "--mapping", MAPPING)
    assert code == 0, err
    assert "rows at other geographic levels (Local authority district) skipped" in err
    indicator = Indicator.objects.get(code="EES_CLA_PT")
    assert (indicator.polarity, indicator.decimal_places, indicator.origin) == ("low", 2, "ees")
    assert [o.outcome for o in indicator.outcomes.all()] == ["staying_safe"]  # from the topic
    assert _value("EES_CLA_PT", "2016/17", "886").value == 1.0
    assert _value("EES_CLA_PT", "2016/17", "867").value == 0.9  # Bracknell Forest by its ONS code
    surrey = _value("EES_CLA_PT", "2016/17", "936")
    assert surrey.value is None and surrey.missing == "c"  # suppressed: the reason is kept
    assert _value("EES_CLA_PT", "2017/18", "867").missing == "low"
    areas = dict(AreaValue.objects.filter(period__indicator=indicator, period__label="2016/17")
                 .values_list("area", "value"))
    assert areas == {"England": 1.2, "South East": 1.1, "Inner London": 1.5}  # the Male rows are not taken
    again = run_apa("indicators", "import", "--as", "admin", EES, "--mapping", MAPPING)[1]
    assert "nothing to write" in again


def test_ees_with_measure_options_and_a_filter_that_must_be_chosen(run_apa):
    code, _, err = run_apa("indicators", "import", "--as", "admin", EES, "--measure", "num_cla=EES_CLA_NUM")
    assert code == 2
    assert "more than one row per area and period" in err and "characteristic (Male, Total)" in err
    assert not Indicator.objects.filter(code="EES_CLA_NUM").exists()
    code, out, err = run_apa("indicators", "import", "--as", "admin", EES, "--measure", "num_cla=EES_CLA_NUM",
                             "--filter", "characteristic=Total")
    assert code == 0, err
    assert Indicator.objects.get(code="EES_CLA_NUM").polarity == "none"
    assert _value("EES_CLA_NUM", "2017/18", "936").missing == "x"
    code, _, err = run_apa("indicators", "import", "--as", "admin", EES, "--measure", "no_such_column=X")
    assert code == 2 and "has no column 'no_such_column'" in err


def test_plain_csv_names_codes_and_regions(sample, run_apa, write_csv):
    path = write_csv("plain.csv", [
        ["indicator", "authority", "period", "value"],
        ["RTA", "Kent", "2030-32", "12.5"],
        ["RTA", "E10000030", "2030-32", "13"],  # Surrey by ONS code
        ["RTA", "202", "2030-32", "-"],  # Camden by DfE code, no value
        ["RTA", "England", "2030-32", "14"],
        ["RTA", "Inner London", "2030-32", "15.5"],
    ])
    code, out, err = run_apa("indicators", "import", "--as", "admin", path)
    assert code == 0, err
    assert "values 5 new" in out
    assert _value("RTA", "2030-32", "886").value == 12.5
    assert _value("RTA", "2030-32", "936").value == 13.0
    assert _value("RTA", "2030-32", "202").missing == "-"
    assert AreaValue.objects.get(period__label="2030-32", area="England").value == 14.0
    changed = write_csv("plain2.csv", [["indicator", "authority", "period", "value"], ["RTA", "Kent", "2030-32", "12.4"]])
    code, out, _ = run_apa("indicators", "import", "--as", "admin", changed)
    assert "1 changed" in out
    change = ValueChange.objects.get(period__label="2030-32")
    assert (change.old_value, change.new_value, change.source.source) == (12.5, 12.4, "plain2.csv")


def test_plain_problems_name_row_and_column(sample, run_apa, write_csv):
    path = write_csv("bad.csv", [
        ["indicator", "authority", "period", "value"],
        ["RTA", "Atlantis", "2030-32", "1"],
        ["NOT_AN_INDICATOR", "Kent", "2030-32", "1"],
        ["RTA", "Kent", "", "1"],
        ["RTA", "Surrey", "2030-32", "12%"],
    ])
    before = Import.objects.count()
    code, _, err = run_apa("indicators", "import", "--as", "admin", path)
    assert code == 2
    lines = err.splitlines()
    assert any(line.startswith("error: row 2, column authority: no authority matches 'Atlantis'") for line in lines)
    assert any(line.startswith("error: row 3, column indicator: indicator 'NOT_AN_INDICATOR'") for line in lines)
    assert any(line.startswith("error: row 4, column period: no period") for line in lines)
    assert any(line.startswith("error: row 5, column value: '12%' is not a number") for line in lines)
    assert Import.objects.count() == before


def test_plain_xlsx(sample, run_apa, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Indicator", "Authority", "Period", "Value"])
    sheet.append(["KS1P_all", "Kent", "2031", 77.5])
    sheet.append(["KS1P_all", "South East", "2031", 78])
    path = tmp_path / "values.xlsx"
    book.save(path)
    code, out, err = run_apa("indicators", "import", "--as", "admin", path)
    assert code == 0, err
    assert _value("KS1P_all", "2031", "886").value == 77.5
    assert AreaValue.objects.get(period__label="2031", area="South East").value == 78.0


def test_plain_file_can_define_its_indicators(db, run_apa, write_csv, tmp_path):
    mapping = tmp_path / "local.toml"
    mapping.write_text('[[indicators]]\ncode = "LOCAL_1"\ntitle = "Local measure"\npolarity = "high"\n'
                       'outcomes = ["positive_contribution"]\n', encoding="utf-8")
    path = write_csv("local.csv", [["indicator", "authority", "period", "value"], ["LOCAL_1", "886", "2024", "3"]])
    code, _, err = run_apa("indicators", "import", "--as", "admin", path, "--mapping", mapping)
    assert code == 0, err
    local = Indicator.objects.get(code="LOCAL_1")
    assert local.polarity == "high" and [o.outcome for o in local.outcomes.all()] == ["positive_contribution"]


def _series(write_csv, rows):
    """One indicator, four authorities, several periods: values by authority per period."""
    lines = [["indicator", "authority", "period", "value"]]
    for period, values in rows:
        for dfe, value in values.items():
            lines.append(["EVID", dfe, period, str(value)])
    return write_csv("evidence.csv", lines)


def test_evidence_strengths_and_concerns(db, run_apa, write_csv, tmp_path):
    from apa.authorities.selectors import authority_resolve
    from apa.indicators.evidence import indicator_evidence

    mapping = tmp_path / "evid.toml"
    mapping.write_text('[[indicators]]\ncode = "EVID"\ntitle = "Evidence test"\npolarity = "high"\n'
                       'outcomes = ["enjoying_and_achieving"]\n', encoding="utf-8")
    # Higher is better; eight authorities so that two are in band A. In 2023 the cut points are 17.5, 35 and
    # 69.5 (in 2022: 27.5, 55, 76.75). Kent (886) got worse three times running and ends in band D; Surrey
    # (936) rises into band A; Camden (202) falls from A to B; City of London (201) stays in A but slips.
    others = {"330": 10, "331": 20, "332": 30, "333": 40}
    path = _series(write_csv, [
        ("2020", {"886": 90, "936": 50, "202": 95, "201": 99, **others}),
        ("2021", {"886": 80, "936": 60, "202": 96, "201": 99, **others}),
        ("2022", {"886": 70, "936": 70, "202": 97, "201": 99, **others}),
        ("2023", {"886": 5, "936": 99, "202": 60, "201": 98, **others}),
    ])
    assert run_apa("indicators", "import", "--as", "admin", path, "--mapping", mapping)[0] == 0
    def ours(dfe, period=None):  # other tests' indicators may be loaded too: look at EVID only
        group = indicator_evidence(authority=authority_resolve(text=dfe), period=period)["enjoying_and_achieving"]
        return {kind: [i for i in group[kind] if i.indicator.code == "EVID"] for kind in ("strengths", "concerns")}

    found = {dfe: ours(dfe) for dfe in ("886", "936", "202", "201")}
    kent = found["886"]["concerns"][0]
    assert (kent.band, kent.previous_band) == ("D", "B")
    assert kent.reasons == ["band D", "down from band B to D since the previous period",
                            "worse in each of the last 3 periods"]
    assert [i.indicator.code for i in found["936"]["strengths"]] == ["EVID"] and not found["936"]["concerns"]
    assert found["202"]["concerns"][0].reasons == ["down from band A to B since the previous period"]
    assert found["201"] == {"strengths": [], "concerns": []}
    # An earlier period can be asked for, by label or by year.
    assert ours("936", "2021") == {"strengths": [], "concerns": []}  # band B then, and better
    assert ours("936", 2022) == {"strengths": [], "concerns": []}
    code, out, _ = run_apa("indicators", "evidence", "--authority", "886", "--format", "json")
    data = json.loads(out)
    assert "EVID" in [c["indicator"] for c in data["outcomes"]["enjoying_and_achieving"]["concerns"]]
