"""Bad files cost little (docs/files.md), in the assessment cycle: `apa judgements import` refuses a bad file in
one line a problem, exit 2, nothing written; the self-assessment's document upload is accepted by what its
bytes are, from an allow-list, and refused with a GOV.UK error summary. Expected lines are written by hand."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apa.assessments.models import ChangeLog, Document, Judgement, State
from apa.cli import main

from .conftest import put_in_state

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
JUDGEMENTS = ["judgements", "import"]
CYCLE = ["--framework", "apa-2008", "--year", "2025"]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _written(kent):
    return Judgement.objects.count(), ChangeLog.objects.filter(assessment=kent).count(), Document.objects.count()


@pytest.mark.parametrize(("name", "expected"), [
    ("judgements_wrong_columns.csv", [
        "error: row 1: the header lacks grade, rationale, strengths, areas_for_development, areas_for_focus, evidence; "
        "expected authority,area,grade,rationale,strengths,areas_for_development,areas_for_focus,evidence"]),
    ("judgements_duplicate_key.csv", [
        "error: row 3, column area: Kent staying_safe is also in row 2; one row per authority and area"]),
    ("results_empty.csv", ["error: results_empty.csv is empty"]),
    ("results_utf16.csv", ['error: results_utf16.csv is UTF-16 text; save it as "CSV UTF-8"']),
])
def test_a_bad_judgements_file_is_refused_and_nothing_is_written(capsys, kent, users, name, expected):
    put_in_state(kent, State.UNDER_REVIEW)
    before = _written(kent)
    code, out, err = run(capsys, *JUDGEMENTS, BAD / name, *CYCLE, "--as", "inspector")
    assert (code, err.splitlines()) == (2, expected)
    assert _written(kent) == before


def test_a_person_who_leads_no_assessment_is_refused_before_the_file_is_opened(capsys, kent, users, tmp_path):
    put_in_state(kent, State.UNDER_REVIEW)
    for path in (tmp_path / "missing.csv", BAD, BAD / "judgements_duplicate_key.csv"):
        code, out, err = run(capsys, *JUDGEMENTS, path, *CYCLE, "--as", "inspector_2")
        assert (code, err.splitlines()) == (
            2, ["error: inspector_2 leads no assessment in apa-2008 2025; only a lead inspector loads judgements"])
    assert not Judgement.objects.exists()


def test_a_judgements_file_with_too_many_rows_is_refused_before_any_row_is_read(capsys, kent, users, tmp_path):
    put_in_state(kent, State.UNDER_REVIEW)
    path = tmp_path / "many.csv"
    path.write_text("authority,area,grade,rationale,strengths,areas_for_development,areas_for_focus,evidence\n"
                    + "Kent,staying_safe,3,,,,,\n" * 5_001)
    code, out, err = run(capsys, *JUDGEMENTS, path, *CYCLE, "--as", "inspector")
    assert (code, err.splitlines()) == (
        2, ["error: many.csv has more than 5,000 rows; a judgements file may have at most 5,000"])
    assert not Judgement.objects.exists()


def test_markup_in_a_judgement_is_stored_as_text_and_escaped_when_shown(capsys, kent, users, client):
    put_in_state(kent, State.UNDER_REVIEW)
    code, out, err = run(capsys, *JUDGEMENTS, BAD / "judgements_markup.csv", *CYCLE, "--as", "inspector")
    assert (code, out.strip()) == (0, "saved 1 draft judgements")
    assert kent.judgements.get(area__code="staying_safe").rationale == "<script>alert('apa')</script>"
    client.force_login(users["inspector"])
    page = client.get(f"/assessments/{kent.pk}/review/", secure=True).content.decode()
    assert "&lt;script&gt;alert(&#x27;apa&#x27;)&lt;/script&gt;" in page
    assert "<script>alert" not in page


# ---- the document upload -----------------------------------------------------------------------------------

def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Children and young people's plan review")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _zip_bomb_docx() -> bytes:
    """A DOCX whose document.xml is 30 MB of one character: it compresses about 1,000 to 1."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"</w:body>", b" " * (30 * 1024 * 1024) + b"</w:body>")
            bomb.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _post(client, kent, name, content, content_type):
    return client.post(f"/assessments/{kent.pk}/self-assessment/", {
        "action": "document", "title": "Supporting evidence", "area": "",
        "file": SimpleUploadedFile(name, content, content_type=content_type)}, secure=True)


@pytest.mark.parametrize(("name", "content", "browser_type", "expected"), [
    ("plan.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "application/pdf",
     "plan.pdf is not a file of a type accepted here; upload PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), "
     "OpenDocument text (ODT), OpenDocument spreadsheet (ODS), PNG, JPEG or plain text or CSV (UTF-8)"),
    ("page.html", b"<html><script>alert(1)</script>\x00\x01</html>", "text/html",
     "page.html is not a file of a type accepted here; upload PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), "
     "OpenDocument text (ODT), OpenDocument spreadsheet (ODS), PNG, JPEG or plain text or CSV (UTF-8)"),
    ("empty.txt", b"", "text/plain", "The submitted file is empty."),
])
def test_an_upload_is_judged_by_its_bytes_not_its_name(client, kent, users, name, content, browser_type, expected):
    put_in_state(kent, State.SELF_ASSESSMENT)
    client.force_login(users["kent_officer"])
    before = _written(kent)
    response = _post(client, kent, name, content, browser_type)
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert expected in page
    assert _written(kent) == before


def test_a_zip_bomb_document_is_refused(client, kent, users):
    put_in_state(kent, State.SELF_ASSESSMENT)
    client.force_login(users["kent_officer"])
    before = _written(kent)
    page = _post(client, kent, "plan.docx", _zip_bomb_docx(), "application/msword").content.decode()
    assert "There is a problem" in page
    assert ("plan.docx is compressed 1,008 to 1 (word/document.xml); a file compressed more than 100 to 1 is "
            "refused as a zip bomb") in page
    assert _written(kent) == before


def test_a_document_too_big_is_refused_by_its_size(kent, users):
    from apa.assessments import services
    from apa.errors import ApaError

    put_in_state(kent, State.SELF_ASSESSMENT)
    uploaded = SimpleUploadedFile("huge.pdf", b"%PDF-1.7\n", content_type="application/pdf")
    uploaded.size = 20 * 1024 * 1024 + 1  # the size Django's parser counted: no need to send 20 MB
    with pytest.raises(ApaError) as refused:
        services.document_add(assessment=kent, actor=users["kent_officer"], title="Huge", uploaded=uploaded)
    assert refused.value.lines == ["huge.pdf is 20.0 MB; a document may be at most 20.0 MB"]
    assert not Document.objects.exists()


@pytest.mark.parametrize(("name", "content", "browser_type", "stored"), [
    ("plan.docx", None, "application/octet-stream",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("notes.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "text/html", "application/pdf"),
    ("figures.csv", "authority,grade\nKent,3\nSt Helen’s,2\n".encode(), "application/vnd.ms-excel", "text/plain"),
])
def test_an_allowed_upload_is_stored_with_the_type_its_bytes_show(client, kent, users, name, content,
                                                                   browser_type, stored):
    put_in_state(kent, State.SELF_ASSESSMENT)
    client.force_login(users["kent_officer"])
    response = _post(client, kent, name, content if content is not None else _docx(), browser_type)
    assert response.status_code == 302
    document = Document.objects.get(assessment=kent)
    assert document.content_type == stored
    download = client.get(f"/documents/{document.pk}/", secure=True)
    assert download["Content-Type"] == stored and download["Content-Disposition"].startswith("attachment")
