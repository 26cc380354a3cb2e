"""`apa results import`, `apa results cpa` and `apa compare`; `apa init` loads the published results and CPA
tables shipped with APA.

Importing changes the one store of published results: it needs `--as`, an account holding
publication.import_results (an admin). Only `apa init` (`initialise`, a system job) imports without a person.
`compare`, `results cpa` and `letters build` read published results only and take no --as."""

import json
from pathlib import Path

from apa.tabular import date_argument


def register(commands) -> None:
    results = commands.add_parser("results", help="import published results; the CPA feed").add_subparsers(
        dest="results_command", metavar="ACTION", required=True
    )
    p = results.add_parser("import", help="import a results CSV or XLSX (APA layout or Ofsted's ILACS layout)")
    p.add_argument("file", type=Path)
    p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME",
                   help="the account doing the import (an admin)")
    p.set_defaults(handler=cmd_results_import)

    p = results.add_parser("cpa", help="the CPA feed: each authority's children and young people block score (CSV)",
                           description="Each authority's CPA children and young people block score: its published "
                           "APA overall grade, or a printed CPA table's score where APA has no result. Public data "
                           "only. --disagreements lists where a printed CPA score and APA's own result differ.")
    p.add_argument("--year", type=int, help="one CPA year (default: every year)")
    p.add_argument("--format", default="csv", choices=["csv", "json"])
    p.add_argument("--disagreements", action="store_true",
                   help="list the authorities whose printed CPA score and APA result differ, instead of the feed")
    p.set_defaults(handler=cmd_results_cpa)

    letters = commands.add_parser("letters", help="published letters as files").add_subparsers(
        dest="letters_command", metavar="ACTION", required=True
    )
    p = letters.add_parser(
        "build", help="write the PDF of every published letter of a framework and year, with an index CSV",
        description="Write the PDF of every current published letter of a framework and year (or one authority's) "
        "into a directory, with index.csv (dfe_code, authority, framework, key, version, published, file, sha256). "
        "A public read: it takes no --as and writes only letters that are public now, through the one visibility "
        "rule; nothing under embargo or held back is written. Letters are written in parallel worker processes.")
    p.add_argument("--framework", required=True)
    p.add_argument("--year", type=int, help="the cycle's year (for a framework without years: the inspections' year)")
    p.add_argument("--authority", help="only this authority's letters (DfE code, ONS code or name)")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="the directory to write into (created)")
    p.add_argument("--workers", type=int, metavar="N", help="worker processes (default: one per CPU; 1 writes "
                   "in this process)")
    p.set_defaults(handler=cmd_letters_build)

    p = commands.add_parser("compare", help="rank an authority's score among the authorities published so far")
    p.add_argument("--framework", required=True)
    p.add_argument("--year", type=int)
    p.add_argument("--authority", required=True)
    p.add_argument("--score", help="areas summed, joined by '+' (default: the framework's usual score)")
    p.add_argument("--as-of", type=date_argument, help="count results published on or before this date (default today)")
    p.add_argument("--group", default="all", choices=["all", "region", "type", "neighbours"])
    p.add_argument("--format", default="text", choices=["text", "json"])
    p.set_defaults(handler=cmd_compare)


def initialise(args) -> None:
    """Called by `apa init`."""
    from apa.publication.services import SHIPPED_RESULTS, results_import, shipped_path

    for name in SHIPPED_RESULTS:
        print(f"results {name}: {results_import(path=shipped_path(name), actor=None)}")  # a system job
    from apa.publication.cpa import cpa_tables_load

    print(f"published CPA tables: {cpa_tables_load()}")


def cmd_results_import(args) -> int:
    from apa.accounts.services import user_for_cli
    from apa.publication.services import results_import

    print(results_import(path=args.file, actor=user_for_cli(username=args.as_user)))
    return 0


def cmd_compare(args) -> int:
    from apa.authorities.selectors import authority_resolve
    from apa.frameworks.selectors import framework_get
    from apa.publication.selectors import authorities_compared

    framework = framework_get(code=args.framework)
    authority = authority_resolve(text=args.authority)
    comparison = authorities_compared(
        framework=framework, authority=authority, score=args.score, year=args.year, as_of=args.as_of,
        group=args.group,
    )
    if args.format == "json":
        print(json.dumps(comparison.as_dict(), indent=2))
        return 0
    if comparison.rank is None:
        print(f"{authority.name} has no published {comparison.score_label} score for {framework.code} "
              f"{comparison.year or ''} as of {comparison.as_of}; {comparison.compared} authorities compared.")
        return 0
    quartile = f"quartile {comparison.quartile}" if comparison.quartile else comparison.quartile_reason
    print(f"{authority.name}: score {comparison.score} ({comparison.score_label}), rank {comparison.rank} of "
          f"{comparison.compared} ({args.group}), {comparison.higher} scoring more highly, {quartile}")
    return 0


def cmd_results_cpa(args) -> int:
    import sys

    from apa.publication.cpa import DISAGREEMENT_COLUMNS, FEED_COLUMNS, cpa_disagreements, cpa_feed
    from apa.tabular import write_csv

    if args.disagreements:
        rows, columns = cpa_disagreements(year=args.year), DISAGREEMENT_COLUMNS
    else:
        rows, columns = cpa_feed(year=args.year), FEED_COLUMNS
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    else:
        write_csv(sys.stdout, ([r[c] for c in columns] for r in rows), header=columns)
    return 0


def cmd_letters_build(args) -> int:
    from apa.errors import ApaError, Problem
    from apa.publication.letter_build import letters_build

    if args.workers is not None and args.workers < 1:
        raise ApaError(Problem("--workers must be 1 or more"))
    print(letters_build(framework_code=args.framework, year=args.year, authority=args.authority,
                        directory=args.out, workers=args.workers, progress=None))
    return 0
