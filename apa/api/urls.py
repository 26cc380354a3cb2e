"""/api/: version 1, and a JSON 404 for any other path under /api/. Every route is public (the route test
reads the decision each view carries)."""

from functools import wraps

from django.http import JsonResponse
from django.urls import URLPattern, URLResolver, path, register_converter

from apa.indicators.selectors import indicators_state
from apa.publication.selectors import publication_state
from apa.ui.access import public
from apa.ui.cache import cached_for_public

from .api import api


def _read_only(view):
    """Ninja answers other methods 405 in plain text; the API's errors are JSON."""

    @wraps(view)  # keeps csrf_exempt
    def answer(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD", "OPTIONS"):  # the schema's own view would answer any method
            return JsonResponse({"code": "method_not_allowed", "message": "the API is read-only: use GET"},
                                status=405, headers={"Allow": "GET"})
        response = view(request, *args, **kwargs)
        if response.status_code == 405:
            return JsonResponse({"code": "method_not_allowed", "message": "the API is read-only: use GET"},
                                status=405, headers={"Allow": response["Allow"]})
        return response

    return answer


# The routes whose answers are cached for the public (apa.ui.cache), with the state of the data they read.
CACHED = {name: publication_state for name in ("results", "result", "result_version")} | {
    name: indicators_state for name in ("benchmark", "values", "indicator")}


def _public(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _public(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view = _read_only(pattern.callback)
            if pattern.name in CACHED:
                view = cached_for_public(CACHED[pattern.name])(view)
            pattern.callback = public(view)
    return patterns


class Anything:
    """Any rest of a path, newlines too (Django's `path` converter stops at one)."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(Anything, "anything")


@public
def no_route(request, rest: str = ""):
    return JsonResponse({"code": "not_found", "message": "no such API route; the routes are in /api/v1/openapi.json"},
                        status=404)


# Not `app_name`: include() would read a module-level name as this module's own namespace.
_patterns, _app, _namespace = api.urls
urlpatterns = [
    path("v1/", (_public(_patterns), _app, _namespace)),
    path("", no_route, name="api_no_route"),
    path("<anything:rest>", no_route, name="api_no_route_path"),
]
