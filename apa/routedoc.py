"""The tables of docs/permissions.md: the permissions, generated from the rules, and the routes, from the URL
patterns' access decisions."""

import re


def _walk(resolver, prefix=""):
    from django.urls import URLPattern, URLResolver

    from apa.ui.access import PUBLIC, SIGNED_IN, decided

    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                yield "/admin/…", "admin accounts only (Django admin)", "admin"
                continue
            yield from _walk(pattern, text)
        elif isinstance(pattern, URLPattern):
            decision = decided(pattern.callback)
            if decision == PUBLIC:
                who = "public"
            elif decision == (SIGNED_IN,):
                who = "any signed-in account"
            elif isinstance(decision, tuple):
                who = ", ".join(r.replace("_", " ") for r in decision)
            else:
                who = "UNDECIDED"
            yield "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text), who, pattern.name or ""


def route_table() -> str:
    from django.urls import get_resolver

    lines = ["| route | name | who may open it |", "|---|---|---|"]
    for route, who, name in sorted(set(_walk(get_resolver("apa.urls")))):
        lines.append(f"| `{route}` | {name} | {who} |")
    return "\n".join(lines)


def permission_table() -> str:
    from apa.accounts.permissions import PERMISSIONS

    lines = ["| permission | may | who | rule |", "|---|---|---|---|"]
    for p in PERMISSIONS:
        lines.append(f"| `{p.name}` | {p.does} | {p.who} | `{p.predicate.name}` |")
    return "\n".join(lines)


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apa.settings")
    django.setup()
    print(permission_table())
    print()
    print(route_table())
