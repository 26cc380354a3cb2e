"""The report as a Word document (python-docx), from the same content as the page and the PDF."""

import io

from docx import Document

from .reporting import quartile_text


def report_docx_bytes(*, report, figures, sections, correction=None, result=None) -> bytes:
    doc = Document()
    doc.add_heading(report.title, level=0)
    meta = [f"{report.authority.name}", f"Report date: {report.report_date:%-d %B %Y}"]
    if report.meeting:
        meta.append(f"To: {report.meeting}")
    meta.append(f"Classification: {'Exempt (Schedule 12A, paragraph ' + report.exempt_paragraph + ')' if report.exempt else 'Unrestricted'}")
    for line in meta:
        doc.add_paragraph(line)
    if report.status in ("withdrawn", "superseded"):
        doc.add_paragraph(f"{report.get_status_display()}: {report.status_note}")
    if correction is not None:
        doc.add_paragraph(f"The result this report describes has since been corrected: {correction.correction_note}")
    for section in sections:
        doc.add_heading(section["heading"], level=1)
        for paragraph in section["text"].split("\n"):
            if paragraph.strip():
                doc.add_paragraph(paragraph.strip().lstrip("- "), style="List Bullet" if paragraph.startswith("- ") else None)
    if not figures.get("result"):
        buffer = io.BytesIO()
        doc.save(buffer)
        return buffer.getvalue()
    doc.add_heading("Appendix: grades and findings", level=1)
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Judgement", "Grade", "Since last time"), strict=True):
        cell.text = text
    for g in figures["grades"]:
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text = g["area"], f"{g['grade']} {g['label']}", g["direction"]
    doc.add_heading("Comparison", level=2)
    for c in figures["comparisons"]:
        text = (f"{c['label'].capitalize()}: rank {c['rank']} of {c['compared']}, {c['higher']} scoring more highly, {quartile_text(c)}"
                if c["rank"] else f"{c['label'].capitalize()}: not compared")
        doc.add_paragraph(text)
    found = figures["findings"]
    if found is None:
        doc.add_paragraph("Strengths and areas for development: not available for this result.")
    else:
        for kind, heading in (("strength", "Strengths"), ("development", "Areas for development"), ("focus", "Areas for focus")):
            doc.add_heading(heading, level=2)
            for item in found[kind]:
                doc.add_paragraph(f"{item['area']}: {item['text']}", style="List Bullet")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
