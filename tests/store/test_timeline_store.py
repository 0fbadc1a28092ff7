"""The timeline in the project file: migration, each edit persisted and reverted, cut resolution, locks."""

from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from director.core.errors import InvalidInput, Refused
from director.core.timeline import Gap
from director.store import jobs, shots, takes
from director.store import timeline as st
from director.store.cameras import add_camera, list_cameras
from director.store.project import Project
from director.store.schema import APPLICATION_ID, migrations


def add_take(project, shot_id, camera_id, *, frames=48, flag=None, fps=24, kind="video"):
    job_id, _ = jobs.create_job(project, shot_id=shot_id, camera_id=camera_id, prompt_id=None, preset="tiny", params={}, seeds=[1])
    rel = project.media.put_bytes(f"take {shot_id} {camera_id} {job_id}".encode(), "mp4" if kind == "video" else "png")
    take_id = takes.insert_take(project, job_id, {"seed": 1, "kind": kind, "media_path": rel, "width": 64, "height": 64, "frames": frames, "fps_num": fps, "fps_den": 1})
    if flag:
        takes.set_take_fields(project, take_id, flag=flag)
    return take_id


@pytest.fixture
def project(tmp_path):
    p = Project.create(tmp_path / "film")
    yield p
    p.close()


def shot_with_cameras(project, code, names=("A", "B")):
    shot, _ = shots.add_shot(project, code, cameras=names[:1])
    for n in names[1:]:
        add_camera(project, shot.id, n)
    return shot, [c.id for c in list_cameras(project, shot.id)]


def test_a_new_project_has_an_empty_timeline_called_cut(project):
    t = st.load_timeline(project)
    assert t.name == "Cut" and [tr.name for tr in t.tracks] == ["V1"] and t.duration == 0
    assert st.build_cut(project).segments == ()


def test_opening_a_version_2_file_adds_the_timeline_and_keeps_every_row(tmp_path):
    path = tmp_path / "old.director"
    db = Database(sqlite3.connect(str(path)))
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    migrations.apply(db, stop_before="0003_timeline")
    db["project"].insert({"id": 1, "name": "old", "created_at": "2026-01-01T00:00:00Z"})
    db["shots"].insert({"id": 7, "code": "12A", "ord": 1, "created_at": "2026-01-01T00:00:00Z"})
    db.execute("PRAGMA user_version = 2")
    db.conn.commit()
    db.close()
    with Project.open(path) as p:
        assert [s.code for s in shots.list_shots(p)] == ["12A"]
        assert st.list_timelines(p) == [(1, "Cut")]
        edit = st.insert_shot(p, 7)
        edit.apply(p)
        assert st.load_timeline(p).track(1).items[0].shot_id == 7
    assert list((tmp_path / "old.director-backups").iterdir())  # a copy was made before the upgrade


def test_insert_uses_target_length_clamped_to_the_takes(project):
    shot, (a, b) = shot_with_cameras(project, "1")
    add_take(project, shot.id, a, frames=60)
    add_take(project, shot.id, b, frames=40)
    edit = st.insert_shot(project, shot.id)
    assert edit.apply(project).timeline
    clip = st.load_timeline(project).track(1).items[0]
    assert (clip.duration, clip.camera_id, clip.takes) == (40, a, {})  # 96 target, B has only 40 frames


def test_every_edit_persists_and_reverts_exactly(project):
    s1, (a1, b1) = shot_with_cameras(project, "1")
    s2, (a2, b2) = shot_with_cameras(project, "2")
    for s, cams in ((s1, (a1, b1)), (s2, (a2, b2))):
        for cam in cams:
            add_take(project, s.id, cam, frames=200, flag="selected")
    st.insert_shot(project, s1.id, duration=50).apply(project)
    st.insert_shot(project, s2.id, duration=30).apply(project)
    first, second = [i.id for i in st.load_timeline(project).track(1).items]
    other_take = add_take(project, s2.id, b2, frames=200)
    verbs = [
        lambda: st.insert_shot(project, s2.id, index=0, duration=10),
        lambda: st.move_clip(project, second, 0),
        lambda: st.trim_clip(project, first, "head", delta=5),
        lambda: st.trim_clip(project, first, "tail", to_frame=60),
        lambda: st.split_clip(project, 20),
        lambda: st.ripple_delete(project, first),
        lambda: st.lift_clip(project, first),
        lambda: st.set_clip_take(project, second, other_take),
        lambda: st.cut_to_camera(project, 55, number=2),
        lambda: st.cut_to_camera(project, 10, name="b"),
    ]
    for make in verbs:
        before = st.load_timeline(project)
        cut_before = st.build_cut(project)
        edit = make()
        edit.apply(project)
        after = st.load_timeline(project)
        assert after == edit.edit.apply(before) and after != before, edit.text
        edit.revert(project)
        assert st.load_timeline(project) == before and st.build_cut(project) == cut_before, edit.text
        edit.apply(project)  # redo recreates the same rows
        assert st.load_timeline(project) == after, edit.text
        edit.revert(project)


