"""The house keeps its shape: four layers, each importing only from itself or below,
no circle of imports between modules, and no module or function grown too long.

config/ (the ground) < posts/ (store and media) < scheduler/ (the engine) < costanza/
(the face: command line, services, demo). ARCHITECTURE.md describes them; this test keeps
that description true. Imports inside functions count too: a lazy import up a layer is
still a dependency up a layer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture.imports import LAYERS, ROOT, imports, layer, modules
from tests.architecture.sizes import (
    MAX_MODULE_LINES,
    long_functions,
    production_files,
)

KNOWN = modules()


def _graph() -> dict[str, set[str]]:
    return {name: {target for target, _, _ in imports(path, name, KNOWN)}
            for name, path in KNOWN.items()}


def test_the_probe_sees_the_whole_house() -> None:
    # A probe that found no modules, or no imports, would pass every check below.
    assert {name.split(".")[0] for name in KNOWN} == set(LAYERS)
    assert len(KNOWN) > 100
    assert "posts.store" in _graph()["posts.queue"]


def test_no_import_runs_up_a_layer() -> None:
    upward = [f"{name} (line {line}) imports {target}"
              for name, path in KNOWN.items()
              for target, line, _ in imports(path, name, KNOWN)
              if layer(target) > layer(name)]
    assert upward == [], "\n".join(upward)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_circle_of_imports() -> None:
    cycles = _cycles(_graph())
    assert cycles == [], "\n".join(" <-> ".join(c) for c in cycles)


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines())


def test_no_module_over_the_limit() -> None:
    over = {name: _lines(path) for name, path in production_files()
            if _lines(path) > MAX_MODULE_LINES}
    assert over == {}


def test_no_function_over_the_limit() -> None:
    assert dict(long_functions()) == {}


def test_the_size_checks_see_long_code(tmp_path: Path) -> None:
    from tests.architecture.sizes import MAX_FUNCTION_LINES, function_lengths

    source = tmp_path / "long.py"
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    source.write_text(f"def short():\n    return 1\n\n\ndef long():\n{body}\n")
    assert dict(function_lengths(source)) == {"long": MAX_FUNCTION_LINES + 1}


@pytest.mark.parametrize("folder", LAYERS)
def test_architecture_md_describes_every_folder(folder: str) -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text()
    assert f"`{folder}/`" in text
    # every package of the layer is named in it
    for package in sorted(p.parent for p in (ROOT / folder).glob("*/__init__.py")):
        rel = package.relative_to(ROOT).as_posix()
        if "migrations" not in rel:
            assert f"{rel}/" in text, f"ARCHITECTURE.md does not describe {rel}/"


def test_architecture_md_names_only_modules_that_exist() -> None:
    import re

    text = (ROOT / "ARCHITECTURE.md").read_text()
    named = set(re.findall(r"`((?:config|posts|scheduler|costanza)/[\w/]+\.py)`", text))
    assert named, "the journey of a post names no module"
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert missing == []


def test_no_module_takes_another_modules_private_names() -> None:
    import ast

    taken = []
    for name, path in KNOWN.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module in KNOWN:
                taken += [f"{name} takes {node.module}.{a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")
                          and a.name not in GETTEXT_NAMES]
    assert taken == [], "\n".join(taken)


# gettext's conventional names are public, whatever their underscore says.
GETTEXT_NAMES = {"_"}


def test_one_list_of_networks() -> None:
    from costanza.cli.log import NETWORK_CHOICE
    from posts.networks import NETWORKS
    from scheduler.publishers.registry import NETWORKS as PUBLISHED

    assert PUBLISHED is NETWORKS
    assert tuple(NETWORK_CHOICE.choices) == NETWORKS
