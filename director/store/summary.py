"""What a project holds, counted once: the figures `director info`, the demo and the window's
status bar show. Money comes from the ledger's own totals, so it always equals the cost report
(expenses included, other currencies apart)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from director.store import ledger
from director.store.project import Project
from director.store.rows import rows, scalar


@dataclass(frozen=True)
class ProjectCounts:
    scenes: int
    shots: int
    cameras: int
    prompt_versions: int
    takes: int
    jobs: dict = field(default_factory=dict)  # state → count
    gpu_seconds: float = 0.0
    money: Decimal = Decimal(0)  # jobs + expenses in the project currency
    human_seconds: float = 0.0


def job_counts(project: Project) -> dict[str, int]:
    """Jobs per state: the one count the queue panel, `queue list` and `info` show."""
    return {r["state"]: r["n"] for r in rows(project.db, "SELECT state, count(*) AS n FROM jobs GROUP BY state")}


def live_take_counts(project: Project) -> dict[int, int]:
    """shot id → takes not in the bin."""
    return {r["shot_id"]: r["n"] for r in rows(project.db, "SELECT shot_id, count(*) AS n FROM takes WHERE deleted_at IS NULL GROUP BY shot_id")}


def project_counts(project: Project) -> ProjectCounts:
    db = project.db
    totals = ledger.totals(project)
    return ProjectCounts(
        scenes=scalar(db, "SELECT count(*) FROM scenes"),
        shots=scalar(db, "SELECT count(*) FROM shots WHERE deleted_at IS NULL"),
        cameras=scalar(db, "SELECT count(*) FROM cameras c JOIN shots s ON s.id = c.shot_id WHERE s.deleted_at IS NULL"),
        prompt_versions=scalar(db, "SELECT count(*) FROM prompts"),
        takes=scalar(db, "SELECT count(*) FROM takes WHERE deleted_at IS NULL"),
        jobs=job_counts(project),
        gpu_seconds=round(float(totals.gpu_s or 0.0), 3),
        money=totals.money,
        human_seconds=round(float(totals.human_s or 0.0), 1),
    )
