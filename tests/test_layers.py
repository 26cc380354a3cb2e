"""The layout is a contract: the apps' layers (pyproject.toml's import-linter contracts, explained in
docs/design.md) and no import cycle between the modules of one app."""

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

APPS = ["accounts", "api", "assessments", "authorities", "councils", "frameworks", "indicators", "opendata", "plans", "publication", "ui"]


def test_the_layers_contract_is_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "broken" not in done.stdout.lower().replace("0 broken", "")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("apa", cache_dir=None)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each a cycle of imports."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(edges):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("app", APPS)
def test_no_import_cycle_between_the_modules_of_an_app(graph, app):
    package = f"apa.{app}"

    def top(module: str) -> str | None:
        if module != package and not module.startswith(package + "."):
            return None
        parts = module.split(".")
        return ".".join(parts[:3]) if len(parts) > 2 else None

    edges: dict[str, set[str]] = {}
    for module in graph.find_descendants(package):
        source = top(module)
        if source is None or source.endswith(".migrations"):
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            target = top(imported)
            if target and target != source:
                edges.setdefault(source, set()).add(target)
    assert _cycles(edges) == []
