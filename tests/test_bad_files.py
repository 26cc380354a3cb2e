"""Bad files cost little (docs/files.md): every file a person gives APA on the command line is refused with one
line per problem and exit code 2, nothing written, before it is parsed — its size, its zip directory, its
header and its number of rows first. The corpus is tests/data/bad/; big files are made here, in the test.
Every expected line is written out by hand."""

import hashlib
import resource
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from apa.cli import main
from apa.errors import ApaError
from apa.indicators.models import Import, Value
from apa.publication.models import GradeSource, Result, ResultGrade
from apa.tabular import read_rows
from apa.uploads import sniff

BAD = Path(__file__).parent / "data" / "bad"
RESULTS_HEADER = "authority,framework,year,area,grade,inspection_date,publication_date,source,note"


def run(capsys, *argv) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as done:
        code = done.code
    out = capsys.readouterr()
    return code, out.out, out.err


def _store():
    """What an import could change, as counts and a checksum of every grade and source."""
    digest = hashlib.sha256()
    for row in GradeSource.objects.order_by("pk").values_list("pk", "grade_id", "source", "note"):
        digest.update(repr(row).encode())
    for row in ResultGrade.objects.order_by("pk").values_list("pk", "result_id", "area_id", "grade"):
        digest.update(repr(row).encode())
    return (Result.objects.count(), ResultGrade.objects.count(), GradeSource.objects.count(),
            Value.objects.count(), Import.objects.count(), digest.hexdigest())


def _sheet_xlsx(path: Path, header: list[str], row: list[str], rows: int, declared: int | None = None) -> Path:
    """An XLSX file written by hand, streaming: one sheet of `rows` copies of `row` (inline strings), so a
    highly compressible sheet costs little to make."""
    def cells(values):
        return "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)

    last = chr(ord("A") + len(header) - 1)
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
             'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
             'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"'
             '/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.spreadsheetml.worksheet+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    book = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    book_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                 'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                 'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("xl/workbook.xml", book)
        archive.writestr("xl/_rels/workbook.xml.rels", book_rels)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main">')
            if declared:  # the sheet's own word for its size, which a reader may trust to refuse it
                sheet.write(f'<dimension ref="A1:{last}{declared + 1}"/>'.encode())
            sheet.write(f"<sheetData><row>{cells(header)}</row>".encode())
            block = f"<row>{cells(row)}</row>".encode() * 1000
            for _ in range(rows // 1000):
                sheet.write(block)
            sheet.write(f"<row>{cells(row)}</row>".encode() * (rows % 1000))
            sheet.write(b"</sheetData></worksheet>")
    return path


# ---- apa results import: the corpus ------------------------------------------------------------------------

REFUSED = [
    ("results_wrong_columns.csv", [
        "error: row 1: the header lacks authority, grade, inspection_date, publication_date, source, note; expected "
        "authority,framework,year,area,grade,inspection_date,publication_date,source,note or the Ofsted ILACS "
        "outcomes layout"]),
    ("results_empty.csv", ["error: results_empty.csv is empty"]),
    ("results_header_only.csv", ["error: results_header_only.csv has a header and no rows"]),
    ("results_utf16.csv", ['error: results_utf16.csv is UTF-16 text; save it as "CSV UTF-8"']),
    ("results_undecodable.csv", ["error: results_undecodable.csv is neither UTF-8 nor Windows-1252 text (byte 0x81 "
                                 'at position 167); save it as "CSV UTF-8"']),
    ("results_impossible_date.csv", ["error: row 2, column publication_date: '2007-02-30' is not a date; use "
                                     "YYYY-MM-DD or DD/MM/YYYY"]),
    ("results_duplicate_key.csv", ["error: row 3, column grade: Rutland apa-2008 2008 overall_effectiveness: grade 2 "
                                   "here but 3 in row 2"]),
    ("results_duplicate_column.csv", ["error: row 1: the header names grade more than once"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "expected"), REFUSED, ids=[name for name, _ in REFUSED])
def test_a_bad_results_file_is_refused_in_one_line_a_problem_and_nothing_is_written(capsys, name, expected):
    before = _store()
    code, out, err = run(capsys, "results", "import", BAD / name, "--as", "admin")
    assert (code, err.splitlines()) == (2, expected)
    assert "Traceback" not in err and out == ""
    assert _store() == before


@pytest.mark.django_db
def test_a_directory_given_as_the_file_is_refused(capsys):
    before = _store()
    code, out, err = run(capsys, "results", "import", BAD, "--as", "admin")
    assert (code, err.splitlines()) == (2, [f"error: {BAD} is a directory, not a file"])
    assert _store() == before


@pytest.mark.django_db
def test_a_file_that_does_not_exist_is_refused(capsys, tmp_path):
    code, out, err = run(capsys, "results", "import", tmp_path / "missing.csv", "--as", "admin")
    assert (code, err.splitlines()) == (2, [f"error: {tmp_path / 'missing.csv'} does not exist"])


@pytest.mark.django_db
def test_permission_is_checked_before_the_file_is_opened(capsys, tmp_path):
    """A person without the permission learns nothing of the file: not even that it is missing or a directory."""
    for path in (tmp_path / "missing.csv", BAD, BAD / "results_utf16.csv"):
        code, out, err = run(capsys, "results", "import", path, "--as", "inspector")
        assert (code, err.splitlines()) == (2, ["error: only admins may import published results"])


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "note"), [
    ("results_bom.csv", "with a BOM"),
    ("results_latin1.csv", "café £5"),  # Excel's "CSV" on Windows: read as Windows-1252
    ("results_formula.csv", "=cmd|' /C calc'!A0"),  # text, never evaluated
    ("results_markup.csv", "<script>alert('apa')</script>"),  # text, escaped when shown
])
def test_awkward_but_good_files_are_read_as_the_text_they_hold(capsys, client, name, note):
    code, out, err = run(capsys, "results", "import", BAD / name, "--as", "admin")
    assert (code, err) == (0, "")
    source = GradeSource.objects.get(grade__result__authority__dfe_code="857", grade__result__key="2008",
                                     source="Rutland cabinet")
    assert source.note == note
    page = client.get("/authorities/857/", secure=True).content.decode()
    if name == "results_markup.csv":
        assert "&lt;script&gt;alert(&#x27;apa&#x27;)&lt;/script&gt;" in page and "<script>alert" not in page


