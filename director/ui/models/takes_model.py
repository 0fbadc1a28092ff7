"""TakesModel: the takes of one shot as a Qt list model, filtered and sorted in SQL.

Named after `store/takes.py`, which it presents. It reloads only when the user changes the shot,
a filter or the sort; a `Changes` that names takes refreshes just those rows (dataChanged), and
falls back to a minimal insert/remove/reorder only when membership or order really changed.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass

from PySide6.QtCore import QAbstractListModel, QMimeData, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from director.core.changes import Changes
from director.core.enums import TakeFlag
from director.core.errors import NotFound
from director.core.qc import AMBER, GRADE_NAMES
from director.core.model import Take
from director.store import cameras as store_cameras
from director.store import lineage as store_lineage
from director.store import takes as store_takes
from director.store.media import TamperedMedia
from director.ui.gallery.thumbnails import ThumbnailLoader, thumbnail_source
from director.ui.media_health import BADGES

TAKE_MIME = "application/x-director-take"
# A Changes naming more takes than this (emptying the bin, a big job) reloads the list in one query
# instead of looking each take up.
BULK_CHANGE = 64


@dataclass(frozen=True)
class TakeFilter:
    """What the gallery shows. flag None shows all; `hide_rejected` drops rejected takes."""

    camera_id: int | None = None
    min_rating: int = 0
    flag: TakeFlag | None = None
    hide_rejected: bool = False
    qc: str | None = None  # store.takes.QC_FILTERS: a grade name, 'flagged' or 'unchecked'

    def accepts(self, take: Take) -> bool:
        if take.deleted:
            return False
        if self.camera_id is not None and take.camera_id != self.camera_id:
            return False
        if take.rating < self.min_rating:
            return False
        if self.qc is not None and not qc_accepts(self.qc, take.qc_grade):
            return False
        if self.flag is not None:
            return take.flag is self.flag
        return not (self.hide_rejected and take.flag is TakeFlag.REJECTED)


def qc_accepts(qc: str, grade: int | None) -> bool:
    """Mirrors store.takes.QC_FILTERS for a take updated in place."""
    if qc == "unchecked":
        return grade is None
    if qc == "flagged":
        return grade is not None and grade >= AMBER
    return grade is not None and GRADE_NAMES[grade] == qc


def _sort_key(sort: str, take: Take) -> tuple:
    # Mirrors store.takes.SORTS so an in-place update can tell whether a row must move.
    if sort == "qc":
        return (-(take.qc_grade if take.qc_grade is not None else -1), -take.qc_severity, -take.id)
    if sort == "rating":
        return (-take.rating, -take.id)
    if sort == "oldest":
        return (take.created_at, take.id)
    return (_desc(take.created_at), -take.id)


def _desc(text: str) -> tuple:
    return tuple(-ord(c) for c in text)


class TakesModel(QAbstractListModel):
    """A shot's live takes. Roles carry what the gallery's delegate paints and what tests read."""

    TakeIdRole = Qt.ItemDataRole.UserRole + 1
    TakeRole = Qt.ItemDataRole.UserRole + 2
    RatingRole = Qt.ItemDataRole.UserRole + 3
    FlagRole = Qt.ItemDataRole.UserRole + 4
    CameraRole = Qt.ItemDataRole.UserRole + 5
    SeedRole = Qt.ItemDataRole.UserRole + 6
    PresetRole = Qt.ItemDataRole.UserRole + 7
    RandomWeightsRole = Qt.ItemDataRole.UserRole + 8
    ThumbnailReadyRole = Qt.ItemDataRole.UserRole + 9
    MediaProblemRole = Qt.ItemDataRole.UserRole + 10  # 'missing' | 'damaged' | 'tampered' | None (fine or not known yet)
    MediaIssueRole = Qt.ItemDataRole.UserRole + 11  # the MediaIssue: which file, what the decoder said
    LineageRole = Qt.ItemDataRole.UserRole + 12  # 'version' (made from a take), 'source' (has versions) or None
    VariationDepthRole = Qt.ItemDataRole.UserRole + 40  # with Group variations on: 0 a source, 1+ a variation under it
    QcRole = Qt.ItemDataRole.UserRole + 13  # 'green' | 'amber' | 'red' (core.qc grade) or None (not measured)
    ThumbnailRole = Qt.ItemDataRole.DecorationRole

    thumbnail_loaded = Signal(int)  # take id whose thumbnail just arrived
    reloaded = Signal()

    def __init__(self, session, thumbnails: ThumbnailLoader | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.thumbnails = thumbnails or ThumbnailLoader(parent=self)
        self.thumbnails.loaded.connect(self._on_thumbnail_loaded)
        self.thumbnails.failed.connect(self._on_thumbnail_failed)
        # A take's file is looked at when its tile is first painted, on a pool thread (never all at open).
        self.health = session.media_health
        self.health.changed.connect(self._on_health_changed)
        self._ids_by_media: dict[str, set[int]] = {}
        self._shot_id: int | None = None
        self._filter = TakeFilter()
        self._sort = "newest"
        self._takes: list[Take] = []
        self._row_of: dict[int, int] = {}
        self._ids_by_thumb: dict[str, set[int]] = {}
        self._camera_names: dict[int, str] = {}
        self._parents: set[int] = set()  # takes of the shot with versions (store.lineage)
        self._group = False  # Group variations: each take followed by the takes made from it
        self._depth: dict[int, int] = {}
        session.changed.connect(self._on_changed)

    # -- what to show ------------------------------------------------------------------------

    @property
    def shot_id(self) -> int | None:
        return self._shot_id

    @property
    def take_filter(self) -> TakeFilter:
        return self._filter

    @property
    def sort(self) -> str:
        return self._sort

    def set_shot(self, shot_id: int | None) -> None:
        self._shot_id = shot_id
        self._load_cameras()
        self._reload()

    def set_filter(self, take_filter: TakeFilter) -> None:
        if take_filter != self._filter:
            self._filter = take_filter
            self._reload()

    def set_sort(self, sort: str) -> None:
        if sort not in store_takes.SORTS:
            raise ValueError(f"unknown sort {sort!r}")
        if sort != self._sort:
            self._sort = sort
            self._reload()

    def camera_names(self) -> dict[int, str]:
        return dict(self._camera_names)

    @property
    def group_variations(self) -> bool:
        return self._group

    def set_group_variations(self, on: bool) -> None:
        """Show each take followed by its variations (store.lineage.group_variations), or the plain sort."""
        if bool(on) != self._group:
            self._group = bool(on)
            self._reconcile(self._query())
            if self._takes:  # depths changed on rows that kept their place too
                self.dataChanged.emit(self.index(0), self.index(len(self._takes) - 1), [Qt.ItemDataRole.DisplayRole, self.VariationDepthRole])

    def depth_of(self, take_id: int) -> int:
        return self._depth.get(take_id, 0)

    # -- reading -----------------------------------------------------------------------------

    def take_at(self, row: int) -> Take:
        return self._takes[row]

    def take_ids(self) -> list[int]:
        return [t.id for t in self._takes]

    def row_of(self, take_id: int) -> int | None:
        return self._row_of.get(take_id)

    def index_of(self, take_id: int) -> QModelIndex:
        row = self._row_of.get(take_id)
        return self.index(row, 0) if row is not None else QModelIndex()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._takes)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._takes):
            return None
        take = self._takes[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = f"{self.camera_label(take)} · seed {take.seed}"
            depth = self._depth.get(take.id, 0)
            return f"{'↳' * depth} {text}" if depth else text
        if role == self.VariationDepthRole:
            return self._depth.get(take.id, 0)
        if role == self.ThumbnailRole:
            key, path = thumbnail_source(take)
            pixmap = self.thumbnails.get(key)
            if pixmap is None:
                try:
                    file = self.session.project.media.path(path)
                except TamperedMedia:  # never opened: the tile says so, the badge says why
                    if path == take.media_path:
                        self.health.check_now(path)
                    return self.thumbnails.broken()
                self.thumbnails.request(key, file, take.kind if path == take.media_path else None)
                return self.thumbnails.placeholder()
            return pixmap
        if role == self.MediaProblemRole:
            issue = self._media_issue(take)
            return issue.problem if issue is not None else None
        if role == self.MediaIssueRole:
            return self._media_issue(take)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"Take {take.id} · camera {self.camera_label(take)} · seed {take.seed}", f"{take.preset} · {take.width}×{take.height} · {take.frames} frames"]
            issue = self.health.issue(take.media_path)
            if issue is not None:
                lines.append(f"{BADGES[issue.problem].capitalize()}: {issue.path}" + (f" ({issue.detail})" if issue.detail else ""))
            if take.parent_take_id is not None:
                lines.append(f"⛓ made from take {take.parent_take_id}")
            if take.id in self._parents:
                lines.append("⛓ has versions (see the viewer)")
            if take.qc_grade is not None:
                lines.append(f"QC {GRADE_NAMES[take.qc_grade]} (the viewer's curve shows where)")
            if take.notes:
                lines.append(take.notes)
            return "\n".join(lines)
        if role == self.LineageRole:
            return self.lineage_of(take)
        if role == self.QcRole:
            return GRADE_NAMES[take.qc_grade] if take.qc_grade is not None else None
        if role == self.TakeIdRole:
            return take.id
        if role == self.TakeRole:
            return take
        if role == self.RatingRole:
            return take.rating
        if role == self.FlagRole:
            return take.flag.value
        if role == self.CameraRole:
            return self.camera_label(take)
        if role == self.SeedRole:
            return take.seed
        if role == self.PresetRole:
            return take.preset
        if role == self.RandomWeightsRole:
            return take.preset.startswith("tiny-")
        if role == self.ThumbnailReadyRole:
            return self.thumbnails.get(thumbnail_source(take)[0]) is not None
        return None

    def _media_issue(self, take: Take):
        """What is wrong with the take's file, asking for a look (off the UI thread) the first time."""
        if not self.health.known(take.media_path):
            self.health.request(take.media_path, take.kind.value)
        return self.health.issue(take.media_path)

    def lineage_of(self, take: Take) -> str | None:
        """'version' for a take made from another, 'source' for one with versions, else None."""
        if take.parent_take_id is not None:
            return "version"
        return "source" if take.id in self._parents else None

    def camera_label(self, take: Take) -> str:
        return self._camera_names.get(take.camera_id, "?") if take.camera_id is not None else "–"

    def roleNames(self) -> dict[int, bytes]:
        names = super().roleNames()
        names.update(
            {
                self.TakeIdRole: b"takeId",
                self.RatingRole: b"rating",
                self.FlagRole: b"flag",
                self.CameraRole: b"camera",
                self.SeedRole: b"seed",
                self.PresetRole: b"preset",
                self.RandomWeightsRole: b"randomWeights",
            }
        )
        return names

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def mimeTypes(self) -> list[str]:
        return [TAKE_MIME]

    def mimeData(self, indexes) -> QMimeData | None:
        """The timeline accepts one take: the first dragged, as JSON {"take_id": N}."""
        valid = [i for i in indexes if i.isValid()]
        if not valid:
            return None
        mime = QMimeData()
        take_id = self._takes[min(valid, key=lambda i: i.row()).row()].id
        mime.setData(TAKE_MIME, json.dumps({"take_id": take_id}).encode())
        mime.setText(f"take {take_id}")
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    # -- loading and refreshing --------------------------------------------------------------

    def _query(self) -> list[Take]:
        if self._shot_id is None:
            return []
        f = self._filter
        found = store_takes.list_takes(
            self.session.project,
            self._shot_id,
            camera_id=f.camera_id,
            min_rating=f.min_rating,
            flag=f.flag,
            include_rejected=not f.hide_rejected,
            sort=self._sort,
            qc=f.qc,
        )
        return [t for t, _ in store_lineage.group_variations(found)] if self._group else found

    def _load_cameras(self) -> None:
        if self._shot_id is None:
            self._camera_names = {}
        else:
            self._camera_names = {c.id: c.name for c in store_cameras.list_cameras(self.session.project, self._shot_id)}

    def _reload(self) -> None:
        self.beginResetModel()
        self._takes = self._query()
        self._parents = store_lineage.parents_in_shot(self.session.project, self._shot_id) if self._shot_id is not None else set()
        self._reindex()
        self.endResetModel()
        self.reloaded.emit()

    def _reindex(self) -> None:
        self._row_of = {t.id: i for i, t in enumerate(self._takes)}
        self._depth = {t.id: d for t, d in store_lineage.group_variations(self._takes) if d} if self._group else {}
        by_thumb: dict[str, set[int]] = {}
        for t in self._takes:
            by_thumb.setdefault(thumbnail_source(t)[0], set()).add(t.id)
        self._ids_by_thumb = by_thumb
        by_media: dict[str, set[int]] = {}
        for t in self._takes:
            by_media.setdefault(t.media_path, set()).add(t.id)
        self._ids_by_media = by_media

    def _on_changed(self, changes: Changes) -> None:
        if self._shot_id is None:
            return
        if changes.cameras:
            self._load_cameras()
            if self._takes:
                self.dataChanged.emit(self.index(0), self.index(len(self._takes) - 1), [self.CameraRole, Qt.ItemDataRole.DisplayRole])
        if changes.takes:
            self._refresh_takes(changes.takes)

    def _refresh_takes(self, ids: frozenset[int]) -> None:
        """Update changed rows in place and insert new takes where the sort puts them (reading only
        those takes: a take landing on a 2,000-take shot used to re-read all 2,000, 60-200 ms on
        the UI thread); reconcile with a full read only if a take left or moved."""
        if len(ids) > BULK_CHANGE or self._group:  # grouped, a new variation goes under its source
            self._reconcile(self._query())
            return
        project = self.session.project
        updates: list[tuple[int, Take]] = []
        arrivals: list[Take] = []
        for take_id in ids:
            row = self._row_of.get(take_id)
            try:
                take = store_takes.get_take(project, take_id)
            except NotFound:
                take = None
            if row is None:
                if take is not None and take.shot_id == self._shot_id and self._filter.accepts(take):
                    arrivals.append(take)
                continue
            if take is None or not self._filter.accepts(take) or not self._stays_in_place(row, take):
                self._reconcile(self._query())
                return
            updates.append((row, take))
        for row, take in updates:
            self._takes[row] = take
            index = self.index(row)
            self.dataChanged.emit(index, index)
        if arrivals:
            self._insert_sorted(arrivals)
            for take in arrivals:  # its source now has a version: badge it too
                if take.parent_take_id is not None and take.parent_take_id not in self._parents:
                    self._parents.add(take.parent_take_id)
                    row = self._row_of.get(take.parent_take_id)
                    if row is not None:
                        self.dataChanged.emit(self.index(row), self.index(row), [self.LineageRole, Qt.ItemDataRole.ToolTipRole])

    def _insert_sorted(self, arrivals: list[Take]) -> None:
        """Insert takes at the rows the sort gives them (`_sort_key` mirrors the store's order)."""
        def key(t: Take) -> tuple:
            return _sort_key(self._sort, t)

        for take in sorted(arrivals, key=key):
            row = bisect.bisect_left(self._takes, key(take), key=key)  # a key for log2(n) rows only
            self.beginInsertRows(QModelIndex(), row, row)
            self._takes.insert(row, take)
            self.endInsertRows()
        self._reindex()

    def _stays_in_place(self, row: int, take: Take) -> bool:
        key = _sort_key(self._sort, take)
        if row > 0 and _sort_key(self._sort, self._takes[row - 1]) > key:
            return False
        return not (row + 1 < len(self._takes) and key > _sort_key(self._sort, self._takes[row + 1]))

    def _reconcile(self, fresh: list[Take]) -> None:
        """Turn the current rows into `fresh` with removes, one reorder and inserts, so the view keeps
        its selection and scroll position (a reset would lose both)."""
        if self._shot_id is not None:
            self._parents = store_lineage.parents_in_shot(self.session.project, self._shot_id)
        fresh_ids = [t.id for t in fresh]
        wanted = set(fresh_ids)
        # 1. removals, bottom up, in contiguous runs
        row = len(self._takes) - 1
        while row >= 0:
            if self._takes[row].id in wanted:
                row -= 1
                continue
            end = row
            while row - 1 >= 0 and self._takes[row - 1].id not in wanted:
                row -= 1
            self.beginRemoveRows(QModelIndex(), row, end)
            del self._takes[row : end + 1]
            self.endRemoveRows()
            row -= 1
        # 2. reorder the survivors if their relative order changed
        present = {t.id for t in self._takes}
        target_order = [i for i in fresh_ids if i in present]
        if [t.id for t in self._takes] != target_order:
            self.layoutAboutToBeChanged.emit()
            old_ids = [t.id for t in self._takes]
            by_id = {t.id: t for t in fresh}
            self._takes = [by_id[i] for i in target_order]
            new_rows = {i: r for r, i in enumerate(target_order)}
            for index in self.persistentIndexList():
                self.changePersistentIndex(index, self.index(new_rows[old_ids[index.row()]]))
            self.layoutChanged.emit()
        # 3. insertions in order
        by_id = {t.id: t for t in fresh}
        for r, take_id in enumerate(fresh_ids):
            if r < len(self._takes) and self._takes[r].id == take_id:
                if self._takes[r] != by_id[take_id]:
                    self._takes[r] = by_id[take_id]
                    self.dataChanged.emit(self.index(r), self.index(r))
                continue
            self.beginInsertRows(QModelIndex(), r, r)
            self._takes.insert(r, by_id[take_id])
            self.endInsertRows()
        self._reindex()

    def _on_thumbnail_failed(self, key: str, reason: str) -> None:
        """A take without a separate thumbnail failed to decode: that is its media's problem too."""
        if key not in self._ids_by_media:
            return
        problem, _, detail = reason.partition(": ")
        if problem == "missing":
            self.health.record_failure(key, "missing")
        else:
            self.health.record_failure(key, "damaged", detail)

    def _on_health_changed(self, relative: str) -> None:
        for take_id in self._ids_by_media.get(relative, ()):
            row = self._row_of.get(take_id)
            if row is not None:
                index = self.index(row)
                self.dataChanged.emit(index, index, [self.MediaProblemRole, self.MediaIssueRole, Qt.ItemDataRole.ToolTipRole, self.ThumbnailRole])

    def _on_thumbnail_loaded(self, key: str) -> None:
        for take_id in self._ids_by_thumb.get(key, ()):
            row = self._row_of.get(take_id)
            if row is not None:
                index = self.index(row)
                self.dataChanged.emit(index, index, [self.ThumbnailRole, self.ThumbnailReadyRole])
                self.thumbnail_loaded.emit(take_id)
