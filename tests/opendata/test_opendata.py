"""Open data: a release's Data Package is valid (frictionless), a broken copy is not, a release rebuilds byte for
byte after later changes, nothing under embargo reaches any table, the downloads answer at stable addresses, and
indicators are a separate package per data release.

Every expected figure below is worked out by hand from the rows the test stores; none is computed by the code
under test. The test database holds the shipped results too, so assertions look only at what each test adds
(rating-2009 results for 2010, a year no shipped file has)."""

import csv
import hashlib
import io
import json
import shutil
from datetime import UTC, timedelta
from pathlib import Path

import frictionless
import pytest
from django.utils import timezone

from apa.assessments import services as cycle_services
from apa.assessments.models import State
from apa.opendata.models import Release
from apa.opendata.package import Field, Table, package_files
from apa.publication.models import GradeSource, ResultGrade
from apa.publication.selectors import results_visible
from tests.assessments.conftest import cycle, kent, users  # noqa: F401
from tests.factories import correct, import_rows, refused, run, score_rows
from tests.publication.conftest import journey

# rating-2009, year 2010, overall grade: Kent 4, Surrey 3, Essex 3, Hertfordshire 1.
# Competition ranking: Kent 1st; Surrey and Essex tie 2nd; Hertfordshire 4th. Four compared, so quartiles are
# given: rank r is quartile 1 if 4r <= 4, 2 if 2r <= 4, 3 if 4r <= 12, else 4: Kent 1, Surrey 2, Essex 2,
# Hertfordshire 4.
GRADES_2010 = {"886": 4, "936": 3, "881": 3, "919": 1}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def ratings_2010(db, tmp_path):
    rows = []
    for code, grade in GRADES_2010.items():
        rows += score_rows(authority=code, framework="rating-2009", year=2010, grades={"overall": grade},
                           publication_date="2010-12-09", source=f"test page for {code}")
    import_rows(tmp_path, rows, name="ratings_2010.csv")
    return Release.objects.order_by("-number").first()


def _build(capsys, directory: Path, *options) -> dict[str, str]:
    code, out, err = run(capsys, "opendata", "build", str(directory), *options)
    assert code == 0, err
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def _rows(directory: Path, table: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((directory / f"{table}.csv").read_text(encoding="utf-8"))))


def _ours(rows, **match) -> list[dict]:
    return [r for r in rows if all(r[k] == v for k, v in match.items())]


def _errors(directory: Path) -> list[tuple[str, str, str]]:
    report = frictionless.validate(str(directory / "datapackage.json"))
    return [(task.name, e.type, e.message) for task in report.tasks for e in task.errors] + [
        ("", e.type, e.message) for e in report.errors]


