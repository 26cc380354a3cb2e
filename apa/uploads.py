"""What a file may cost before it is refused: one set of limits per kind of file, and the checks that read only
a file's size, its zip directory or its first bytes (docs/files.md). Every refusal is an ApaError with one
sentence; nothing here touches the database or imports an app.

The order, for every file a person gives APA: the actor's permission (checked by the caller, before this), the
file itself (there, a file, not empty, not too big), for XLSX and DOCX the zip directory (total uncompressed
size, compression ratio, members), then the header, then the number of rows, and only then the rows."""

import zipfile
from dataclasses import dataclass
from pathlib import Path

from apa.errors import ApaError, Problem

MB = 1024 * 1024

# A zip member (a sheet's XML, say) that expands more than this many times is a zip bomb: Excel's own files
# compress 5 to 20 to 1; a sheet of 600,000 identical rows compresses over 300 to 1.
MAX_ZIP_RATIO = 100
# Members smaller than this are not judged by their ratio (a tiny, repetitive styles.xml may compress well).
ZIP_RATIO_FLOOR = 1 * MB
MAX_ZIP_MEMBERS = 1_000
# Columns read from a spreadsheet's header row: no layout APA reads has more.
MAX_COLUMNS = 500


@dataclass(frozen=True)
class Limits:
    """The most a kind of file may hold: bytes on disk, rows after the header, and for XLSX and DOCX the
    members' total size once uncompressed."""

    kind: str
    max_bytes: int
    max_rows: int
    max_unzipped: int


# `apa results import`: the whole published history of every framework is under 1,000 rows.
RESULTS_FILE = Limits("a results file", max_bytes=10 * MB, max_rows=20_000, max_unzipped=50 * MB)
# `apa judgements import`: one row per authority and area of one cycle (153 authorities, a few areas each).
JUDGEMENTS_FILE = Limits("a judgements file", max_bytes=5 * MB, max_rows=5_000, max_unzipped=25 * MB)
# `apa indicators import`: the whole LAIT set is 641,070 rows (a 1.8 MB parquet file, about 60 MB as CSV).
INDICATORS_FILE = Limits("an indicator file", max_bytes=500 * MB, max_rows=2_000_000, max_unzipped=1_000 * MB)
# LAIT's data dictionary (434 measures, 0.9 MB) and the TOML mapping files an import names.
DICTIONARY_FILE = Limits("a data dictionary", max_bytes=20 * MB, max_rows=50_000, max_unzipped=0)
MAPPING_FILE = Limits("a mapping file", max_bytes=1 * MB, max_rows=0, max_unzipped=0)
# A self-assessment's supporting document, uploaded on the web: stored, never parsed.
DOCUMENT = Limits("a document", max_bytes=20 * MB, max_rows=0, max_unzipped=200 * MB)


def size_text(count: int) -> str:
    if count >= MB:
        return f"{count / MB:,.1f} MB"
    if count >= 1024:
        return f"{count / 1024:,.0f} KB"
    return f"{count:,} bytes"


def file_check(path: Path | str, limits: Limits) -> Path:
    """The file is there, is a file, is not empty and is not bigger than its kind may be (read from the
    directory entry: nothing of the file is opened)."""
    path = Path(path)
    if not path.exists():
        raise ApaError(Problem(f"{path} does not exist"))
    if path.is_dir():
        raise ApaError(Problem(f"{path} is a directory, not a file"))
    if not path.is_file():
        raise ApaError(Problem(f"{path} is not a regular file"))
    size = path.stat().st_size
    if size == 0:
        raise ApaError(Problem(f"{path.name} is empty"))
    size_check(size, limits, path.name)
    return path


def size_check(size: int, limits: Limits, name: str) -> None:
    if size > limits.max_bytes:
        raise ApaError(Problem(f"{name} is {size_text(size)}; {limits.kind} may be at most "
                               f"{size_text(limits.max_bytes)}"))


def zip_check(source, limits: Limits, name: str, what: str = "XLSX file") -> None:
    """An XLSX or DOCX file's zip directory, read before anything is uncompressed: a readable archive, at most
    MAX_ZIP_MEMBERS members, at most `limits.max_unzipped` bytes in all once uncompressed, and no member that
    expands more than MAX_ZIP_RATIO times. (Python's zipfile never yields more than a member's declared size,
    so a directory that lies about sizes cannot make reading cost more than the sizes checked here.)"""
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise ApaError(Problem(f"{name} is not a readable {what} (it is not a zip archive)")) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise ApaError(Problem(f"{name} holds {len(members):,} parts; {limits.kind} may hold at most "
                               f"{MAX_ZIP_MEMBERS:,}"))
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped:
        raise ApaError(Problem(f"{name} expands to {size_text(total)}; {limits.kind} may expand to at most "
                               f"{size_text(limits.max_unzipped)}"))
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= ZIP_RATIO_FLOOR and ratio > MAX_ZIP_RATIO:
            raise ApaError(Problem(f"{name} is compressed {ratio:,.0f} to 1 ({member.filename}); a file compressed "
                                   f"more than {MAX_ZIP_RATIO} to 1 is refused as a zip bomb"))


def rows_check(count: int, limits: Limits, name: str, *, at_least: bool = False) -> None:
    if count > limits.max_rows:
        counted = f"more than {limits.max_rows:,}" if at_least else f"{count:,}"
        raise ApaError(Problem(f"{name} has {counted} rows; {limits.kind} may have at most {limits.max_rows:,}"))


# ---- uploads accepted by what their bytes are ----------------------------------------------------------------

# What a self-assessment document may be, by the type its first bytes show (never its name or the browser's
# word for it): the MIME type stored and served, and the words a refusal uses.
DOCUMENT_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (DOCX)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (XLSX)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint (PPTX)",
    "application/vnd.oasis.opendocument.text": "OpenDocument text (ODT)",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet (ODS)",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "text/plain": "plain text or CSV (UTF-8)",
}
ZIP_TYPES = {m for m in DOCUMENT_TYPES if "openxmlformats" in m or "opendocument" in m}
SNIFF_BYTES = 8192


def sniff(head: bytes) -> str | None:
    """The MIME type the first bytes of a file show, or None: binary formats by their signature (the `filetype`
    package); text as UTF-8 (a BOM allowed) with no NUL and no control characters but tab and line ends."""
    import filetype

    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if not head:
        return None
    text = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    if b"\x00" in text:
        return None
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(text) - 3:  # not merely a character cut at the end of the bytes read
            return None
        decoded = text[:exc.start].decode("utf-8")
    if any(ord(c) < 32 and c not in "\t\r\n\f" for c in decoded):
        return None
    return "text/plain"


def upload_check(uploaded, limits: Limits = DOCUMENT, allowed: dict[str, str] = DOCUMENT_TYPES) -> str:
    """A web upload (Django's UploadedFile): its size first, then the type its bytes show, from the allow-list,
    then for zip-based types the zip directory. Returns the MIME type to store."""
    name = Path(getattr(uploaded, "name", "") or "the file").name
    size = uploaded.size or 0
    if size == 0:
        raise ApaError(Problem(f"{name} is empty"))
    size_check(size, limits, name)
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    mime = sniff(head)
    if mime not in allowed:
        raise ApaError(Problem(f"{name} is not a file of a type accepted here; upload "
                               + ", ".join(list(allowed.values())[:-1]) + f" or {list(allowed.values())[-1]}"))
    if mime in ZIP_TYPES:
        zip_check(uploaded, limits, name, what=allowed[mime] + " file")
        uploaded.seek(0)
    return mime
