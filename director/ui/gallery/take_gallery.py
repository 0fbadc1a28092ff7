"""TakeGallery: a shot's takes as thumbnails, with filters, sort and keyboard review.

Every rating, flag, note and delete goes through `session.push(...)`, so it lands on the project's
one undo stack and comes back to this gallery (and every other view) as a `Changes`. The gallery
never edits its model directly.

Keys: arrows move; Space asks to play (`action_requested("play", id)`); Enter activates; 1–5 rate,
0 clears; P selects, X rejects, U unflags; N edits the note; C compares the selected 2–4 takes;
Delete moves the selected takes to the bin. Ratings and flags apply to every selected take as one
undo step. A right-click offers the same, plus adding the take to the timeline, using it in the cut
in place of its source, the engine's take actions (promote, image to video, extend, re-render, more
like this) and reveal.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListView,
    QMenu,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from director.core.enums import MediaKind, TakeFlag
from director.core.errors import DirectorError
from director.store import timeline as st
from director.store.edits import DeleteTake, SetTakeFields
from director.store.shots import get_shot
from director.ui.flow_layout import FlowLayout
from director.ui.gallery.take_delegate import TakeDelegate
from director.ui.gallery.thumbnails import ThumbnailLoader
from director.ui.gallery.use_in_cut import use_in_cut
from director.ui.models.takes_model import TakeFilter, TakesModel

RATING_KEYS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(6)}
FLAG_KEYS = {Qt.Key.Key_P: TakeFlag.SELECTED, Qt.Key.Key_X: TakeFlag.REJECTED, Qt.Key.Key_U: TakeFlag.NONE}
FLAG_CHOICES = [
    ("All flags", None, False),
    ("Selected", TakeFlag.SELECTED, False),
    ("Unflagged", TakeFlag.NONE, False),
    ("Rejected", TakeFlag.REJECTED, False),
    ("Hide rejected", None, True),
]
SORT_CHOICES = [("Newest", "newest"), ("Rating", "rating"), ("QC: worst first", "qc")]
# Continuity QC filter (store.takes.QC_FILTERS): label, key
QC_CHOICES = [("Any QC", None), ("QC flagged", "flagged"), ("QC red", "red"), ("QC amber", "amber"),
              ("QC green", "green"), ("QC not measured", "unchecked")]


class NoteDialog(QDialog):
    """A small, non-modal note editor; `accepted` carries the text back to the gallery."""

    def __init__(self, take_id: int, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.take_id = take_id
        self.setWindowTitle(f"Note on take {take_id}")
        self.editor = QPlainTextEdit(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor)
        layout.addWidget(buttons)
        self.resize(360, 180)

    def text(self) -> str:
        return self.editor.toPlainText()


class _TakeListView(QListView):
    """QListView whose review keys go to the gallery first; the rest (arrows, Home…) stay Qt's."""

    def __init__(self, gallery: TakeGallery):
        super().__init__(gallery)
        self._gallery = gallery

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._gallery.handle_review_key(event):
            super().keyPressEvent(event)


