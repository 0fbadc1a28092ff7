"""director/store is the only place that speaks SQL (docs/architecture.md, issue #13 "One truth").

Every string literal in director/ outside director/store (f-strings included) is scanned for SQL
statements, and every module for the raw database handle (`.db`) and the store's row helpers. A
query written in a panel or a command is how the shot list came to disagree with the ledger about
money and with the timeline about which take a shot shows; a failure names file:line so the query
can move into a store function.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DIRECTOR = ROOT / "director"

# Uppercase keywords, as this code base writes SQL, so prose ("Select a take from the list") is not
# mistaken for a query; statements that never read as English are matched in any case.
SQL = [
    re.compile(r"\bSELECT\b[\s\S]*?\bFROM\b"),
    re.compile(r"\bUPDATE\s+\w+\s+SET\b"),
    re.compile(r"\bWHERE\s+\w+(\.\w+)?\s*(=|IN\b|IS\b|>|<|!=)"),
    re.compile(r"\binsert\s+(or\s+\w+\s+)?into\b", re.IGNORECASE),
    re.compile(r"\bdelete\s+from\s+\w+", re.IGNORECASE),
    re.compile(r"\bpragma\s+\w+", re.IGNORECASE),
    re.compile(r"\b(create|drop|alter)\s+(temp\s+)?(table|index|view|trigger)\b", re.IGNORECASE),
]

# PENDING, not exempt: files another engineer is still moving SQL out of (the export side of #13),
# as "path": "why". Each entry must still hold SQL: once a file is clean its entry fails as stale
# and must be deleted, so this list can only shrink. Never add a file here to make a new query
# pass; write a store function instead. (Empty: director/export/* and director/commands/export.py
# read through store functions now.)
PENDING: dict[str, str] = {}


def outside_store() -> list[Path]:
    return sorted(p for p in DIRECTOR.rglob("*.py") if "store" not in p.relative_to(DIRECTOR).parts[:1])


def _docstrings(tree: ast.AST) -> set[int]:
    """Docstrings describe; they do not run. Prose about SQL is allowed there."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def _strings(tree: ast.AST):
    """(line, text) of every string literal but docstrings; an f-string's values read as '?'."""
    skip = _docstrings(tree)
    inner = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            inner |= {id(v) for v in node.values}
            text = "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "?" for v in node.values)
            yield node.lineno, text
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip | inner:
            yield node.lineno, node.value


def sql_hits(path: Path, root: Path = ROOT) -> list[str]:
    """'file:line: the statement's start' for every string literal that holds SQL."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(root)
    hits = []
    for line, text in sorted(_strings(tree)):
        for pattern in SQL:
            m = pattern.search(text)
            if m:
                hits.append(f"{rel}:{line}: {' '.join(m.group(0).split())[:60]!r}")
                break
    return hits


def raw_db_hits(path: Path) -> list[str]:
    """`something.db` (the sqlite-utils handle) and imports of the store's row helpers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(ROOT)
    hits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "db":
            hits.append(f"{rel}:{node.lineno}: .db")
        elif isinstance(node, ast.ImportFrom) and (
            node.module == "director.store.rows" or (node.module == "director.store" and any(a.name == "rows" for a in node.names))
        ):
            hits.append(f"{rel}:{node.lineno}: imports director.store.rows")
    return hits


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_scanner_finds_sql_and_ignores_prose(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Module prose: SELECT x FROM y is only described here."""\n'
        'A = "SELECT shot_id, sum(m) FROM jobs GROUP BY shot_id"\n'
        'B = f"UPDATE takes SET rating = {1}"\n'
        'C = "Select a take from the gallery, then press P"\n'
        "D = 'pragma user_version'\n"
        'E = """\nSELECT id\n  FROM takes\n"""\n'
        'F = "Delete the shot from the list"\n',
        encoding="utf-8",
    )
    hits = [h.split(": ", 1)[0].rsplit(":", 1)[1] for h in sql_hits(sample, tmp_path)]
    assert hits == ["2", "3", "5", "6"], hits


@pytest.mark.parametrize("path", outside_store(), ids=_rel)
def test_no_sql_outside_the_store(path):
    rel = _rel(path)
    hits = sql_hits(path) + raw_db_hits(path)
    if rel in PENDING:
        assert hits, f"{rel} has no SQL left: delete its PENDING entry in {Path(__file__).name}"
        return
    assert not hits, "SQL outside director/store; move it into a store function:\n" + "\n".join(hits)


def test_pending_entries_name_real_files():
    for rel in PENDING:
        assert (ROOT / rel).is_file(), f"PENDING names {rel}, which does not exist: delete the entry"
