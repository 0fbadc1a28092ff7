"""The ledger over time, summed in SQL: the Costs panel's 'spend over time' chart and its table
grouped by day, without building a Python object per job (issue #24: 50,000 jobs took 1.6 s to
read as rows, on the UI thread, on every job event).

Nothing here is a new rule. Money is `store.ledger`'s: jobs with money plus expenses, the project
currency only (other currencies stay with `ledger.totals`). A day is `core.cost.local_day`: the
user's calendar day of the UTC stamp (jobs by finished_at, else created_at; expenses by
created_at; human time by started_at). `grouped_by_day` returns what `ledger.grouped(project,
'day')` returns from every row (tests/store/test_cost_series.py holds them equal); the ledger could
call it for 'day' instead of grouping rows in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

from director.core.cost import GroupRow
from director.store.project import Project
from director.store.rows import rows

# SQLite's 'localtime' is the C library's local time, the same clock `local_day` (Python's
# astimezone) reads. A stamp without a zone is read as local by Python, so it keeps its own date.
_ZONED = "({w} GLOB '*[+-][0-9][0-9]:[0-9][0-9]' OR {w} GLOB '*Z')"
_DAY = "coalesce(CASE WHEN " + _ZONED + " THEN date({w}, 'localtime') ELSE date({w}) END, substr({w}, 1, 10))"


def _day(column: str) -> str:
    return _DAY.format(w=column)


def grouped_by_day(project: Project) -> list[GroupRow]:
    """The ledger grouped by the user's calendar day, oldest first: jobs, GPU, wall and energy of
    metered jobs, their money and the expenses in the project currency, and human time."""
    currency = project.settings().currency
    groups: dict[str, GroupRow] = {}

    def get(key: str) -> GroupRow:
        if key not in groups:
            groups[key] = GroupRow(key)
        return groups[key]

    for r in rows(
        project.db,
        f"SELECT {_day('w')} AS day, count(*) AS n, coalesce(sum(g), 0) AS g, coalesce(sum(wall), 0) AS wall, "
        "coalesce(sum(e), 0) AS e, coalesce(sum(m), 0) AS m FROM ("
        "SELECT coalesce(j.finished_at, j.created_at) AS w, j.gpu_s AS g, j.wall_s AS wall, j.energy_wh AS e, "
        "CASE WHEN coalesce(j.currency, ?) = ? THEN j.money_micros END AS m "
        "FROM jobs j JOIN shots s ON s.id = j.shot_id WHERE j.money_micros IS NOT NULL) GROUP BY day",
        [currency, currency],
    ):
        g = get(r["day"])
        g.jobs += r["n"]
        g.gpu_s += r["g"]
        g.wall_s += r["wall"]
        g.energy_wh += r["e"]
        g.job_micros += int(r["m"])
    for r in rows(
        project.db,
        f"SELECT {_day('created_at')} AS day, coalesce(sum(CASE WHEN currency = ? THEN amount_micros END), 0) AS m "
        "FROM expenses GROUP BY day",
        [currency],
    ):
        get(r["day"]).expense_micros += int(r["m"])
    for r in rows(project.db, f"SELECT {_day('started_at')} AS day, coalesce(sum(seconds), 0) AS s FROM time_log GROUP BY day"):
        get(r["day"]).human_s += r["s"]
    return [groups[k] for k in sorted(groups)]


@dataclass(frozen=True)
class SpendPoint:
    """Money spent up to `when` (the last spend of its hour), in micro-units of the project currency."""

    when: str
    cumulative_micros: int


def spend_over_time(project: Project) -> list[SpendPoint]:
    """Cumulative spend, one point per UTC hour that had any (jobs by finished_at, else created_at;
    expenses by created_at), oldest first. The last point is the project's money in its currency."""
    currency = project.settings().currency
    found = rows(
        project.db,
        "SELECT strftime('%Y-%m-%dT%H', w) AS hour, max(w) AS last, sum(m) AS m FROM ("
        "SELECT coalesce(j.finished_at, j.created_at) AS w, j.money_micros AS m FROM jobs j JOIN shots s ON s.id = j.shot_id "
        "WHERE j.money_micros IS NOT NULL AND coalesce(j.currency, ?) = ? "
        "UNION ALL SELECT created_at, amount_micros FROM expenses WHERE currency = ?"
        ") GROUP BY hour ORDER BY hour, last",
        [currency, currency, currency],
    )
    out, running = [], 0
    for r in found:
        running += int(r["m"] or 0)
        out.append(SpendPoint(r["last"], running))
    return out
