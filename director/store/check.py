"""`director check` and `director purge`: is the file sound and is every referenced file intact?"""

from __future__ import annotations

from dataclasses import dataclass, field

from director.store.artifacts import artifact_paths
from director.store.roto import matte_paths
from director.store.media import VerifyReport
from director.store.project import Project
from director.store.rows import rows


@dataclass(frozen=True)
class TakeMediaProblem:
    """One take whose picture (or thumbnail) is missing, damaged or names a file outside the store."""

    take_id: int
    shot_code: str
    camera: str
    relative: str
    problem: str  # missing | damaged | tampered
    in_bin: bool

    def describe(self, media_root) -> str:
        where = self.relative if self.problem == "tampered" else f"{media_root}/{self.relative}"
        return f"take {self.take_id} (shot {self.shot_code}, camera {self.camera}{', in the bin' if self.in_bin else ''}): media {self.problem}: {where}"


@dataclass
class CheckReport:
    integrity: str
    foreign_key_errors: list[tuple] = field(default_factory=list)
    media: VerifyReport = field(default_factory=VerifyReport)
    takes: list[TakeMediaProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and not self.foreign_key_errors and self.media.ok


def referenced_media(project: Project, *, include_bin: bool = True) -> set[str]:
    where = "" if include_bin else "WHERE deleted_at IS NULL"
    refs: set[str] = set()
    for r in rows(project.db, f"SELECT media_path, thumb_path FROM takes {where}"):
        refs.add(r["media_path"])
        if r["thumb_path"]:
            refs.add(r["thumb_path"])
    # Cast reference images and imported inputs are media too: purge must never delete them.
    refs.update(r["media_path"] for r in rows(project.db, "SELECT media_path FROM cast_images"))
    # Imported sound and takes' own sound (store.audio).
    refs.update(r["media_path"] for r in rows(project.db, "SELECT media_path FROM audio_files UNION SELECT media_path FROM take_audio"))
    # A previz take's depth and layout videos (store.artifacts).
    refs.update(artifact_paths(project))
    # Roto mattes and their thumbnails (store.roto).
    refs.update(matte_paths(project))
    # An image imported to animate is named only by its job: a re-render needs it again.
    refs.update(
        r["p"] for r in rows(project.db, "SELECT json_extract(params, '$.init_image') AS p FROM jobs WHERE json_extract(params, '$.init_image') IS NOT NULL")
    )
    return refs


def check_project(project: Project) -> CheckReport:
    integrity = "; ".join(r[0] for r in project.db.execute("PRAGMA integrity_check").fetchall())
    fk = [tuple(r) for r in project.db.execute("PRAGMA foreign_key_check").fetchall()]
    media = project.media.verify(sorted(referenced_media(project)))
    return CheckReport(integrity=integrity, foreign_key_errors=fk, media=media, takes=_take_problems(project, media))


def _take_problems(project: Project, media: VerifyReport) -> list[TakeMediaProblem]:
    if media.ok:
        return []
    out = []
    sql = (
        "SELECT t.id, t.media_path, t.thumb_path, t.deleted_at, s.code AS shot, COALESCE(c.name, '') AS camera "
        "FROM takes t JOIN shots s ON s.id = t.shot_id LEFT JOIN cameras c ON c.id = t.camera_id ORDER BY t.id"
    )
    for r in rows(project.db, sql):
        for rel in (r["media_path"], r["thumb_path"]):
            problem = media.problem(rel) if rel else None
            if problem:
                out.append(TakeMediaProblem(r["id"], r["shot"], r["camera"], rel, problem, r["deleted_at"] is not None))
                break
    return out


def media_problem(project: Project, relative: str | None) -> str | None:
    """'missing', 'damaged' (bytes no longer match the name) or 'tampered' for one stored file."""
    if not relative:
        return None
    report = project.media.verify([relative])
    return report.problem(relative)


def purge_media(project: Project) -> tuple[int, int]:
    """Remove stored files that no take row names (takes in the bin still keep theirs)."""
    return project.media.purge(referenced_media(project))
