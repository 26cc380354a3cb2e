"""Downloads every page offers: a CSV table and a PDF of a page's own print template."""

from django.http import HttpResponse
from django.template.loader import render_to_string

from apa.tabular import write_csv


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """Every CSV download: the one writer, apa.tabular.write_csv (formula-like text prefixed)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_csv(response, rows, header=header)
    return response


def pdf_response(request, template: str, context: dict, filename: str, *, private: bool = False) -> HttpResponse:
    """The page's own HTML body through WeasyPrint with print CSS (one template per document)."""
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    response = HttpResponse(HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if private:
        response["Cache-Control"] = "private, no-store"
    return response
