"""`director check` and `director purge`: is the file sound and is every referenced file intact?"""

from __future__ import annotations

from dataclasses import dataclass, field

from director.store.media import VerifyReport
from director.store.project import Project
from director.store.rows import rows


@dataclass
class CheckReport:
    integrity: str
    foreign_key_errors: list[tuple] = field(default_factory=list)
    media: VerifyReport = field(default_factory=VerifyReport)

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
    return refs


def check_project(project: Project) -> CheckReport:
    integrity = "; ".join(r[0] for r in project.db.execute("PRAGMA integrity_check").fetchall())
    fk = [tuple(r) for r in project.db.execute("PRAGMA foreign_key_check").fetchall()]
    media = project.media.verify(sorted(referenced_media(project)))
    return CheckReport(integrity=integrity, foreign_key_errors=fk, media=media)


def purge_media(project: Project) -> tuple[int, int]:
    """Remove stored files that no take row names (takes in the bin still keep theirs)."""
    return project.media.purge(referenced_media(project))