@pytest.mark.django_db
def test_a_formula_read_from_a_file_is_neutralised_in_the_csv_written(capsys, client):
    from apa.tabular import csv_safe

    run(capsys, "results", "import", BAD / "results_formula.csv", "--as", "admin")
    note = GradeSource.objects.get(grade__result__authority__dfe_code="857", source="Rutland cabinet").note
    assert csv_safe(note) == "'=cmd|' /C calc'!A0"


# ---- big files, made here ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_results_csv_with_too_many_rows_is_refused_before_any_row_is_parsed(capsys, tmp_path):
    path = tmp_path / "many.csv"
    row = "Rutland,apa-2008,2008,overall_effectiveness,3,,17/12/2008,Rutland cabinet,\n"
    path.write_text(RESULTS_HEADER + "\n" + row * 20_001)
    before = _store()
    code, out, err = run(capsys, "results", "import", path, "--as", "admin")
    assert (code, err.splitlines()) == (
        2, ["error: many.csv has more than 20,000 rows; a results file may have at most 20,000"])
    assert _store() == before


@pytest.mark.django_db
def test_a_results_file_too_big_on_disk_is_refused_by_its_size(capsys, tmp_path):
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.truncate(10 * 1024 * 1024 + 1)  # a sparse file: 10 MB and a byte, costing no disk
    code, out, err = run(capsys, "results", "import", path, "--as", "admin")
    assert (code, err.splitlines()) == (2, ["error: big.csv is 10.0 MB; a results file may be at most 10.0 MB"])