def test_a_release_is_a_valid_data_package_and_a_broken_copy_is_not(ratings_2010, capsys, tmp_path):
    good = tmp_path / "good"
    _build(capsys, good)
    assert _errors(good) == []

    package = json.loads((good / "datapackage.json").read_text())
    assert package["created"] == ratings_2010.as_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert package["licenses"][0]["name"] == "OGL-UK-3.0"
    resources = {r["name"]: r for r in package["resources"]}
    assert {"results", "result_grades", "grade_sources", "authorities", "frameworks", "areas", "grade_levels",
            "comparisons", "letters", "national_summary", "national_distribution", "joint_area_reviews",
            "cpa_feed", "decisions"} <= set(resources)
    grades = resources["result_grades"]["schema"]
    assert grades["primaryKey"] == ["dfe_code", "framework", "key", "version", "area"]
    assert {"fields": ["dfe_code", "framework", "key", "version"],
            "reference": {"resource": "results", "fields": ["dfe_code", "framework", "key", "version"]}} \
        in grades["foreignKeys"]
    label = next(f for f in grades["fields"] if f["name"] == "grade_label")
    assert {"Performs excellently", "Inadequate", "Requires improvement to be good"} <= set(label["constraints"]["enum"])
    note = next(f for f in resources["results"]["schema"]["fields"] if f["name"] == "correction_note")
    assert "begins with =, +, -, @, a tab or a carriage return has an apostrophe (') put in front" in note["description"]

    assert _ours(_rows(good, "results"), framework="rating-2009", key="2010", dfe_code="886") == [{
        "dfe_code": "886", "framework": "rating-2009", "key": "2010", "version": "1", "authority": "Kent",
        "year": "2010", "inspection_date": "", "inspection_type": "", "publication_date": "2010-12-09",
        "publication_date_basis": "given", "counts_from": "2010-12-09", "superseded": "false",
        "correction_note": "", "letter_url": ""}]
    assert [(r["dfe_code"], r["grade"], r["grade_label"]) for r in
            _ours(_rows(good, "result_grades"), framework="rating-2009", key="2010")] == [
        ("881", "3", "Performs well"), ("886", "4", "Performs excellently"), ("919", "1", "Performs poorly"),
        ("936", "3", "Performs well")]
    assert [(r["dfe_code"], r["score"], r["rank"], r["compared"], r["higher"], r["quartile"]) for r in
            _ours(_rows(good, "comparisons"), framework="rating-2009", period="2010")] == [
        ("881", "3", "2", "4", "1", "2"), ("886", "4", "1", "4", "0", "1"), ("919", "1", "4", "4", "3", "4"),
        ("936", "3", "2", "4", "1", "2")]
    # Kent's 2006 overall contribution, 3, in its cabinet paper of 17 December 2007 (docs/data-sources.md), is its
    # CPA 2006 children and young people score.
    assert [(r["children_and_young_people"], r["apa_framework"], r["apa_result_version"]) for r in
            _ours(_rows(good, "cpa_feed"), cpa_year="2006", dfe_code="886")] == [("3", "apa-2006", "1")]
    summary = _ours(_rows(good, "national_summary"), framework="rating-2009", period="2010")
    assert [(s["published"], s["still_to_come"], s["first_published"]) for s in summary] == [
        ("4", "", "2010-12-09")]

    # A copy with a grade out of its enum, a result without its primary key and a repeated comparison; the
    # sizes and hashes are taken out of the descriptor so that only those faults can fail it.
    broken = tmp_path / "broken"
    shutil.copytree(good, broken)
    descriptor = json.loads((broken / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        resource.pop("hash"), resource.pop("bytes")
    (broken / "datapackage.json").write_text(json.dumps(descriptor))
    _edit(broken / "result_grades.csv", lambda rows: [
        {**r, "grade_label": "Superb"} if (r["framework"], r["key"], r["dfe_code"]) == ("rating-2009", "2010", "886")
        else r for r in rows])
    _edit(broken / "results.csv", lambda rows: [
        {**r, "key": ""} if (r["framework"], r["key"], r["dfe_code"]) == ("rating-2009", "2010", "919") else r
        for r in rows])
    _edit(broken / "comparisons.csv", lambda rows: rows + [rows[0]])
    errors = _errors(broken)
    assert any(t == "result_grades" and e == "constraint-error" and '"Superb"' in m for t, e, m in errors), errors
    assert any(t == "results" and e == "constraint-error" and "required" in m for t, e, m in errors), errors
    assert any(t == "comparisons" and e == "primary-key" for t, e, m in errors), errors

    # And a file changed after the package was made fails its recorded hash.
    tampered = tmp_path / "tampered"
    shutil.copytree(good, tampered)
    (tampered / "frameworks.csv").write_bytes((good / "frameworks.csv").read_bytes() + b"x,y,true,,,z\r\n")
    report = frictionless.validate(str(tampered / "datapackage.json"), resource_name="frameworks")
    assert {e.type for e in report.tasks[0].errors} >= {"hash-count", "byte-count"}


def _edit(path: Path, change) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(change(rows))


def test_a_release_rebuilds_byte_for_byte_after_a_correction(ratings_2010, capsys, tmp_path, client):
    number = ratings_2010.number
    first = _build(capsys, tmp_path / "first", "--release", str(number))
    kents = results_visible().get(authority__dfe_code="886", framework__code="rating-2009", key="2010")
    correct(kents, {"overall": 2}, note="=HYPERLINK(\"x\") mis-keyed: the page says 2")

    corrected = Release.objects.order_by("-number").first()
    assert (corrected.number, corrected.reason) == (number + 1, "corrected")
    assert _build(capsys, tmp_path / "again", "--release", str(number)) == first

    after = tmp_path / "after"
    _build(capsys, after)
    kent_rows = _ours(_rows(after, "results"), framework="rating-2009", key="2010", dfe_code="886")
    assert [(r["version"], r["superseded"], r["correction_note"]) for r in kent_rows] == [
        ("1", "true", ""), ("2", "false", "'=HYPERLINK(\"x\") mis-keyed: the page says 2")]
    # Now Surrey and Essex (3) share 1st, Kent (2) is 3rd, Hertfordshire (1) 4th; Kent's quartile: 4 x 3 <= 12.
    assert [(r["dfe_code"], r["version"], r["rank"], r["quartile"]) for r in
            _ours(_rows(after, "comparisons"), framework="rating-2009", period="2010")] == [
        ("881", "1", "1", "1"), ("886", "2", "3", "3"), ("919", "1", "4", "4"), ("936", "1", "1", "1")]

    # A change in place to what the release describes (as a later import may add a source to a published
    # grade) is caught: the release is refused a rebuild rather than rebuilt differently.
    grade = ResultGrade.objects.get(result__authority__dfe_code="936", result__framework__code="rating-2009",
                                    result__key="2010", area__code="overall")
    GradeSource.objects.create(grade=grade, source="a page found later")
    line = refused(capsys, "opendata", "build", str(tmp_path / "refused"), "--release", str(number))
    assert line.startswith(f"error: release {number} no longer rebuilds as first built: datapackage.json, "
                           "grade_sources.csv differ"), line
    page = client.get(f"/open-data/{number}/results.csv")  # nothing cached: it cannot be served as it was
    assert page.status_code == 410 and "no longer rebuilds as first built" in page.content.decode()


def test_nothing_under_embargo_reaches_any_table(users, cycle, kent, capsys, tmp_path):  # noqa: F811
    journey(kent, State.MODERATED, users=users)
    publish_at = (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    cycle_services.cycle_schedule(cycle=cycle, publish_at=publish_at, actor=users["publisher"])
    pending = Release.objects.get(as_at=publish_at)
    assert pending.reason == "published"
    later = publish_at + timedelta(days=1)  # rescheduled: the release moves with the publication
    cycle_services.cycle_schedule(cycle=cycle, publish_at=later, actor=users["publisher"])
    pending.refresh_from_db()
    assert pending.as_at == later and not Release.objects.filter(as_at=publish_at).exists()
    surrey = cycle.assessments.get(authority__dfe_code="936")
    journey(surrey, State.PUBLISHED, users=users)
    latest = Release.objects.order_by("-number").first()
    assert latest.reason == "published" and latest.as_at < later

    directory = tmp_path / "latest"
    _build(capsys, directory)
    texts = {p.name: p.read_text(encoding="utf-8") for p in directory.iterdir()}
    assert "apa-2008,2025" in texts["results.csv"] and "/letters/936/apa-2008/2025/v1/" in texts["letters.csv"]
    for name, text in texts.items():
        for line in text.splitlines():
            assert not ("886" in line and "apa-2008" in line and "2025" in line), (name, line)
        assert "/letters/886/apa-2008/2025" not in text, name
    assert f"release {pending.number}\t" not in run(capsys, "opendata", "releases")[1]
    assert refused(capsys, "opendata", "build", str(tmp_path / "x"), "--release", str(pending.number)) == (
        f"error: no open-data release {pending.number}; `apa opendata releases` lists them")


def test_downloads_at_stable_addresses(ratings_2010, client, capsys, tmp_path):
    number = ratings_2010.number
    built = tmp_path / "built"
    _build(capsys, built, "--release", str(number))
    index = client.get("/open-data/")
    assert index.status_code == 200 and f'href="/open-data/{number}/"' in index.content.decode()
    page = client.get(f"/open-data/{number}/")
    assert page.status_code == 200 and f'href="/open-data/{number}/results.csv"' in page.content.decode()
    for name in ("datapackage.json", "results.csv", "comparisons.csv"):
        response = client.get(f"/open-data/{number}/{name}")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == (built / name).read_bytes(), name
    assert client.get(f"/open-data/{number}/results.csv")["Content-Type"] == "text/csv; charset=utf-8"
    response = client.get("/open-data/latest/results.csv")  # the import just made is the latest release
    assert response.status_code == 302 and response["Location"] == f"/open-data/{number}/results.csv"
    assert client.get("/open-data/latest/")["Location"] == f"/open-data/{number}/"
    for missing in (f"/open-data/{number}/nothing.csv", f"/open-data/{number}/.hidden", "/open-data/99999/",
                    "/open-data/99999/results.csv", "/open-data/indicators/99999/"):
        assert client.get(missing).status_code == 404, missing


def test_indicators_are_a_package_per_data_release(db, capsys, tmp_path, client):
    from apa.indicators.plain_reader import plain_read
    from apa.indicators.services import indicator_values_import

    mapping = tmp_path / "od.toml"
    mapping.write_text('[[indicators]]\ncode = "OD_TEST"\ntitle = "Open data test"\npolarity = "low"\n',
                       encoding="utf-8")

    def load(name, rows):
        path = tmp_path / name
        path.write_text("indicator,authority,period,value\n" + "".join(f"OD_TEST,{a},{p},{v}\n" for a, p, v in rows),
                        encoding="utf-8")
        return indicator_values_import(reading=plain_read(path=path, mapping=mapping)).import_id

    first = load("one.csv", [("886", "2020", "10"), ("936", "2020", "20"), ("England", "2020", "15")])
    second = load("two.csv", [("886", "2020", "12"), ("881", "2020", "5"), ("886", "2021", "-"),
                              ("England", "2020", "16")])

    def ours(directory, table):
        return [tuple(r.values()) for r in _rows(directory, table) if r["indicator"] == "OD_TEST"]

    one = tmp_path / "one"
    assert run(capsys, "opendata", "indicators", str(one), "--data-release", str(first))[0] == 0
    assert ours(one, "values") == [("OD_TEST", "2020", "886", "10.0", ""), ("OD_TEST", "2020", "936", "20.0", "")]
    assert ours(one, "area_values") == [("OD_TEST", "2020", "England", "15.0", "")]
    assert ours(one, "periods") == [("OD_TEST", "2020", "")]
    two = tmp_path / "two"
    assert run(capsys, "opendata", "indicators", str(two))[0] == 0  # the latest: the second
    assert ours(two, "values") == [("OD_TEST", "2020", "881", "5.0", ""), ("OD_TEST", "2020", "886", "12.0", ""),
                                   ("OD_TEST", "2020", "936", "20.0", ""), ("OD_TEST", "2021", "886", "", "'-")]
    assert _errors(one) == [] and _errors(two) == []

    again = tmp_path / "again"
    assert run(capsys, "opendata", "indicators", str(again), "--data-release", str(first))[0] == 0
    assert {p.name: p.read_bytes() for p in again.iterdir()} == {p.name: p.read_bytes() for p in one.iterdir()}
    response = client.get(f"/open-data/indicators/{first}/values.csv")
    assert response.status_code == 200 and b"".join(response.streaming_content) == (one / "values.csv").read_bytes()
    assert client.get("/open-data/indicators/latest/values.csv")["Location"] == (
        f"/open-data/indicators/{second}/values.csv")


def test_command_line_refusals(db, capsys, tmp_path):
    assert refused(capsys, "opendata", "build", str(tmp_path), "--release", "99999") == (
        "error: no open-data release 99999; `apa opendata releases` lists them")
    afile = tmp_path / "a-file"
    afile.write_text("")
    assert refused(capsys, "opendata", "build", str(afile)) == f"error: {afile} is a file, not a directory"
    assert refused(capsys, "opendata", "validate", str(tmp_path)) == (
        f"error: {tmp_path / 'datapackage.json'} does not exist; build a package with `apa opendata build`")


def test_package_bytes_depend_only_on_the_rows():
    table = Table(name="t", title="T", description="d", primary_key=["id"],
                  fields=[Field("id", "integer", "id", required=True), Field("text", "string", "t", free_text=True),
                          Field("n", "number", "n")],
                  rows=[(1, "=SUM(A1)", -2.5), (2, "-not a number", None), (3, "plain", 3)])
    files = package_files(tables=[table], meta={"name": "x", "created": "2025-01-01T00:00:00Z"})
    assert files["t.csv"] == b"id,text,n\r\n1,'=SUM(A1),-2.5\r\n2,'-not a number,\r\n3,plain,3\r\n"
    assert files == package_files(tables=[table], meta={"name": "x", "created": "2025-01-01T00:00:00Z"})
    resource = json.loads(files["datapackage.json"])["resources"][0]
    assert resource["hash"] == "sha256:" + hashlib.sha256(files["t.csv"]).hexdigest()
    assert resource["bytes"] == len(files["t.csv"])
