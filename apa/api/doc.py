"""docs/api.md, generated from the OpenAPI document: `python -m apa.api.doc > docs/api.md` (a test keeps it
current)."""

HEADER = """# The public JSON API

<!-- Generated from the OpenAPI document by `python -m apa.api.doc > docs/api.md`; do not edit by hand. -->

{description}

The machine-readable description is [`/api/v1/openapi.json`](/api/v1/openapi.json) (OpenAPI {openapi}).

## Conventions

- **Read-only and public.** Only `GET` is answered (any other method: `405`), nobody signs in, and the answer is
  the same for everyone: a result, letter or decision is here only once it is public, exactly as on the site's
  pages (`results_visible`, `versions_visible`; published decisions only). `as_of` narrows what is counted to
  what had been published by that date; it never shows anything earlier than it is public.
- **Lists** are paged: `limit` (1–500, default 100) and `offset` (default 0). The answer is
  `{{"count", "next", "previous", "items"}}`, where `next` and `previous` are absolute URLs, or `null` at the ends.
- **Errors** are `{{"code": ..., "message": ...}}`: the code is stable, for programs; the message is a sentence
  for people.

| status | code | when |
|---|---|---|
| 400 | `invalid`, `ambiguous` | a well-formed request the rules refuse: an area the framework lacks, a year for a framework without years, a name two authorities share |
| 404 | `not_found` | nothing published there (an unknown code, a result under embargo), or no such route |
| 405 | `method_not_allowed` | a method other than GET |
| 422 | `invalid` | a malformed parameter: not a date (`YYYY-MM-DD`), out of range, not a DfE code |

- **CORS**: any origin may `GET` anything under `/api/`.
- Dates are `YYYY-MM-DD`; moments are ISO 8601 with their offset from UTC. `null` means not known or not given.
- Indicator codes are LAIT's exactly as published and may hold `/`, `%`, `,` or spaces: URL-encode them.

## Examples

- Kent among its statistical neighbours on ILACS, as `apa compare` and `/compare/` answer it:
  `GET /api/v1/comparisons?framework=ilacs-2018&authority=886&group=neighbours`
- Kent's benchmark on an indicator, as `apa benchmark A3A --authority 886 --format json` answers it:
  `GET /api/v1/indicators/A3A/benchmark?authority=886`
- Every published ILACS result, a page at a time: `GET /api/v1/results?framework=ilacs-2018&limit=500`, then
  each `next` until it is `null`.

## Operations

| method | path | what |
|---|---|---|
{operations}
"""


def _type(schema: dict) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in schema:
        kinds = [_type(s) for s in schema["anyOf"]]
        return " or ".join(k for k in kinds if k != "null") + (" or null" if "null" in kinds else "")
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if schema.get("format"):
        return f"{kind} ({schema['format']})"
    return kind


def _constraints(schema: dict) -> str:
    parts = []
    for s in [schema, *schema.get("anyOf", [])]:
        if "minimum" in s or "maximum" in s:
            parts.append(f"{s.get('minimum', '')}–{s.get('maximum', '')}")
        if "pattern" in s:
            parts.append(f"pattern `{s['pattern']}`")
        if "maxLength" in s:
            parts.append(f"at most {s['maxLength']} characters")
    if "default" in schema and schema["default"] not in (None, ""):
        parts.append(f"default `{schema['default']}`")
    return "; ".join(parts)


def _cell(text: str) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _anchor(method: str, path: str) -> str:
    return "".join(c for c in f"{method} {path}".lower().replace(" ", "-") if c.isalnum() or c in "-_")


def reference() -> str:
    from apa.api.api import api

    spec = api.get_openapi_schema()
    operations, sections = [], []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            title = f"{method.upper()} {path}"
            operations.append(f"| {method.upper()} | [`{path}`](#{_anchor(method, path)}) | {_cell(op.get('summary', ''))} |")
            lines = [f"### {title}", "", op.get("description", op.get("summary", "")).strip(), ""]
            params = op.get("parameters", [])
            if params:
                lines += ["| parameter | in | type | required | notes |", "|---|---|---|---|---|"]
                for p in params:
                    said = p.get("description") or p["schema"].get("description", "")
                    notes = "; ".join(x for x in (_cell(said), _constraints(p["schema"])) if x)
                    lines.append(f"| `{p['name']}` | {p['in']} | {_type(p['schema'])} | "
                                 f"{'yes' if p.get('required') else 'no'} | {notes} |")
                lines.append("")
            answers = []
            for status, response in op["responses"].items():
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                answers.append(f"`{status}` {_type(schema) if schema else ''}".strip())
            lines += ["Answers: " + ", ".join(answers) + ".", ""]
            sections.append("\n".join(lines))
    schemas = []
    for name, schema in sorted(spec["components"]["schemas"].items()):
        lines = [f"### {name}", ""]
        if schema.get("description"):
            lines += [_cell(schema["description"]), ""]
        lines += ["| field | type | notes |", "|---|---|---|"]
        required = set(schema.get("required", []))
        for field, prop in schema.get("properties", {}).items():
            notes = "; ".join(x for x in (_cell(prop.get("description", "")), _constraints(prop),
                                          "" if field in required else "may be absent") if x)
            lines.append(f"| `{field}` | {_type(prop)} | {notes} |")
        schemas.append("\n".join(lines) + "\n")
    header = HEADER.format(description=spec["info"].get("description", "").strip(), openapi=spec["openapi"],
                           operations="\n".join(operations))
    return header + "\n" + "\n".join(sections) + "\n## Schemas\n\n" + "\n".join(schemas)


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apa.settings")
    django.setup()
    print(reference(), end="")
