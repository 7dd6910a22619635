"""The architecture the README describes, checked on the source: short functions in app code.

App boundaries are checked by import-linter (`lint-imports`, contracts in pyproject.toml) and
complexity and imports inside functions by ruff (C901, PLC0415); this covers what neither does.
"""

import ast
from pathlib import Path

from django.conf import settings

APPS = (
    "rvuedge",
    "accounts",
    "ncci",
    "codes",
    "tracking",
    "contracts",
    "statements",
    "blog",
    "support",
    "resources",
    "benchmarks",
)
MAX_LINES = 60
REASON = "# Long:"  # a comment inside the function that says why it is one piece


def app_functions():
    root = Path(settings.BASE_DIR)
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            source = path.read_text()
            lines = source.splitlines()
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    body = lines[node.lineno - 1 : node.end_lineno]
                    yield path.relative_to(root), node, body


def test_no_function_in_app_code_is_over_60_lines_without_a_reason():
    long = [
        f"{path}:{node.lineno} {node.name} ({len(body)} lines)"
        for path, node, body in app_functions()
        if len(body) > MAX_LINES and not any(line.strip().startswith(REASON) for line in body)
    ]

    assert long == []


def test_the_check_sees_the_apps():
    names = {node.name for _, node, _ in app_functions()}

    assert {"release_import", "credit_encounter", "code_page"} <= names
