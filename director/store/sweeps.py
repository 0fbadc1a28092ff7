"""Sweeps as a group: which jobs one sweep queued, each cell's value on every axis, and the X/Y
grid the sweep view and the grid exports draw.

`engine.sweeps.queue_sweep` records a sweep in the same transaction as its jobs, so a sweep is
never half-recorded. A cell's take is read from its job (one seed, one take), so cells fill as
takes land, and a take moved to the bin leaves its cell empty again.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field

from director.core.errors import InvalidInput, NotFound
from director.store.project import Project, utc_now
from director.store.rows import one, rows, scalar

# The axes every sweep has, in the order `engine.sweeps.Cell.axes` names them; the swept numeric
# parameter (steps, guidance) comes after them.
BASE_AXES = ("prompt", "seed", "preset", "camera")


@dataclass(frozen=True)
class SweepInfo:
    id: int
    shot_id: int
    shot_code: str
    parameter: str | None
    axes: dict[str, list]  # every axis and its values, in the order they were asked
    cells: int
    done: int  # cells whose job finished with a live take
    created_at: str

    @property
    def varying(self) -> list[str]:
        """The axes with more than one value: the ones a grid spreads out."""
        return [name for name, values in self.axes.items() if len(values) > 1]

    def describe(self) -> str:
        dims = " × ".join(f"{len(self.axes[a])} {a}" for a in self.varying) or "1 cell"
        return f"sweep {self.id} of shot {self.shot_code}: {dims}; {self.done} of {self.cells} cells have a take"


@dataclass(frozen=True)
class GridCell:
    job_id: int
    axes: dict  # this cell's value on every axis
    state: str  # its job's state: queued, running, done, failed, cancelled
    take_id: int | None = None  # its live take, once landed
    media_path: str | None = None
    kind: str | None = None  # 'image' | 'video'
    error: str | None = None

    @property
    def status_text(self) -> str:
        """What an empty cell says instead of a picture."""
        if self.take_id is not None:
            return f"take {self.take_id}"
        if self.state == "done":
            return "take in the bin"
        if self.state == "failed":
            return "failed"
        return self.state


@dataclass(frozen=True)
class GridLayout:
    """The cells on two axes: X is one axis, Y every other axis that varies (combined per row)."""

    x_axis: str | None
    y_axes: tuple[str, ...]
    columns: tuple  # the X axis's values
    rows: tuple[tuple, ...]  # per row, its value on each Y axis
    _at: dict = field(default_factory=dict, repr=False)

    def cell(self, row: int, column: int) -> GridCell | None:
        return self._at.get((row, column))

    def column_label(self, column: int) -> str:
        return axis_label(self.x_axis, self.columns[column]) if self.x_axis else ""

    def row_label(self, row: int) -> str:
        return " · ".join(axis_label(a, v) for a, v in zip(self.y_axes, self.rows[row]))

    @property
    def title(self) -> str:
        y = " × ".join(self.y_axes) or "—"
        return f"X: {self.x_axis or '—'}   Y: {y}"


@dataclass(frozen=True)
class SweepGrid:
    sweep: SweepInfo
    cells: tuple[GridCell, ...]

    def default_x(self) -> str | None:
        """The swept parameter if it varies, else the preset, else the first axis that varies."""
        varying = self.sweep.varying
        for name in (self.sweep.parameter, "preset"):
            if name in varying:
                return name
        return varying[0] if varying else None

    def layout(self, x_axis: str | None = None) -> GridLayout:
        """The grid with `x_axis` across (default: `default_x`) and every other varying axis down."""
        varying = self.sweep.varying
        if x_axis is None:
            x_axis = self.default_x()
        elif x_axis not in self.sweep.axes:
            raise InvalidInput(f"the sweep has no axis {x_axis!r}; its axes: {', '.join(self.sweep.axes)}")
        y_axes = tuple(a for a in varying if a != x_axis)
        columns = tuple(self.sweep.axes[x_axis]) if x_axis else (None,)
        row_values = tuple(itertools.product(*(self.sweep.axes[a] for a in y_axes)))
        row_of = {values: i for i, values in enumerate(row_values)}
        column_of = {_key(v): i for i, v in enumerate(columns)}
        at = {}
        for cell in self.cells:
            r = row_of.get(tuple(cell.axes.get(a) for a in y_axes))
            c = column_of.get(_key(cell.axes.get(x_axis))) if x_axis else 0
            if r is not None and c is not None:
                at[(r, c)] = cell
        return GridLayout(x_axis, y_axes, columns, row_values, at)


def _key(value):
    return json.dumps(value)


def axis_label(axis: str | None, value) -> str:
    if axis in ("prompt", "preset"):
        return str(value)
    if axis == "camera":
        return f"camera {value}" if value else "no camera"
    if isinstance(value, float) and value.is_integer():
        value = int(value) if axis != "guidance" else value
    return f"{axis} {value}"


# -- writing -------------------------------------------------------------------------------------

def record_sweep(project: Project, shot_id: int, parameter: str | None, axes: dict[str, list], cells: list[tuple[int, dict]]) -> int:
    """Record one sweep and its cells (job id, the cell's axes) in the caller's transaction."""
    if not cells:
        raise InvalidInput("a sweep needs at least one cell")
    with project.atomic() as db:
        sweep_id = db["sweeps"].insert(
            {"shot_id": shot_id, "parameter": parameter, "axes": json.dumps(axes), "created_at": utc_now()}
        ).last_pk
        db["sweep_cells"].insert_all(
            {"sweep_id": sweep_id, "job_id": job_id, "ord": i, "axes": json.dumps(cell_axes)} for i, (job_id, cell_axes) in enumerate(cells)
        )
    return int(sweep_id)


def backfill_sweeps(db) -> int:
    """Group the jobs earlier sweeps queued (their params carry the cell's axes) into sweeps: one
    sweep's jobs were queued in one transaction, so they are consecutive jobs of one shot with the
    same axes; a cell seen twice starts the next sweep. Returns how many sweeps were recorded."""
    groups: list[list[dict]] = []
    previous = None
    for r in rows(db, "SELECT id, shot_id, params, created_at FROM jobs WHERE params LIKE '%\"sweep\"%' ORDER BY id"):
        cell = json.loads(r["params"]).get("sweep")
        if not isinstance(cell, dict):
            continue
        item = {"id": r["id"], "shot_id": r["shot_id"], "axes": cell, "created_at": r["created_at"]}
        same = (
            previous is not None and previous["id"] + 1 == r["id"] and previous["shot_id"] == r["shot_id"]
            and set(previous["axes"]) == set(cell) and all(c["axes"] != cell for c in groups[-1])
        )
        if same:
            groups[-1].append(item)
        else:
            groups.append([item])
        previous = item
    for group in groups:
        names = [a for a in BASE_AXES if a in group[0]["axes"]] + [a for a in group[0]["axes"] if a not in BASE_AXES]
        axes = {a: list(dict.fromkeys(c["axes"][a] for c in group)) for a in names}
        parameter = next((a for a in names if a not in BASE_AXES), None)
        sweep_id = db["sweeps"].insert({"shot_id": group[0]["shot_id"], "parameter": parameter, "axes": json.dumps(axes), "created_at": group[0]["created_at"]}).last_pk
        db["sweep_cells"].insert_all({"sweep_id": sweep_id, "job_id": c["id"], "ord": i, "axes": json.dumps(c["axes"])} for i, c in enumerate(group))
    return len(groups)


# -- reading -------------------------------------------------------------------------------------

_INFO_SELECT = (
    "SELECT sw.*, s.code AS shot_code, "
    "(SELECT count(*) FROM sweep_cells c WHERE c.sweep_id = sw.id) AS n_cells, "
    "(SELECT count(DISTINCT c.job_id) FROM sweep_cells c JOIN takes t ON t.job_id = c.job_id AND t.deleted_at IS NULL "
    " WHERE c.sweep_id = sw.id) AS n_done "
    "FROM sweeps sw JOIN shots s ON s.id = sw.shot_id"
)


def _info(r: dict) -> SweepInfo:
    return SweepInfo(r["id"], r["shot_id"], r["shot_code"], r["parameter"], json.loads(r["axes"]), r["n_cells"], r["n_done"], r["created_at"])


def list_sweeps(project: Project, shot_id: int | None = None) -> list[SweepInfo]:
    """The project's sweeps (or one shot's), newest first."""
    where, params = ("", []) if shot_id is None else (" WHERE sw.shot_id = ?", [shot_id])
    return [_info(r) for r in rows(project.db, f"{_INFO_SELECT}{where} ORDER BY sw.id DESC", params)]


def get_sweep(project: Project, sweep_id: int) -> SweepInfo:
    r = one(project.db, f"{_INFO_SELECT} WHERE sw.id = ?", [sweep_id])
    if r is None:
        raise NotFound(f"no sweep {sweep_id}; list them with: director sweep list {project.path.name}")
    return _info(r)


def sweep_of_job(project: Project, job_id: int) -> int | None:
    """The sweep that queued a job, if one did."""
    found = scalar(project.db, "SELECT sweep_id FROM sweep_cells WHERE job_id = ?", [job_id])
    return int(found) if found is not None else None


def sweep_of_take(project: Project, take_id: int) -> int | None:
    """The sweep whose cell made a take, if one did."""
    found = scalar(project.db, "SELECT c.sweep_id FROM sweep_cells c JOIN takes t ON t.job_id = c.job_id WHERE t.id = ?", [take_id])
    return int(found) if found is not None else None


def sweep_grid(project: Project, sweep_id: int) -> SweepGrid:
    """The sweep and every cell with its job's state and its live take (the first variant)."""
    info = get_sweep(project, sweep_id)
    found = rows(
        project.db,
        "SELECT c.job_id, c.axes, j.state, j.error, "
        "(SELECT t.id FROM takes t WHERE t.job_id = c.job_id AND t.deleted_at IS NULL ORDER BY t.variant, t.id LIMIT 1) AS take_id "
        "FROM sweep_cells c JOIN jobs j ON j.id = c.job_id WHERE c.sweep_id = ? ORDER BY c.ord",
        [sweep_id],
    )
    take_ids = [r["take_id"] for r in found if r["take_id"] is not None]
    media = {}
    if take_ids:
        media = {r["id"]: r for r in rows(project.db, f"SELECT id, media_path, kind FROM takes WHERE id IN ({', '.join('?' * len(take_ids))})", take_ids)}
    cells = []
    for r in found:
        take = media.get(r["take_id"])
        cells.append(GridCell(
            r["job_id"], json.loads(r["axes"]), r["state"], r["take_id"],
            take["media_path"] if take else None, take["kind"] if take else None, r["error"],
        ))
    return SweepGrid(info, tuple(cells))


def find_sweep(project: Project, text: str | int) -> int:
    """A sweep by its id as typed on a command line."""
    try:
        sweep_id = int(str(text).strip())
    except ValueError:
        raise InvalidInput(f"a sweep is named by its number, got {text!r}; list them with: director sweep list {project.path.name}") from None
    return get_sweep(project, sweep_id).id
