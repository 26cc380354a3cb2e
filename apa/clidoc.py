"""The command-line reference (docs/cli.md), generated from the parsers' own help so it cannot drift."""

import argparse
import os


def _walk(parser: argparse.ArgumentParser, path: list[str]):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _walk(sub, path + [name])


def reference() -> str:
    os.environ["COLUMNS"] = "100"  # help text wraps at the terminal width; fix it for a stable document
    from apa.cli import build_parser

    lines = ["# `apa` command-line reference", "",
             "Generated from `apa --help` by `.venv/bin/python -m apa.clidoc > docs/cli.md`; a test fails when it is stale.",
             ""]
    for path, parser in _walk(build_parser(), ["apa"]):
        lines += [f"## `{' '.join(path)}`", "", "```", parser.format_help().rstrip(), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(reference(), end="")
