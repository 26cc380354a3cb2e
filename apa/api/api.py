"""The NinjaAPI of /api/v1/: its routers, and errors as JSON {"code", "message"} with stable codes: 400 for a
well-formed request the rules refuse (ApaError's own code), 404 `not_found`, 422 `invalid` for a malformed
parameter (405 `method_not_allowed` is apa.api.urls'). docs/api.md lists them."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import ValidationError

from apa.errors import ApaError, NotFound, PermissionDenied

from .links import api_link
from .routers import authorities, comparisons, cpa, decisions, frameworks, indicators, jar, letters, results

DESCRIPTION = """Published results of the Annual Performance Assessment of children's services and the
inspections before and after it: frameworks, authorities, results with their grades and versions, comparisons,
letters, indicators with their benchmarks, councils' published decisions, Joint Area Review outcomes and the
Comprehensive Performance Assessment's children and young people scores. Read-only and public: nothing is
here before it is published. Lists are paged with `limit` and `offset` and give `next` and `previous` links.
Errors are `{"code": ..., "message": ...}`."""

api = NinjaAPI(title="APA public API", version="1", description=DESCRIPTION, urls_namespace="api",
               docs_url=None, openapi_url="/openapi.json")

api.add_router("/frameworks", frameworks.router)
api.add_router("/authorities", authorities.router)
api.add_router("/results", results.router)
api.add_router("/comparisons", comparisons.router)
api.add_router("/letters", letters.router)
api.add_router("/indicators", indicators.router)
api.add_router("/decisions", decisions.router)
api.add_router("/jar-outcomes", jar.router)
api.add_router("/cpa", cpa.router)


def error(request, status: int, code: str, message: str):
    return api.create_response(request, {"code": code, "message": message}, status=status)


@api.exception_handler(NotFound)
def not_found(request, exc: NotFound):
    return error(request, 404, exc.code, str(exc))


@api.exception_handler(PermissionDenied)
def forbidden(request, exc: PermissionDenied):  # public data only: anything refused answers as not there
    return error(request, 404, "not_found", "nothing published here")


@api.exception_handler(ApaError)
def refused(request, exc: ApaError):
    return error(request, 400, exc.code, str(exc))


@api.exception_handler(Http404)
def http_404(request, exc: Http404):
    return error(request, 404, "not_found", "nothing published here")


def _where(loc) -> str:
    names = [str(part) for part in loc if part not in ("query", "path", "ninja_pagination")]
    return ".".join(names) or "request"


@api.exception_handler(ValidationError)
def malformed(request, exc: ValidationError):
    message = "; ".join(f"{_where(e.get('loc', ()))}: {e.get('msg', 'not valid')}" for e in exc.errors)
    return error(request, 422, "invalid", message or "a parameter is not valid")


@api.get("/", tags=["index"], url_name="index", summary="What the API holds")
def index(request) -> dict[str, str]:
    """Links to the lists and to this API's OpenAPI document."""
    names = ["frameworks", "authorities", "results", "letters", "indicators", "jar_outcomes", "cpa"]
    return {"openapi": api_link(request, "openapi-json"), **{n: api_link(request, n) for n in names},
            "comparisons": api_link(request, "comparison"), "decisions": api_link(request, "decisions")}
