"""The reads thread (#24): slow reads run off the UI thread on their own read-only connection, in one
snapshot, a burst of requests for the same thing makes one read, a superseded answer is never
applied, and closing the project never waits for a read. Counts and threads, never time."""

from __future__ import annotations

import threading

import pytest

from director.core.changes import Changes
from director.core.errors import NotFound
from director.store import expenses, ledger, shots
from director.ui.freshness import Backlog
from director.ui.undo import ProjectSession


@pytest.fixture
def reads(project, qtbot):
    session = ProjectSession(project)
    yield session.reads
    session.shutdown()
    session.reads.join()


def test_a_read_runs_on_its_own_connection_off_the_ui_thread_and_applies_on_it(project, reads, qtbot):
    shot, _ = shots.add_shot(project, "1")
    expenses.add_expense(project, shot.id, "7.00")
    seen = {}

    def read(ro):
        seen["thread"] = threading.current_thread() is threading.main_thread()
        seen["readonly"] = ro.readonly and ro is not project
        return ledger.spend_by_shot(ro)

    applied: list = []
    with qtbot.waitSignal(reads.idle):
        reads.submit("spend", read, lambda result: applied.append((threading.current_thread() is threading.main_thread(), result)))
    assert seen == {"thread": False, "readonly": True}
    assert applied == [(True, ledger.spend_by_shot(project))]


def test_a_burst_for_one_key_makes_one_read_and_only_the_newest_answer_is_applied(project, reads, qtbot):
    gate = threading.Event()
    applied: list[int] = []
    reads.submit("held", lambda ro: gate.wait(10), lambda _r: None)  # the thread is busy with this one
    for n in range(10):
        reads.submit("costs", lambda ro, n=n: n, applied.append)
    gate.set()
    qtbot.waitUntil(lambda: not reads.busy())
    assert applied == [9] and reads.reads == 2  # the held read, then one read for the whole burst


def test_an_answer_superseded_while_running_is_dropped(project, reads, qtbot):
    started, gate = threading.Event(), threading.Event()
    applied: list[str] = []

    def slow(ro):
        started.set()
        gate.wait(10)
        return "old"

    reads.submit("costs", slow, applied.append)
    assert started.wait(10)
    reads.submit("costs", lambda ro: "new", applied.append)  # asked again while the first runs
    gate.set()
    qtbot.waitUntil(lambda: not reads.busy())
    assert applied == ["new"] and reads.reads == 2


def test_a_failed_read_is_said_and_the_thread_goes_on(project, reads, qtbot):
    errors: list[str] = []

    def broken(ro):
        raise NotFound("no such thing")

    reads.submit("bad", broken, lambda _r: pytest.fail("applied a failed read"), on_error=lambda exc: errors.append(str(exc)))
    applied: list = []
    reads.submit("good", lambda ro: 42, applied.append)
    qtbot.waitUntil(lambda: not reads.busy())
    assert errors == ["no such thing"] and applied == [42]


def test_closing_interrupts_a_running_read_and_never_applies_it(project, qtbot):
    session = ProjectSession(project)
    started = threading.Event()
    applied: list = []

    def endless(ro):
        started.set()
        return ro.db.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c").fetchone()

    session.reads.submit("endless", endless, applied.append)
    assert started.wait(10)
    session.shutdown()  # returns at once; the query is interrupted and the thread closes its connection
    session.reads.join(10)
    assert not session.reads._thread.is_alive() and applied == []
    project.close()  # the checkpoint at close is not held up by a reader


def test_a_backlog_never_loses_changes_between_a_read_and_its_answer():
    backlog = Backlog()
    backlog.add(Changes.of(jobs=[1]))
    first = backlog.take()
    backlog.add(Changes.of(takes=[2]))  # announced while the first read is on its way
    backlog.done()  # the first read's answer is applied
    assert first == Changes.of(jobs=[1]) and backlog.take() == Changes.of(takes=[2])
    backlog.add(Changes.of(shots=[3]))
    assert backlog.take() == Changes.of(takes=[2], shots=[3])  # a newer read covers the one it supersedes
    backlog.done()
    assert not backlog
