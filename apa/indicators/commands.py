"""Indicator commands: `apa indicators ...` (import, list, show, areas, history, flags) and `apa benchmark`.

Each calls the services and selectors the pages call. Problems are ApaError lines; warnings go to standard
error as `warning: ...` lines and never change the exit code.

A command that changes indicator data or reads flags needs `--as`, the account acting, and is refused (exit 2)
without the permission the page checks: `import` and `areas` indicators.import_values (admins; `areas` is the
catalogue editor, and the public sees the same outcomes with `list` and `show`), `flags` indicators.view_flags.
The catalogue, values, history and benchmarks are public and take no --as. Only `apa init` (`initialise`, a
system job) imports without a person.
"""

import json
import sys
from pathlib import Path

from apa.tabular import write_csv


def register(commands) -> None:
    indicators = commands.add_parser(
        "indicators", help="import indicator data, list the catalogue, edit judgement areas, see history"
    ).add_subparsers(dest="indicators_command", metavar="ACTION", required=True)

    p = indicators.add_parser(
        "import", help="import indicator values wholly or not at all (LAIT, EES tidy CSV, plain CSV/XLSX)",
        description="Import indicator values. Any problem: exit 2, one line per problem, nothing written. "
        "Re-importing the same file changes nothing; changed values are replaced and their history kept.",
    )
    p.add_argument("path", type=Path, help="the file: .parquet or .csv (LAIT long format), .csv (EES), .csv/.xlsx")
    p.add_argument("--format", choices=["lait", "ees", "plain"],
                   help="the file's layout (default: recognised from its columns)")
    p.add_argument("--dictionary", type=Path,
                   help="LAIT data dictionary CSV (default: lait_data_dictionary.csv beside the file, if there)")
    p.add_argument("--mapping", type=Path,
                   help="TOML file defining indicators and, for EES, which measure and filters make each one")
    p.add_argument("--measure", action="append", default=[], metavar="COLUMN=CODE",
                   help="EES: the measure column COLUMN becomes indicator CODE (repeatable)")
    p.add_argument("--filter", action="append", default=[], metavar="COLUMN=VALUE",
                   help="EES: keep only rows whose filter COLUMN is VALUE (repeatable; applies to every --measure)")
    _as_argument(p, "the account doing the import (an admin)")
    p.add_argument("--dry-run", action="store_true", help="check the file and say what would change; write nothing")
    p.add_argument("--progress", action="store_true", default=None,
                   help="show the progress bar even when standard error is not a terminal (shown on one by default)")
    p.set_defaults(handler=cmd_import)

    p = indicators.add_parser("list", help="list the indicator catalogue")
    p.add_argument("--topic", default="")
    p.add_argument("--outcome", default="", help="an outcome code such as staying_safe")
    p.add_argument("--query", default="", help="words in the code or title")
    p.add_argument("--format", default="text", choices=["text", "csv", "json"])
    p.set_defaults(handler=cmd_list)

    p = indicators.add_parser("show", help="show an indicator: definition, judgement areas and periods")
    p.add_argument("code", help="the indicator's code exactly, e.g. 'KS1W_Expected _STD' (quote it)")
    p.add_argument("--format", default="text", choices=["text", "json"])
    p.set_defaults(handler=cmd_show)

    p = indicators.add_parser(
        "areas", help="edit the judgement areas (outcomes) each indicator informs (admins)",
        description="Without CODE: every indicator and its outcomes, as CSV. With CODE: show, or change with "
        "--set/--add/--remove, or go back to the default from its topics with --reset. Edited indicators keep "
        "their outcomes when data are imported again. An admin's tool: `apa indicators list` and `show` give "
        "everyone the outcomes.",
    )
    p.add_argument("code", nargs="?")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--set", help="comma-separated outcome codes (empty to inform none)")
    group.add_argument("--add", help="an outcome code to add")
    group.add_argument("--remove", help="an outcome code to remove")
    group.add_argument("--reset", action="store_true", help="back to the default for the indicator's topics")
    _as_argument(p, "the account editing (an admin)")
    p.set_defaults(handler=cmd_areas)

    p = indicators.add_parser("history", help="imports, and the values they changed")
    p.add_argument("--indicator")
    p.add_argument("--authority", help="DfE code, ONS code or name")
    p.add_argument("--period", help="the period label as published")
    p.add_argument("--imports", action="store_true", help="list the imports instead of the changed values")
    p.add_argument("--limit", type=int, default=200)
    p.set_defaults(handler=cmd_history)

    p = indicators.add_parser(
        "evidence", help="an authority's indicator strengths and concerns, by outcome (for judgements)",
        description="Strength: band A and not worse than the previous period. Concern: band D, or down a band "
        "since the previous period, or worse in each of the last three periods.",
    )
    p.add_argument("--authority", required=True, help="DfE code, ONS code or name")
    p.add_argument("--period", help="a period label, or a year: the latest period ending in or before it "
                   "(default: each indicator's latest)")
    p.add_argument("--format", default="text", choices=["text", "json"])
    p.set_defaults(handler=cmd_evidence)

    p = indicators.add_parser("flags", help="values authority officers have flagged as wrong")
    p.add_argument("--authority", help="DfE code, ONS code or name")
    p.add_argument("--status", default="open", choices=["open", "resolved", "withdrawn", "all"])
    _as_argument(p, "the account reading them (an officer sees its own authority's only)")
    p.set_defaults(handler=cmd_flags)

    p = commands.add_parser(
        "benchmark", help="benchmark an indicator for an authority, or write the whole benchmark table",
        description="One authority: apa benchmark INDICATOR --authority A [--period P] --format json. "
        "Everything: apa benchmark --all [--indicator I] [--period P] --format csv. The method is in "
        "docs/indicators.md.",
    )
    p.add_argument("indicator", nargs="?", help="the indicator's code (quote codes with spaces or symbols)")
    p.add_argument("--authority", help="DfE code, ONS code or name")
    p.add_argument("--period", help="the period label as published (default: the latest with values)")
    p.add_argument("--all", action="store_true", help="every indicator, period and authority (or those named)")
    p.add_argument("--indicator", dest="indicator_named", metavar="INDICATOR", help="with --all: one indicator")
    p.add_argument("--neighbour-set", type=int, help="statistical neighbour set year (default: the latest)")
    p.add_argument("--format", default=None, choices=["json", "csv", "text"])
    p.add_argument("--output", type=Path, help="write to this file instead of standard output")
    p.set_defaults(handler=cmd_benchmark)