@pytest.mark.django_db
def test_a_spreadsheet_of_600000_rows_in_185_kb_is_refused_in_well_under_a_second(capsys, tmp_path):
    """The case in issue 12: a small XLSX that expands to 600,000 rows. Refused from its zip directory."""
    path = _sheet_xlsx(tmp_path / "bomb.xlsx", RESULTS_HEADER.split(","),
                       ["Rutland", "apa-2008"], 600_000)
    assert 150_000 < path.stat().st_size < 250_000
    before = _store()
    started, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF).ru_utime
    code, out, err = run(capsys, "results", "import", path, "--as", "admin")
    elapsed, cpu = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_utime - cpu
    assert (code, err.splitlines()) == (2, ["error: bomb.xlsx expands to 57.2 MB; a results file may expand to at "
                                            "most 50.0 MB"])
    # CPU time is the measure (about 0.1 s); wall time has room for a machine shared with other work.
    assert cpu < 0.5 and elapsed < 1.5, f"{elapsed:.3f} s, {cpu:.3f} s of CPU"
    tracemalloc.start()  # (tracing slows Python several times over: memory is measured on a second run)
    code, out, err = run(capsys, "results", "import", path, "--as", "admin")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert code == 2 and peak < 2 * 1024 * 1024, f"{peak:,} bytes"
    assert _store() == before
    # The same file as indicator data, where rows are allowed by the million: refused the same way.
    code, out, err = run(capsys, "indicators", "import", path, "--as", "admin")
    assert (code, err.splitlines()) == (2, [
        "error: bomb.xlsx is compressed 294 to 1 (xl/worksheets/sheet1.xml); a file compressed more than 100 to 1 "
        "is refused as a zip bomb"])
    assert _store() == before


@pytest.mark.django_db
def test_a_spreadsheet_that_says_it_has_too_many_rows_is_refused_before_reading_them(capsys, tmp_path):
    path = _sheet_xlsx(tmp_path / "long.xlsx", RESULTS_HEADER.split(","),
                       ["Rutland", "apa-2008", "2008", "overall_effectiveness", "3"], 10, declared=25_000)
    code, out, err = run(capsys, "results", "import", path, "--as", "admin")
    assert (code, err.splitlines()) == (
        2, ["error: long.xlsx has 25,000 rows; a results file may have at most 20,000"])


@pytest.mark.django_db
def test_a_spreadsheet_with_the_wrong_header_is_refused_before_any_row(capsys, tmp_path):
    path = _sheet_xlsx(tmp_path / "wrong.xlsx", ["council", "score"], ["Rutland", "3"], 10)
    code, out, err = run(capsys, "results", "import", path, "--as", "admin")
    assert (code, err.splitlines()) == (2, [
        "error: row 1: the header lacks authority, framework, year, area, grade, inspection_date, publication_date, "
        "source, note; expected authority,framework,year,area,grade,inspection_date,publication_date,source,note or "
        "the Ofsted ILACS outcomes layout"])


