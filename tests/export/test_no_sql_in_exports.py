"""Exports read the project through store functions only: the store is the one place SQL lives, so
a rule (the chosen take, the money a shot cost, what a take was made from) is written once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "director"
FILES = sorted((ROOT / "export").glob("*.py")) + [ROOT / "commands" / "export.py"]
# The statements as this codebase writes them (upper case): prose in docstrings does not match.
SQL = re.compile(r"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT INTO\b|\bUPDATE \w+ SET\b|\bDELETE FROM\b")


def sql_in(path: Path) -> list[str]:
    """SQL strings, raw row helpers and database handles a file uses, with their line numbers."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            found.append(f"line {node.lineno}: SQL {node.value.strip()[:40]!r}")
        if isinstance(node, ast.ImportFrom) and node.module == "director.store.rows":
            found.append(f"line {node.lineno}: imports director.store.rows")
        if isinstance(node, ast.Attribute) and node.attr == "db":
            found.append(f"line {node.lineno}: reads .db")
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sql_outside_the_store(path):
    assert sql_in(path) == [], f"{path.relative_to(ROOT)} speaks SQL; move it into a director/store function"
