"""Foundation commands: init, serve, users, results, compare, authorities, frameworks."""

import json
import sys
from pathlib import Path

from apa.tabular import date_argument

PUBLICATION_DATA = Path(__file__).resolve().parent / "publication" / "data"
# Published results shipped with APA and loaded by `apa init`, in this order.
SHIPPED_RESULTS = [
    "ofsted_ilacs_history_2018_2025.csv",
    "apa_and_rating_results.csv",
    "seed_papers_results.csv",
]


def register(commands) -> None:
    p = commands.add_parser("init", help="create or migrate the database and load reference data and results")
    p.add_argument("--skip-indicators", action="store_true", help="do not load the LAIT indicator data")
    p.set_defaults(handler=cmd_init)

    p = commands.add_parser("serve", help="run the web server (default 127.0.0.1:8000)")
    p.add_argument("addrport", nargs="?", default="127.0.0.1:8000", metavar="HOST:PORT")
    p.set_defaults(handler=cmd_serve)

    users = commands.add_parser("users", help="add or deactivate accounts").add_subparsers(
        dest="users_command", metavar="ACTION", required=True
    )
    p = users.add_parser("add", help="add an account; password from standard input, or generated and printed once")
    p.add_argument("username")
    p.add_argument("--role", required=True, help="inspector, moderator, publisher, authority_officer, democratic_services or admin")
    p.add_argument("--authority", help="the authority an authority officer works for (DfE code, ONS code or name)")
    p.add_argument("--email", default="")
    p.set_defaults(handler=cmd_users_add)
    p = users.add_parser("deactivate", help="stop an account signing in; its history stays")
    p.add_argument("username")
    p.set_defaults(handler=cmd_users_deactivate)

    results = commands.add_parser("results", help="import published results").add_subparsers(
        dest="results_command", metavar="ACTION", required=True
    )
    p = results.add_parser("import", help="import a results CSV or XLSX (APA layout or Ofsted's ILACS layout)")
    p.add_argument("file", type=Path)
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

    p = commands.add_parser("authority", help="show an authority found by DfE code, ONS code or name")
    p.add_argument("text")
    p.add_argument("--format", default="text", choices=["text", "json"])
    p.set_defaults(handler=cmd_authority)

    p = commands.add_parser("frameworks", help="list the frameworks, their areas and grade scales")
    p.set_defaults(handler=cmd_frameworks)




def cmd_init(args) -> int:
    from django.core.management import call_command

    from apa.authorities.services import authorities_load
    from apa.frameworks.services import frameworks_load
    from apa.publication.services import results_import

    call_command("migrate", interactive=False, verbosity=0)
    print("database: migrated")
    loaded = frameworks_load()
    print(f"frameworks: {', '.join(f'{k} {v}' for k, v in loaded.items())}")
    counts = authorities_load()
    print(f"authorities: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged")
    for name in SHIPPED_RESULTS:
        print(f"results {name}: {results_import(path=PUBLICATION_DATA / name)}")
    if not args.skip_indicators:
        from apa.indicators.commands import init_indicators

        init_indicators()
    return 0


def cmd_serve(args) -> int:
    from django.core.management import call_command

    call_command("runserver", args.addrport, use_reloader=False)
    return 0


def cmd_users_add(args) -> int:
    from apa.accounts.services import user_add

    password = None
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n") or None
    user, generated = user_add(
        username=args.username, role=args.role, authority=args.authority, password=password, email=args.email
    )
    where = f" for {user.authority.name}" if user.authority else ""
    print(f"added {user.username} ({user.get_role_display()}{where})")
    if generated:
        print(f"password (shown once): {generated}")
    return 0


def cmd_users_deactivate(args) -> int:
    from apa.accounts.services import user_deactivate

    user = user_deactivate(username=args.username)
    print(f"deactivated {user.username}")
    return 0


def cmd_results_import(args) -> int:
    from apa.publication.services import results_import

    print(results_import(path=args.file))
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


def cmd_authority(args) -> int:
    from apa.authorities.selectors import authority_detail, authority_resolve, neighbours_of

    authority = authority_detail(dfe_code=authority_resolve(text=args.text).dfe_code)
    data = {
        "dfe_code": authority.dfe_code,
        "name": authority.name,
        "ons_codes": [c.code for c in authority.ons_codes.all()],
        "region": authority.region,
        "london_area": authority.london_area or None,
        "dfe_type": authority.dfe_type or None,
        "start_date": authority.start_date.isoformat() if authority.start_date else None,
        "end_date": authority.end_date.isoformat() if authority.end_date else None,
        "predecessors": [s.predecessor.dfe_code for s in authority.predecessions.all()],
        "successors": [s.successor.dfe_code for s in authority.successions.all()],
        "neighbours": [n.neighbour.dfe_code for n in neighbours_of(authority=authority)],
    }
    if args.format == "json":
        print(json.dumps(data, indent=2))
    else:
        for key, value in data.items():
            print(f"{key}: {', '.join(value) if isinstance(value, list) else value if value is not None else ''}")
    return 0


def cmd_frameworks(args) -> int:
    from apa.frameworks.selectors import framework_list

    for framework in framework_list():
        print(f"{framework.code}: {framework.title} ({framework.years_label})")
        print("  grades: " + "; ".join(f"{g.value} {g.label}" for g in framework.grades.all()))
        for area in framework.areas.all():
            print(f"  {area.code}: {area.title}{'' if area.required else ' (optional)'}")
    return 0