def test_split_then_cut_then_undo_in_order_like_an_undo_stack(project):
    s, (a, b) = shot_with_cameras(project, "5")
    add_take(project, s.id, a, frames=100)
    add_take(project, s.id, b, frames=100)
    done = []
    for make in (lambda: st.insert_shot(project, s.id, duration=96), lambda: st.split_clip(project, 48), lambda: st.cut_to_camera(project, 60, name="B")):
        e = make()
        e.apply(project)
        done.append(e)
    cut = st.build_cut(project)
    assert [(g.record_start, g.duration, g.camera, g.source_start) for g in cut.segments] == [(0, 48, "A", 0), (48, 12, "A", 48), (60, 36, "B", 60)]
    for e in reversed(done):
        e.revert(project)
    assert st.load_timeline(project).duration == 0
    for e in done:
        e.apply(project)
    assert st.build_cut(project) == cut


def test_build_cut_shows_the_chosen_take_then_the_selected_one(project):
    s, (a, b) = shot_with_cameras(project, "3")
    older = add_take(project, s.id, a, flag="selected")
    newest = add_take(project, s.id, a)
    st.insert_shot(project, s.id, duration=24).apply(project)
    assert st.build_cut(project).segments[0].take_id == older
    clip = st.load_timeline(project).track(1).items[0]
    st.set_clip_take(project, clip.id, newest).apply(project)
    assert st.build_cut(project).segments[0].take_id == newest
    takes.set_take_deleted(project, newest, True)
    takes.empty_bin(project)  # the chosen take is gone for good: the clip falls back, nothing breaks
    assert st.build_cut(project).segments[0].take_id == older
    st.cut_to_camera(project, 12, name="B").apply(project)
    missing = st.build_cut(project).segments[1]
    assert missing.take_id is None and missing.kind == "gap" and "camera B" in missing.metadata["missing"]


def test_a_locked_shot_keeps_its_clip(project):
    s, (a, b) = shot_with_cameras(project, "4")
    other, _ = shot_with_cameras(project, "6", ("A",))
    add_take(project, s.id, a)
    st.insert_shot(project, s.id, duration=24).apply(project)
    st.insert_shot(project, other.id, duration=24).apply(project)
    locked_clip, free_clip = [i.id for i in st.load_timeline(project).track(1).items]
    undo_me = st.trim_clip(project, locked_clip, "tail", delta=-4)
    undo_me.apply(project)
    shots.update_shot(project, s.id, status="locked")
    for make in (
        lambda: st.trim_clip(project, locked_clip, "tail", delta=-2),
        lambda: st.split_clip(project, 10),
        lambda: st.ripple_delete(project, locked_clip),
        lambda: st.lift_clip(project, locked_clip),
        lambda: st.cut_to_camera(project, 5, name="B"),
        lambda: st.move_clip(project, locked_clip, 1),
    ):
        with pytest.raises(Refused, match="shot 4 is locked"):
            make().apply(project)
    with pytest.raises(Refused, match="locked"):
        undo_me.revert(project)
    # Edits that only shift the locked clip in time are allowed.
    st.move_clip(project, free_clip, 0).apply(project)
    assert [i.id for i in st.load_timeline(project).track(1).items] == [free_clip, locked_clip]


def test_bad_edits_say_why(project):
    s, (a,) = shot_with_cameras(project, "8", ("A",))
    t = add_take(project, s.id, a, frames=30)
    st.insert_take(project, t).apply(project)
    clip = st.load_timeline(project).track(1).items[0]
    assert clip.duration == 30 and clip.takes == {a: t}
    with pytest.raises(InvalidInput, match="only 30 frames"):
        st.trim_clip(project, clip.id, "tail", delta=1)
    with pytest.raises(InvalidInput, match="no camera 2"):
        st.cut_to_camera(project, 3, number=2)
    with pytest.raises(InvalidInput, match="no clip at frame"):
        st.split_clip(project, 30)
    st.lift_clip(project, clip.id).apply(project)
    assert isinstance(st.load_timeline(project).track(1).items[0], Gap)
    assert st.build_cut(project).segments[0].kind == "gap"