class TakeGallery(QWidget):
    take_activated = Signal(int)
    selection_changed = Signal(list)
    compare_requested = Signal(list)
    action_requested = Signal(str, int)
    note_dialog_opened = Signal(object)  # NoteDialog, so a test or the window can reach it

    def __init__(self, session, parent: QWidget | None = None, thumbnails: ThumbnailLoader | None = None):
        super().__init__(parent)
        self.session = session
        self.thumbnails = thumbnails or ThumbnailLoader(parent=self)
        self.model = TakesModel(session, self.thumbnails, self)
        self.note_dialog: NoteDialog | None = None

        self.camera_box = QComboBox()
        self.rating_box = QComboBox()
        self.rating_box.addItem("Any rating", 0)
        for n in range(1, 6):
            self.rating_box.addItem("★" * n + ("+" if n < 5 else ""), n)
        self.flag_box = QComboBox()
        for label, _, _ in FLAG_CHOICES:
            self.flag_box.addItem(label)
        self.sort_box = QComboBox()
        for label, key in SORT_CHOICES:
            self.sort_box.addItem(label, key)
        self.qc_box = QComboBox()
        self.qc_box.setObjectName("qcFilter")
        for label, key in QC_CHOICES:
            self.qc_box.addItem(label, key)
        self.count_label = QLabel()
        for box, tip in (
            (self.camera_box, "Show one camera's takes"),
            (self.rating_box, "Show takes rated at least this"),
            (self.flag_box, "Show takes by flag"),
            (self.qc_box, "Show takes by continuity QC (flicker, warp, frozen frames, cuts)"),
            (self.sort_box, "Order of the takes"),
        ):
            box.setToolTip(tip)
            box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the review grid
            box.currentIndexChanged.connect(self._on_filters_edited)

        # The filter bar wraps onto a second line in a narrow window instead of setting the window's
        # minimum width (it asked for ~1145 px at 1366×768); a long camera name is elided.
        self.camera_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.camera_box.setMinimumContentsLength(12)
        bar = FlowLayout(spacing=4, margins=(4, 2, 4, 2))
        for w in (self.camera_box, self.rating_box, self.flag_box, self.qc_box, self.sort_box):
            bar.addWidget(w)
        self.group_box = QCheckBox("Group variations")
        self.group_box.setToolTip("Show each take followed by the takes made from it (more like this, promote, extend…)")
        self.group_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the review grid
        self.group_box.toggled.connect(self.set_group_variations)
        bar.addWidget(self.group_box)
        bar.addWidget(self.count_label)

        self.view = _TakeListView(self)
        self.view.setModel(self.model)
        self.view.setItemDelegate(TakeDelegate(self.view, self.thumbnails.box))
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setWrapping(True)
        self.view.setSpacing(4)
        # Uniform sizes let the view lay out 2,000 tiles without asking each for a size hint.
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setDragEnabled(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setMouseTracking(True)
        self.view.activated.connect(self._on_view_activated)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(self._update_count)
        self.model.rowsRemoved.connect(self._update_count)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.setFocusProxy(self.view)
        self.context_extras: list[QAction | None] = []  # the window adds the Take Bin
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_context_menu)
        session.changed.connect(self._on_session_changed)
        self._fill_cameras()

    # -- public ------------------------------------------------------------------------------

    def set_shot(self, shot_id: int | None) -> None:
        self.model.set_shot(shot_id)
        self._fill_cameras()
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(0))
        self.selection_changed.emit(self.selected_take_ids())

    def shot_id(self) -> int | None:
        return self.model.shot_id

    def set_filter(self, *, camera_id: int | None = None, min_rating: int = 0, flag: TakeFlag | None = None, hide_rejected: bool = False,
                   qc: str | None = None) -> None:
        """Set the filters from code; the toolbar follows."""
        self._set_box(self.camera_box, camera_id)
        self._set_box(self.rating_box, min_rating)
        self._set_box(self.qc_box, qc)
        choice = next(i for i, (_, f, h) in enumerate(FLAG_CHOICES) if f == flag and h == hide_rejected)
        self.flag_box.setCurrentIndex(choice)
        self._on_filters_edited()

    def set_group_variations(self, on: bool) -> None:
        """Group each take with its variations (the toolbar's checkbox follows)."""
        if self.group_box.isChecked() != bool(on):
            self.group_box.setChecked(bool(on))  # comes back here through `toggled`
            return
        self.model.set_group_variations(on)

    def set_sort(self, sort: str) -> None:
        self._set_box(self.sort_box, sort)

    def current_take_id(self) -> int | None:
        index = self.view.currentIndex()
        return index.data(TakesModel.TakeIdRole) if index.isValid() else None

    def selected_take_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        return [self.model.take_at(r).id for r in rows]

    def select_takes(self, take_ids: list[int]) -> None:
        selection = QItemSelection()
        for take_id in take_ids:
            index = self.model.index_of(take_id)
            if index.isValid():
                selection.select(index, index)
        sm = self.view.selectionModel()
        sm.select(selection, sm.SelectionFlag.ClearAndSelect)
        if take_ids and self.model.index_of(take_ids[0]).isValid():
            sm.setCurrentIndex(self.model.index_of(take_ids[0]), sm.SelectionFlag.NoUpdate)

    # -- review keys -------------------------------------------------------------------------

    def handle_review_key(self, event: QKeyEvent) -> bool:
        """Review keys without modifiers; True if the key was ours."""
        if event.modifiers() & ~(Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier):
            return False
        key = event.key()
        targets = self._targets()
        if key in RATING_KEYS:
            self._push_all("Rate takes", [SetTakeFields(t, rating=RATING_KEYS[key]) for t in targets])
        elif key in FLAG_KEYS:
            self._push_all("Flag takes", [SetTakeFields(t, flag=FLAG_KEYS[key]) for t in targets])
        elif key == Qt.Key.Key_Delete or key == Qt.Key.Key_Backspace:
            self._push_all("Move takes to the bin", [DeleteTake(t) for t in targets])
        elif key == Qt.Key.Key_N:
            if self.current_take_id() is not None:
                self.edit_note(self.current_take_id())
        elif key == Qt.Key.Key_C:
            self.request_compare()
        elif key == Qt.Key.Key_Space:
            if self.current_take_id() is not None:
                self.action_requested.emit("play", self.current_take_id())
        else:
            return False
        return True

    def request_compare(self) -> bool:
        ids = self.selected_take_ids()
        if 2 <= len(ids) <= 4:
            self.compare_requested.emit(ids)
            return True
        self.count_label.setText(f"select 2–4 takes to compare ({len(ids)} selected)")
        return False

    def edit_note(self, take_id: int) -> NoteDialog:
        take = self.model.take_at(self.model.row_of(take_id)) if self.model.row_of(take_id) is not None else None
        dialog = NoteDialog(take_id, take.notes if take else "", self)
        dialog.accepted.connect(lambda: self._on_note_accepted(dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.note_dialog = dialog
        dialog.open()
        self.note_dialog_opened.emit(dialog)
        return dialog

    # -- right-click -------------------------------------------------------------------------

    def context_menu(self, index: QModelIndex) -> QMenu | None:
        """The menu for the take under the pointer (it joins the selection if it was not in it)."""
        if not index.isValid():
            return None
        take_id = index.data(TakesModel.TakeIdRole)
        if take_id not in self.selected_take_ids():
            self.select_takes([take_id])
        self.view.selectionModel().setCurrentIndex(index, self.view.selectionModel().SelectionFlag.NoUpdate)
        take = self.model.take_at(index.row())
        targets = self._targets()
        many = f" {len(targets)} Takes" if len(targets) > 1 else ""
        can_place = not self.session.project.readonly
        try:  # a locked shot's takes are frozen and it takes no new jobs: say so by greying those out
            writable = can_place and not get_shot(self.session.project, take.shot_id).locked
        except DirectorError:
            writable = False
        menu = QMenu(self)

        def add(text: str, slot, key: str | None = None, enabled: bool = True, parent: QMenu = menu) -> QAction:
            action = parent.addAction(text)
            if key:
                action.setShortcut(QKeySequence(key))  # shown in the menu; the keys work in the grid
            action.triggered.connect(slot)
            action.setEnabled(enabled)
            return action

        add("&Play", lambda: self.action_requested.emit("play", take_id), "Space")
        rate = menu.addMenu("&Rate")
        rate.setEnabled(writable)
        for n in range(5, -1, -1):
            add("★" * n if n else "Clear rating", lambda _c=False, n=n: self._push_all("Rate takes", [SetTakeFields(t, rating=n) for t in targets]),
                str(n), parent=rate)
        for text, flag, key in (("&Select", TakeFlag.SELECTED, "P"), ("Re&ject", TakeFlag.REJECTED, "X"), ("&Unflag", TakeFlag.NONE, "U")):
            add(text + many, lambda _c=False, f=flag: self._push_all("Flag takes", [SetTakeFields(t, flag=f) for t in targets]), key, writable)
        add("&Note…", lambda: self.edit_note(take_id), "N", writable)
        add("&Compare", self.request_compare, "C", 2 <= len(targets) <= 4)
        menu.addSeparator()
        add("Add to &Timeline", lambda: self.add_to_timeline(take_id), None, can_place)
        video = take.kind is MediaKind.VIDEO
        add("&Use in Cut", lambda: self.use_in_cut(take_id), None, can_place)
        for action, text, enabled in (("promote", "Pro&mote", True), ("i2v", "Image to &Video", not video),
                                      ("extend", "&Extend", video and take.frames > 1), ("rerender", "Re-&render", True),
                                      ("more", "More &Like This", True)):
            add(text, lambda _c=False, a=action: self.action_requested.emit(a, take_id), None, writable and enabled)
        if take.preset == "previz":  # core.blocking.PREVIZ_PRESET: a model take guided by its depth video
            add("&Generate from Previz", lambda: self.action_requested.emit("from_previz", take_id), None, writable)
        add("Reveal in &Folder", lambda: self.action_requested.emit("reveal", take_id))
        menu.addSeparator()
        add(f"Move{many} to &Bin", lambda: self._push_all("Move takes to the bin", [DeleteTake(t) for t in targets]), "Del", writable)
        for extra in self.context_extras:
            menu.addSeparator() if extra is None else menu.addAction(extra)
        return menu

    def _on_context_menu(self, pos: QPoint) -> None:
        menu = self.context_menu(self.view.indexAt(pos))
        if menu is None:
            menu = QMenu(self)
            for extra in self.context_extras:
                if extra is not None:
                    menu.addAction(extra)
            if menu.isEmpty():
                menu.deleteLater()
                return
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def add_to_timeline(self, take_id: int) -> bool:
        """The take's shot at the end of the current cut, showing this take (undoable)."""
        try:
            edit = st.insert_take(self.session.project, take_id)
        except DirectorError as exc:
            self.session.error_raised.emit(str(exc))
            return False
        return self.session.push(edit)

    def use_in_cut(self, take_id: int) -> bool:
        """Show this take in the cut where its shot's clip shows its source (undoable)."""
        return use_in_cut(self.session, take_id)

    def show_new_take(self, take_id: int) -> bool:
        """Select a take that just landed (a promote, extend… of one here) and scroll to it; False
        when the gallery shows another shot or filters it out."""
        index = self.model.index_of(take_id)
        if not index.isValid():
            return False
        # select_takes also makes it current, without the view's own selection command: that reads
        # the keyboard's modifiers, and with Ctrl held it toggled the new take out of the selection.
        self.select_takes([take_id])
        self.view.scrollTo(index)
        return True

    # -- handlers ----------------------------------------------------------------------------

    def _targets(self) -> list[int]:
        ids = self.selected_take_ids()
        if not ids and self.current_take_id() is not None:
            ids = [self.current_take_id()]
        return ids

    def _push_all(self, text: str, edits: list) -> None:
        if not edits:
            return
        stack = self.session.undo_stack
        if len(edits) > 1:
            stack.beginMacro(text)
        try:
            for edit in edits:
                self.session.push(edit)
        finally:
            if len(edits) > 1:
                stack.endMacro()

    def _on_note_accepted(self, dialog: NoteDialog) -> None:
        self.session.push(SetTakeFields(dialog.take_id, notes=dialog.text()))
        if self.note_dialog is dialog:
            self.note_dialog = None

    def _on_filters_edited(self, *_: object) -> None:
        _, flag, hide = FLAG_CHOICES[max(0, self.flag_box.currentIndex())]
        self.model.set_filter(
            TakeFilter(
                camera_id=self.camera_box.currentData(),
                min_rating=self.rating_box.currentData() or 0,
                flag=flag,
                hide_rejected=hide,
                qc=self.qc_box.currentData(),
            )
        )
        sort = self.sort_box.currentData()
        if sort:
            self.model.set_sort(sort)
        self._update_count()

    def _on_session_changed(self, changes) -> None:
        if changes.cameras and self.model.shot_id is not None:
            self._fill_cameras()

    def _on_view_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.take_activated.emit(index.data(TakesModel.TakeIdRole))

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # Arrow-key review: the viewer follows the current tile.
        if current.isValid():
            self.take_activated.emit(current.data(TakesModel.TakeIdRole))

    def _on_selection_changed(self, *_: object) -> None:
        self.selection_changed.emit(self.selected_take_ids())

    def _fill_cameras(self) -> None:
        current = self.camera_box.currentData()
        self.camera_box.blockSignals(True)
        self.camera_box.clear()
        self.camera_box.addItem("All cameras", None)
        for camera_id, name in sorted(self.model.camera_names().items(), key=lambda kv: kv[1]):
            self.camera_box.addItem(f"Camera {name}", camera_id)
        index = self.camera_box.findData(current)
        self.camera_box.setCurrentIndex(max(0, index))
        self.camera_box.blockSignals(False)
        if index < 0 and current is not None:
            self._on_filters_edited()

    def _set_box(self, box: QComboBox, value) -> None:
        index = box.findData(value)
        box.blockSignals(True)
        box.setCurrentIndex(max(0, index))
        box.blockSignals(False)
        if box is self.sort_box:
            self._on_filters_edited()

    def _update_count(self, *_: object) -> None:
        n = self.model.rowCount()
        self.count_label.setText(f"{n} take{'s' if n != 1 else ''}")
