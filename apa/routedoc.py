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


def _replace_table(text: str, table: str) -> str:
    """The document with the table that begins with `table`'s header line replaced by `table`."""
    header = table.split("\n", 1)[0]
    lines = text.split("\n")
    start = lines.index(header)
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return "\n".join([*lines[:start], table, *lines[end:]])


def docs_write(path) -> bool:
    """Regenerate both tables in docs/permissions.md; whether anything changed."""
    from pathlib import Path

    path = Path(path)
    before = path.read_text(encoding="utf-8")
    after = _replace_table(_replace_table(before, permission_table()), route_table())
    if after != before:
        path.write_text(after, encoding="utf-8")
    return after != before


if __name__ == "__main__":
    import os
    from pathlib import Path

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apa.settings")
    django.setup()
    docs = Path(__file__).resolve().parents[1] / "docs" / "permissions.md"
    print(f"{docs}: {'updated' if docs_write(docs) else 'already current'}")
