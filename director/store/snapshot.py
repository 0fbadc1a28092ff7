"""Reading a project from another thread: one snapshot per read, and a way to stop a long one.

The window's reads thread (director/ui/background.py) opens the project a second time, read-only,
and runs each read inside `snapshot(project)`: one read transaction, so every query of that read
sees the same committed state (the totals and the groups of a Costs panel refresh can never come
from two different moments). `interrupt(project)` stops a query running on another thread (SQLite's
own sqlite3_interrupt, safe to call from any thread), when the project is closing; since an
interrupt that arrives between two queries is lost, `stop_when(project, should_stop)` also makes
every query ask, every few thousand steps, whether to give up.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Callable, Iterator

from director.store.project import Project


@contextmanager
def snapshot(project: Project) -> Iterator[Project]:
    """One read transaction around the body (on a read-only project: nothing is ever written)."""
    conn = project.db.conn
    conn.execute("BEGIN")
    try:
        yield project
    finally:
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:  # an interrupted read may have ended the transaction already
                pass


def interrupt(project: Project) -> None:
    """Stop whatever query the project's connection is running now (from any thread)."""
    db = project.db
    if db is not None:
        try:
            db.conn.interrupt()
        except sqlite3.Error:  # pragma: no cover - a connection being closed
            pass


def stop_when(project: Project, should_stop: Callable[[], bool], every: int = 5000) -> None:
    """Make each query on this connection give up (OperationalError 'interrupted') once
    `should_stop()` is true; it is asked every `every` virtual-machine steps."""
    project.db.conn.set_progress_handler(lambda: 1 if should_stop() else 0, every)
