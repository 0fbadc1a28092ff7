"""Small helpers for reading rows as dicts; typed readers live in each table's module."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database


def rows(db: Database, sql: str, params: list | tuple | dict = ()) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def one(db: Database, sql: str, params: list | tuple | dict = ()) -> dict[str, Any] | None:
    cursor = db.execute(sql, params)
    r = cursor.fetchone()
    if r is None:
        return None
    return dict(zip([c[0] for c in cursor.description], r))


def scalar(db: Database, sql: str, params: list | tuple | dict = ()) -> Any:
    r = db.execute(sql, params).fetchone()
    return None if r is None else r[0]