def _as_argument(parser, text: str) -> None:
    parser.add_argument("--as", dest="as_user", required=True, metavar="USERNAME", help=text)


def _account(args, permission: str):
    """The account named by --as, refused unless it holds the permission (checked again by the service; first
    here, so that a refused person waits for nothing and learns nothing of a file or an indicator)."""
    from apa.accounts.permissions import require
    from apa.accounts.services import user_for_cli

    user = user_for_cli(username=args.as_user)
    require(permission, user)
    return user


def _warn(lines) -> None:
    for line in lines:
        print(f"warning: {line}", file=sys.stderr)


def init_indicators() -> None:
    """Called by `apa init`: load the shipped LAIT set once, and say so in one line."""
    from apa.indicators.selectors import indicators_counts
    from apa.indicators.services import lait_shipped_load

    summary = lait_shipped_load(progress=None)
    counts = indicators_counts()
    if summary is None:
        print(f"indicators: LAIT set already loaded ({counts['indicators']} indicators, "
              f"{counts['periods']:,} periods, {counts['values']:,} values)")
    else:
        print(f"indicators: LAIT {summary}")


def cmd_import(args) -> int:
    from apa.indicators.files import indicator_file_read
    from apa.indicators.services import indicator_values_import

    actor = _account(args, "indicators.import_values")
    reading = indicator_file_read(path=args.path, fmt=args.format, dictionary=args.dictionary, mapping=args.mapping,
                                  measures=args.measure, filters=args.filter)
    summary = indicator_values_import(reading=reading, actor=actor, progress=args.progress, dry_run=args.dry_run)
    _warn(summary.warnings)
    print(("would import " if args.dry_run else "imported ") + str(summary))
    return 0


