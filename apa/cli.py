"""`apa`: the one command line for every job a person or a scheduler runs.

Each command calls the same services and selectors as the pages. Problems are printed one per line and
the exit code is 2; nothing is ever printed as a traceback.
"""

import argparse
import importlib
import os
import sys

# Each app's commands module adds its commands with register(subparsers). `apa init` migrates the database,
# then calls each module's initialise(args), if it has one, in this order (the apps' layers, bottom up), after
# letting it add options with init_arguments(parser).
COMMAND_MODULES = [
    "apa.ui.commands",
    "apa.frameworks.commands",
    "apa.authorities.commands",
    "apa.accounts.commands",
    "apa.publication.commands",
    "apa.indicators.commands",
    "apa.assessments.commands",
    "apa.councils.commands",
    "apa.plans.commands",
    "apa.opendata.commands",
    "apa.jobs.commands",
    "apa.ops.commands",
]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # exit 2 with one readable line, as for every other problem; no usage dump
        print(f"error: {self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="apa",
        description="APA: the Annual Performance Assessment of children's services.",
        epilog="Settings come from the environment: DATABASE_URL (default: SQLite file apa.sqlite3), DEBUG, SECRET_KEY, "
               "ALLOWED_HOSTS and the others in docs/deploy.md (Settings).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    modules = [importlib.import_module(name) for name in COMMAND_MODULES]
    init = commands.add_parser("init", help="create or migrate the database and load reference data and results")
    for module in modules:
        if hasattr(module, "init_arguments"):
            module.init_arguments(init)
    init.set_defaults(handler=lambda args: _init(modules, args))
    for module in modules:
        module.register(commands)
    return parser


def _init(modules, args) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    print("database: migrated")
    for module in modules:
        if hasattr(module, "initialise"):
            module.initialise(args)
    return 0


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apa.settings")
    parser = build_parser()
    args = parser.parse_args(argv)
    from apa.errors import ApaError

    try:
        import django

        django.setup()
        result = args.handler(args)
    except ApaError as exc:
        for line in exc.lines:
            print(f"error: {line}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader (e.g. `head`) stopped early
        return 0
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a last resort: one readable line, never a traceback
        from django.db import DatabaseError

        if isinstance(exc, DatabaseError):
            print(f"error: the database refused: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
            print("error: check DATABASE_URL, then run `apa init`", file=sys.stderr)
        else:
            print(f"error: unexpected failure ({type(exc).__name__}): {exc}", file=sys.stderr)
        return 1
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
