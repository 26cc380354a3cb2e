"""Downloads every page offers: a CSV table and a PDF of a page's own print template."""

from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string

from apa.tabular import write_csv


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """Every CSV download: the one writer, apa.tabular.write_csv (formula-like text prefixed)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_csv(response, rows, header=header)
    return response


@lru_cache(maxsize=16)
def print_css(name: str) -> str:
    """A print stylesheet shipped with an app (its static name, e.g. "councils/report_print.css"). Print
    templates have no <style> of their own (the pages' Content-Security-Policy allows none): WeasyPrint is given
    the stylesheet with the HTML."""
    path = finders.find(name)
    if not path:
        raise FileNotFoundError(f"no static file {name}")
    return Path(path).read_text(encoding="utf-8")


def pdf_response(request, template: str, context: dict, filename: str, *, stylesheet: str,
                 private: bool = False) -> HttpResponse:
    """The page's own HTML body through WeasyPrint with its print stylesheet (one template per document)."""
    from weasyprint import CSS, HTML

    html = render_to_string(template, context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(
        stylesheets=[CSS(string=print_css(stylesheet))])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if private:
        response["Cache-Control"] = "private, no-store"
    return response