def cmd_list(args) -> int:
    from apa.indicators.selectors import indicator_list

    items = indicator_list(topic=args.topic, outcome=args.outcome, query=args.query)
    rows = [{"code": i.code, "title": i.title, "topics": [t.name for t in i.topics.all()],
             "outcomes": [o.outcome for o in i.outcomes.all()], "polarity": i.polarity, "unit": i.unit,
             "year_type": i.year_type} for i in items]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    elif args.format == "csv":
        write_csv(sys.stdout, ([r["code"], r["title"], "; ".join(r["topics"]), "; ".join(r["outcomes"]),
                                r["polarity"], r["unit"], r["year_type"]] for r in rows),
                  header=["code", "title", "topics", "outcomes", "polarity", "unit", "year_type"])
    else:
        for r in rows:
            print(f"{r['code']}\t{r['title']} [{', '.join(r['topics'])}]")
        print(f"{len(rows)} indicators")
    return 0


def cmd_show(args) -> int:
    from apa.indicators.selectors import indicator_get, indicator_periods

    indicator = indicator_get(code=args.code)
    periods = indicator_periods(indicator=indicator)
    data = {
        "code": indicator.code, "title": indicator.title, "topics": [t.name for t in indicator.topics.all()],
        "outcomes": [o.outcome for o in indicator.outcomes.all()], "outcomes_edited": indicator.outcomes_edited,
        "polarity": indicator.polarity, "unit": indicator.unit, "decimal_places": indicator.decimal_places,
        "year_type": indicator.year_type, "quartile_bands": indicator.banded, "source": indicator.source,
        "description": indicator.description,
        "periods": [{"label": p.label, "status": p.status or None} for p in periods],
    }
    if args.format == "json":
        print(json.dumps(data, indent=2))
    else:
        for key, value in data.items():
            if key == "periods":
                value = ", ".join(p["label"] for p in value)
            elif isinstance(value, list):
                value = ", ".join(value)
            print(f"{key}: {'' if value is None else value}")
    return 0


def cmd_areas(args) -> int:
    from apa.errors import ApaError, Problem
    from apa.indicators.selectors import indicator_get, indicator_list
    from apa.indicators.services import indicator_outcomes_set

    actor = _account(args, "indicators.import_values")
    if not args.code:
        if args.set is not None or args.add or args.remove or args.reset:
            raise ApaError(Problem("name the indicator whose judgement areas you are changing"))
        write_csv(sys.stdout, ([i.code, i.title, "; ".join(o.outcome for o in i.outcomes.all()),
                                "yes" if i.outcomes_edited else ""] for i in indicator_list()),
                  header=["code", "title", "outcomes", "edited"])
        return 0
    indicator = indicator_get(code=args.code)
    current = [o.outcome for o in indicator.outcomes.all()]
    if args.set is not None:
        current = indicator_outcomes_set(indicator=indicator, actor=actor,
                                         outcomes=[o.strip() for o in args.set.split(",") if o.strip()])
    elif args.add:
        current = indicator_outcomes_set(indicator=indicator, outcomes=current + [args.add.strip()], actor=actor)
    elif args.remove:
        if args.remove.strip() not in current:
            raise ApaError(Problem(f"{indicator.code} does not inform {args.remove.strip()}"))
        current = indicator_outcomes_set(indicator=indicator, actor=actor,
                                         outcomes=[o for o in current if o != args.remove.strip()])
    elif args.reset:
        current = indicator_outcomes_set(indicator=indicator, outcomes=None, actor=actor)
    print(f"{indicator.code}: {', '.join(current) or 'no outcome'}")
    return 0


def cmd_history(args) -> int:
    from apa.authorities.selectors import authority_resolve
    from apa.indicators.selectors import import_list, indicator_get, value_changes, value_text

    if args.imports:
        write_csv(sys.stdout, ([item.pk, item.imported_at.isoformat(timespec="seconds"), item.source, item.format,
                                item.actor, item.rows, item.created, item.changed, item.unchanged]
                               for item in import_list()[: args.limit]),
                  header=["import", "imported_at", "source", "format", "actor", "rows", "new", "changed",
                          "unchanged"])
        return 0
    indicator = indicator_get(code=args.indicator) if args.indicator else None
    authority = authority_resolve(text=args.authority) if args.authority else None
    changes = value_changes(indicator=indicator, authority=authority, period=args.period, limit=args.limit)
    write_csv(sys.stdout, ([c.source_id, c.source.imported_at.isoformat(timespec="seconds"), c.source.source,
                            c.period.indicator.code, c.period.label, c.authority.dfe_code if c.authority else c.area,
                            value_text(c.old_value, c.old_missing), value_text(c.new_value, c.new_missing)]
                           for c in changes),
              header=["import", "imported_at", "source", "indicator", "period", "area", "old_value", "new_value"])
    return 0


