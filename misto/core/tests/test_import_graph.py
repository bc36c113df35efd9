"""The shape of the import graph: no cycles in ``misto/``, and events files that are leaves.

Every import counts, also those inside functions: an import hidden in a function is a cycle
waiting for the day someone moves it to the top of the file (issue 16 asks for exactly that).
The graph is read statically by grimp (the library under import-linter), so these tests
import nothing of Misto but ``misto.core.modules`` (which imports nothing itself).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import grimp

from misto.core.modules import ALWAYS_ON, available_optional_modules

# Cycles that exist on purpose for now, each with the work that removes it. The test fails
# when one of them disappears too, so this list cannot outlive its reason.
KNOWN_CYCLES: set[frozenset[str]] = set()


@cache
def import_graph() -> grimp.ImportGraph:
    return grimp.build_graph("misto", cache_dir=None)


def strongly_connected(graph: grimp.ImportGraph) -> list[frozenset[str]]:
    """The import cycles: groups of two or more modules that all reach each other (Tarjan)."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(module: str) -> None:
        index[module] = lowlink[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                lowlink[module] = min(lowlink[module], lowlink[imported])
            elif imported in on_stack:
                lowlink[module] = min(lowlink[module], index[imported])
        if lowlink[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(frozenset(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_strongly_connected_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "b", "c", "d"):
        graph.add_module(module)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="c")
    graph.add_import(importer="c", imported="a")
    graph.add_import(importer="c", imported="d")
    assert strongly_connected(graph) == [frozenset({"a", "b", "c"})]


def test_no_import_cycle_in_misto() -> None:
    cycles = set(strongly_connected(import_graph()))
    assert cycles - KNOWN_CYCLES == set(), "new import cycles"
    assert KNOWN_CYCLES - cycles == set(), "cycles gone: remove them from KNOWN_CYCLES"


def test_a_modules_events_file_is_its_published_contract_only() -> None:
    """``events.py`` imports nothing of Misto but the event base class; reactions to other
    modules' events live in ``handlers.py``."""
    graph = import_graph()
    # The core's events file is the bottom of the event layers (the import-linter contract in
    # pyproject.toml keeps the layers above it in order).
    assert graph.find_modules_directly_imported_by("misto.core.events") == set()
    events_files = sorted(
        module for module in graph.modules
        if module.endswith(".events") and module != "misto.core.events"
    )
    assert "misto.situation.events" in events_files
    for events_file in events_files:
        imported = {module for module in graph.find_modules_directly_imported_by(events_file)
                    if module.startswith("misto.")}
        assert imported <= {"misto.core.events"}, events_file


def test_the_layers_contract_names_every_module() -> None:
    """A new module joins the import-linter contract (pyproject.toml) the day it is added,
    so that the rule "optional modules stay independent" covers it too."""
    pyproject = Path(__file__).resolve().parents[3] / "pyproject.toml"
    contracts = tomllib.loads(pyproject.read_text())["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers"
                  and "misto.core" in c["layers"])
    optional, always_on, core = ([name.strip() for name in layer.replace(":", "|").split("|")]
                                 for layer in layers)
    assert sorted(optional) == sorted(available_optional_modules())
    assert sorted(always_on) == sorted(app for app in ALWAYS_ON if app != "misto.core")
    assert core == ["misto.core"]
