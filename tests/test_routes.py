"""Every route states who may see it: public, or which roles. A route without a decision fails here.

The walk covers every URL pattern of apa.urls, through every include. Views that APA does not write (Django
admin) cannot carry a decision, so they are listed in THIRD_PARTY with the decision they enforce themselves,
and that decision is checked by requesting them.
"""

import re
import types

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, include, path
from django.urls.resolvers import RegexPattern

from apa.accounts.models import Role
from apa.ui.access import PUBLIC, SIGNED_IN, decided, public, roles

# URL namespace -> the access rule the third-party views enforce.
THIRD_PARTY = {
    "admin": "admin only",  # Django admin: staff accounts, which `apa users add --role admin` creates
}

SIGN_IN = "/account/sign-in/"
KNOWN_ROLES = set(Role.values) | {SIGNED_IN}
# Signed-in personas (tests/conftest.py) by role, to try a route with a role it does not allow.
PERSONA_FOR_ROLE = {Role.INSPECTOR: "inspector", Role.MODERATOR: "moderator", Role.PUBLISHER: "publisher",
                    Role.AUTHORITY_OFFICER: "kent_officer"}


def _routes(resolver, prefix="", namespace=None, parameters=False):
    """(route text, callback, namespace, name, has parameters) for every pattern, depth first."""
    for pattern in resolver.url_patterns:
        text = prefix + _sample(pattern.pattern)
        has_parameters = parameters or text != prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace) if n) or None
            yield from _routes(pattern, text, inner, has_parameters)
        elif isinstance(pattern, URLPattern):
            yield text, pattern.callback, namespace, pattern.name, has_parameters


def _sample(pattern) -> str:
    """A concrete URL piece for a route or regex pattern: converters and groups become sample values.

    The access check runs before the view looks anything up, so any well-formed value will do."""
    text = str(pattern)
    if hasattr(pattern, "converters"):  # path()
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: "1" if m.group(1) in ("int", None) else "x", text)
    text = text.lstrip("^").rstrip("$").replace("\\Z", "")
    return re.sub(r"\(\?P<\w+>[^)]*\)", "1", text)


ROUTES = sorted(set(_routes(get_resolver("apa.urls"))), key=lambda r: (r[0], r[3] or "", r[2] or ""))
APA_ROUTES = [r for r in ROUTES if (r[2] or "").split(":")[0] not in THIRD_PARTY]
ROLE_ROUTES = [r for r in APA_ROUTES if isinstance(decided(r[1]), tuple)]


def _id(route):
    return route[3] or route[0]


def test_the_walk_finds_the_routes():
    names = {r[3] for r in ROUTES}
    assert {"home", "authority_detail", "compare", "login", "account", "national_results_year"} <= names
    assert any(r[2] == "admin" for r in ROUTES)


def _undecided(routes) -> list[str]:
    missing = []
    for route, callback, _, name, _ in routes:
        decision = decided(callback)
        if decision == PUBLIC:
            continue
        if isinstance(decision, tuple) and decision and set(decision) <= KNOWN_ROLES:
            continue
        missing.append(f"/{route} ({name or callback.__name__}): {decision!r}")
    return missing


def test_every_route_has_an_access_decision():
    missing = _undecided(APA_ROUTES)
    assert not missing, "routes without an explicit access decision (use @public or @roles):\n" + "\n".join(missing)


def test_the_walk_catches_a_route_without_a_decision():
    def forgotten(request):
        return None

    inner = types.ModuleType("inner_urls")
    inner.urlpatterns = [path("deep/<int:pk>/", forgotten, name="forgotten"),
                         path("fine/", public(lambda request: None), name="fine"),
                         path("unknown-role/", roles("wizard")(lambda request: None), name="wizard")]
    outer = types.ModuleType("outer_urls")
    outer.urlpatterns = [path("outer/", include(inner))]
    routes = list(_routes(URLResolver(RegexPattern(r"^/"), outer)))
    assert {r[0] for r in routes} == {"outer/deep/1/", "outer/fine/", "outer/unknown-role/"}
    assert [m.split(" ")[0] for m in _undecided(routes)] == ["/outer/deep/1/", "/outer/unknown-role/"]


def test_every_third_party_namespace_is_one_the_walk_found():
    found = {(r[2] or "").split(":")[0] for r in ROUTES}
    assert set(THIRD_PARTY) <= found


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROLE_ROUTES, ids=_id)
def test_role_routes_send_anonymous_visitors_to_sign_in(client, route):
    url = "/" + route[0]
    response = client.get(url)
    if response.status_code == 405:  # a form handler that only takes POST
        response = client.post(url)
    assert response.status_code == 302, f"{url} answered {response.status_code} to an anonymous visitor"
    assert response["Location"].startswith(f"{SIGN_IN}?next=")


def _outsider(roles: tuple) -> str | None:
    if SIGNED_IN in roles:
        return None
    return next((persona for role, persona in PERSONA_FOR_ROLE.items() if role not in roles), None)


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROLE_ROUTES if _outsider(decided(r[1]))], ids=_id)
def test_role_routes_refuse_other_roles(client, persona, route):
    outsider = _outsider(decided(route[1]))
    persona(outsider)
    url = "/" + route[0]
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    assert response.status_code == 403, f"{url} answered {response.status_code} to {outsider}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in APA_ROUTES if decided(r[1]) == PUBLIC and not r[4]], ids=_id)
def test_public_routes_need_no_sign_in(client, route):
    response = client.get("/" + route[0])
    assert response.status_code < 500
    assert not (response.status_code == 302 and response["Location"].startswith(SIGN_IN))


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/", "/admin/accounts/user/", "/admin/authorities/authority/"])
def test_admin_is_admin_only(client, persona, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    for name in ("inspector", "kent_officer"):
        persona(name)
        response = client.get(url)
        assert response.status_code in (302, 403) and response.status_code != 200
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/")
    persona("admin")
    assert client.get(url).status_code == 200


def test_decided_reads_functions_and_class_based_views():
    from apa.accounts import views as accounts
    from apa.publication import views

    assert decided(views.home) == PUBLIC
    assert decided(accounts.SignIn.as_view()) == PUBLIC
    assert decided(accounts.account) == (SIGNED_IN,)
    assert decided(lambda request: None) is None
