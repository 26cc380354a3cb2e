"""`apa results import` and `apa compare`; `apa init` loads the published results shipped with APA.

Importing changes the one store of published results: it needs `--as`, an account holding
publication.import_results (an admin). Only `apa init` (`initialise`, a system job) imports without a person.
`compare` reads published results only and takes no --as."""

import json
from pathlib import Path

from apa.tabular import date_argument


def register(commands) -> None:
    results = commands.add_parser("results", help="import published results").add_subparsers(
        dest="results_command", metavar="ACTION", required=True
    )
    p = results.add_parser("import", help="import a results CSV or XLSX (APA layout or Ofsted's ILACS layout)")
    p.add_argument("file", type=Path)
    p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME",
                   help="the account doing the import (an admin)")
    p.set_defaults(handler=cmd_results_import)

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
    print(f"{authority.name}: score {comparison.score} ({comparison.score_label}), rank {comparison.rank} of "
          f"{comparison.compared} ({args.group}), {comparison.higher} scoring more highly, quartile {comparison.quartile}")
    return 0