@pytest.mark.django_db
def test_an_xlsx_that_is_not_a_zip_is_refused(capsys, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text(RESULTS_HEADER + "\n")
    code, out, err = run(capsys, "results", "import", path, "--as", "admin")
    assert (code, err.splitlines()) == (2, ["error: fake.xlsx is not a readable XLSX file (it is not a zip archive)"])


@pytest.mark.django_db
def test_formula_cells_in_a_spreadsheet_are_read_as_text_never_evaluated(capsys, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(RESULTS_HEADER.split(","))
    book.active.append(["Rutland", "apa-2008", "2008", "overall_effectiveness", "=1+2", "", "17/12/2008",
                        "Rutland cabinet", "=cmd|' /C calc'!A0"])
    book.save(tmp_path / "formula.xlsx")
    code, out, err = run(capsys, "results", "import", tmp_path / "formula.xlsx", "--as", "admin")
    assert (code, err.splitlines()) == (2, [
        "error: row 2, column grade: '=1+2' is not a grade of apa-2008; use 4 (Outstanding) or 3 (Good) or "
        "2 (Adequate) or 1 (Inadequate)"])
    book.active["E2"] = 3
    book.save(tmp_path / "formula.xlsx")
    code, out, err = run(capsys, "results", "import", tmp_path / "formula.xlsx", "--as", "admin")
    assert (code, err) == (0, "")
    assert GradeSource.objects.get(grade__result__authority__dfe_code="857", source="Rutland cabinet").note == (
        "=cmd|' /C calc'!A0")


# ---- apa indicators import ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_indicator_files_are_refused_by_header_size_and_kind(capsys, tmp_path):
    before = _store()
    code, out, err = run(capsys, "indicators", "import", BAD / "indicators_wrong_columns.csv", "--as", "admin")
    assert (code, err.splitlines()) == (2, ["error: indicators_wrong_columns.csv has no column indicator, authority, "
                                            "period, value; the columns are indicator, authority, period, value"])
    code, out, err = run(capsys, "indicators", "import", BAD, "--as", "admin")
    assert (code, err.splitlines()) == (2, [f"error: {BAD} is a directory, not a file"])
    empty = tmp_path / "empty.parquet"
    empty.write_bytes(b"")
    code, out, err = run(capsys, "indicators", "import", empty, "--as", "admin")
    assert (code, err.splitlines()) == (2, ["error: empty.parquet is empty"])
    lait = tmp_path / "lait.csv"
    lait.write_text("Short Desc,Years,LA Number\nRTA,2016,886\n")
    code, out, err = run(capsys, "indicators", "import", lait, "--format", "lait", "--as", "admin")
    assert (code, err.splitlines()) == (2, ["error: lait.csv is not in LAIT's long format: no column Values"])
    ees = tmp_path / "ees.csv"
    ees.write_text("time_period,time_identifier,geographic_level\n")
    code, out, err = run(capsys, "indicators", "import", ees, "--format", "ees", "--measure", "x=X", "--as", "admin")
    assert (code, err.splitlines()) == (2, ["error: ees.csv has a header and no rows"])
    code, out, err = run(capsys, "indicators", "import", BAD / "results_utf16.csv", "--format", "lait",
                         "--as", "admin")
    assert (code, err.splitlines()) == (2, ['error: results_utf16.csv is UTF-16 text; save it as "CSV UTF-8"'])
    assert _store() == before


@pytest.mark.django_db
def test_indicator_permission_comes_before_the_file(capsys):
    code, out, err = run(capsys, "indicators", "import", BAD, "--as", "inspector")
    assert code == 2 and "directory" not in err and len(err.splitlines()) == 1


@pytest.mark.django_db
def test_a_parquet_file_is_judged_by_its_footer(capsys, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "wrong.parquet"
    pq.write_table(pa.table({"Short Desc": ["RTA"], "Years": ["2016"]}), path)
    code, out, err = run(capsys, "indicators", "import", path, "--as", "admin")
    assert (code, err.splitlines()) == (2, ["error: wrong.parquet is not in LAIT's long format: no column LA Number, "
                                            "Values"])
    path = tmp_path / "header.parquet"
    pq.write_table(pa.table({c: pa.array([], pa.string()) for c in ("Short Desc", "Years", "LA Number", "Values")}),
                   path)
    code, out, err = run(capsys, "indicators", "import", path, "--as", "admin")
    assert (code, err.splitlines()) == (2, ["error: header.parquet has a header and no rows"])


def test_the_real_lait_file_is_within_the_indicator_limits():
    from apa.indicators.lait_reader import _parquet_check
    from apa.indicators.readers import DATA_DIR

    _parquet_check(DATA_DIR / "bds_long_0.parquet")  # 641,070 rows: raises nothing


# ---- the reader and the sniffer, without a database ---------------------------------------------------------

def test_read_rows_refuses_a_header_without_names(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text(",,\nRutland,1,2\n")
    with pytest.raises(ApaError) as refused:
        read_rows(path)
    assert refused.value.lines == ["row 1: blank.csv has no header: its first row is empty"]


@pytest.mark.parametrize(("head", "mime"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
    ("authority,grade\nRutland,3\nSt Helen’s,2\n".encode(), "text/plain"),
    (b"\xef\xbb\xbfauthority,grade\n", "text/plain"),
    (b"MZ\x90\x00\x03\x00\x00\x00", "application/x-msdownload"),
    (b"<html><script>alert(1)</script>\x00", None),
    (b"PK\x03\x04\x14\x00\x00\x00", "application/zip"),
    (b"", None),
])
def test_sniffing_goes_by_the_bytes(head, mime):
    assert sniff(head) == mime
