"""Sizes of the production code: modules in lines, functions in lines."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.architecture.imports import modules

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def production_files() -> Iterator[tuple[str, Path]]:
    for name, path in modules().items():
        if ".migrations.versions." not in name:
            yield name, path


def function_lengths(path: Path) -> Iterator[tuple[str, int]]:
    """(name, lines) of every function over the limit in ``path``, decorators and
    docstring included."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            length = (node.end_lineno or node.lineno) - start + 1
            if length > MAX_FUNCTION_LINES:
                yield node.name, length


def long_functions() -> Iterator[tuple[str, int]]:
    for name, path in production_files():
        for function, length in function_lengths(path):
            yield f"{name}.{function}", length