def cmd_evidence(args) -> int:
    from apa.authorities.selectors import authority_resolve
    from apa.indicators.evidence import indicator_evidence

    authority = authority_resolve(text=args.authority)
    found = indicator_evidence(authority=authority, period=args.period)
    if args.format == "json":
        print(json.dumps({"authority": authority.dfe_code, "period": args.period, "outcomes": {
            code: {"title": g["title"], "strengths": [i.as_dict() for i in g["strengths"]],
                   "concerns": [i.as_dict() for i in g["concerns"]]} for code, g in found.items()}}, indent=2))
        return 0
    for code, group in found.items():
        print(f"{group['title']} ({code}): {len(group['strengths'])} strengths, {len(group['concerns'])} concerns")
        for kind in ("strengths", "concerns"):
            for item in group[kind]:
                print(f"  {kind[:-1]}: {item.indicator.code} {item.period}: {'; '.join(item.reasons)}")
    return 0


def cmd_flags(args) -> int:
    from apa.authorities.selectors import authority_resolve
    from apa.indicators.selectors import flags_for_user, value_text

    user = _account(args, "indicators.view_flags")
    authority = authority_resolve(text=args.authority) if args.authority else None
    flags = flags_for_user(user=user, authority=authority, status=None if args.status == "all" else args.status)
    write_csv(sys.stdout, ([f.pk, f.status, f.raised_at.isoformat(timespec="seconds"), f.raised_by.username,
                            f.value.authority.dfe_code, f.value.period.indicator.code, f.value.period.label,
                            value_text(f.value.value, f.value.missing), f.comment, f.response] for f in flags),
              header=["flag", "status", "raised_at", "raised_by", "authority", "indicator", "period", "value",
                      "comment", "response"])
    return 0


def cmd_benchmark(args) -> int:
    from apa.errors import ApaError, Problem

    if args.all:
        return _benchmark_all(args)
    if not args.indicator or not args.authority:
        raise ApaError(Problem("name an indicator and --authority, or use --all"))
    from apa.authorities.selectors import authority_resolve
    from apa.indicators.benchmark import benchmark_for
    from apa.indicators.selectors import indicator_get

    indicator = indicator_get(code=args.indicator)
    authority = authority_resolve(text=args.authority)
    result = benchmark_for(indicator=indicator, authority=authority, period=args.period,
                           neighbour_set=args.neighbour_set)
    out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        if (args.format or "json") == "json":
            out.write(json.dumps(result, indent=2) + "\n")
        else:
            for key, value in result.items():
                if key != "trend":
                    out.write(f"{key}: {'' if value is None else value}\n")
    finally:
        if args.output:
            out.close()
    return 0


def _benchmark_all(args) -> int:
    from apa.errors import ApaError, Problem
    from apa.indicators.benchmark import BENCHMARK_COLUMNS, benchmark_rows
    from apa.indicators.selectors import indicator_get

    if (args.format or "csv") != "csv":
        raise ApaError(Problem("--all writes CSV: use --format csv"))
    if args.authority:
        raise ApaError(Problem("--all covers every authority; drop --authority, or name an indicator without --all"))
    code = args.indicator_named or args.indicator
    indicator = indicator_get(code=code) if code else None
    out = args.output.open("w", encoding="utf-8", newline="") if args.output else sys.stdout
    try:
        write_csv(out, benchmark_rows(indicator=indicator, period=args.period, neighbour_set=args.neighbour_set),
                  header=BENCHMARK_COLUMNS)
    finally:
        if args.output:
            out.close()
    return 0



def init_arguments(parser) -> None:
    parser.add_argument("--skip-indicators", action="store_true", help="do not load the LAIT indicator data")


def initialise(args) -> None:
    """Called by `apa init`."""
    if not args.skip_indicators:
        init_indicators()
