"""Sound follows the cut edits: a duplicated cut has its own copy of the audio tracks, clips and
picture clips' sound settings; undoing a cut's delete puts its sound back row for row; undoing a
ripple delete or a lift brings a clip back with its J/L, gain and sound take."""

from __future__ import annotations

import pytest

from director.cli import main
from director.store import audio, cuts
from director.store import timeline as st
from director.store.project import Project
from tests.export.sound_film import add_video_take, click_sound, make_shot
from tests.store.test_audio_store import write_sound

SOUND_TABLES = ("audio_tracks", "audio_clips", "clip_sound")


def sound_rows(project: Project, timeline_id: int | None = None) -> dict[str, set[tuple]]:
    """Every sound row (of one cut when named), as tuples."""
    out = {}
    for table in SOUND_TABLES:
        cur = project.db.execute(f"SELECT * FROM {table} ORDER BY 1")
        names = [d[0] for d in cur.description]
        found = [dict(zip(names, r)) for r in cur.fetchall()]
        if timeline_id is not None:
            found = [r for r in found if _timeline_of(project, table, r) == timeline_id]
        out[table] = {tuple(r.values()) for r in found}
    return out


def _timeline_of(project: Project, table: str, row: dict) -> int:
    if table == "audio_tracks":
        return row["timeline_id"]
    if table == "audio_clips":
        return project.db.execute("SELECT timeline_id FROM audio_tracks WHERE id = ?", [row["track_id"]]).fetchone()[0]
    return st.timeline_of_item(project, row["clip_id"])


@pytest.fixture
def film(tmp_path):
    """Two shots with sound on the first cut; a music bed on A2 at -6 dB; clip 1 with an L cut,
    a gain and its sound kept on camera A's take; A1 muted."""
    project = Project.create(tmp_path / "film.director", fps="24", width=64, height=64)
    rate = project.settings().rate
    one, two = make_shot(project, "1", ("A", "B")), make_shot(project, "2")
    a = add_video_take(project, one, "A", 48, rate)
    add_video_take(project, one, "B", 48, rate, seed=2)
    audio.set_take_audio(project, a, click_sound(48, rate, 12))
    first = st.insert_shot(project, one, take_id=a, duration=24)
    first.apply(project)
    st.insert_shot(project, two, duration=24).apply(project)
    tid = st.default_timeline_id(project)
    music, _ = audio.import_audio(project, write_sound(tmp_path / "bed.wav", seconds=0.5, rate=48000))
    audio.add_clip(project, tid, music, 30 * 2000, gain_db=-6).apply(project)
    clip = first.edit.subjects[0]
    audio.set_clip_sound(project, clip, lag=4000, gain_db=-3, take_id=a).apply(project)
    audio.set_track(project, tid, "A1", mute=True).apply(project)
    project.film = {"timeline": tid, "clip": clip, "take": a, "music": music}
    yield project
    project.close()


def unrelated_sound(project: Project, timeline_id: int) -> None:
    """New sound rows elsewhere, so a re-insert without its own ids would get other ones."""
    music = project.film["music"]
    audio.add_clip(project, timeline_id, music, 0, track="FX").apply(project)


def test_duplicating_a_cut_copies_its_sound_under_new_ids(film):
    tid = film.film["timeline"]
    before = sound_rows(film, tid)
    edit = cuts.duplicate_cut(film, tid, "Short version")
    edit.apply(film)
    copy = edit.timeline_id
    assert sound_rows(film, tid) == before  # the original keeps its own
    copied = sound_rows(film, copy)
    for table in SOUND_TABLES:
        assert len(copied[table]) == len(before[table]) > 0 and not copied[table] & before[table], table
    assert [(t.name, t.kind, t.mute, t.gain_db, [(c.record_start, c.gain_db, c.audio_id) for c in t.clips]) for t in audio.tracks(film, copy)] == \
           [(t.name, t.kind, t.mute, t.gain_db, [(c.record_start, c.gain_db, c.audio_id) for c in t.clips]) for t in audio.tracks(film, tid)]
    # both cuts sound the same, and an edit of the copy's sound leaves the original as it was
    same = [audio.mix_plan(film, t, st.build_cut(film, t)).tracks for t in (tid, copy)]
    assert same[0] == same[1]
    bed = next(t for t in audio.tracks(film, copy) if t.name == "A2").clips[0]
    audio.set_clip_gain(film, bed.id, -20).apply(film)
    assert sound_rows(film, tid) == before
    # undo removes the copy's sound with it; redo brings it back under the same ids
    audio.set_clip_gain(film, bed.id, -6).apply(film)
    edit.revert(film)
    assert sound_rows(film, copy) == {t: set() for t in SOUND_TABLES}
    unrelated_sound(film, tid)
    edit.apply(film)
    assert sound_rows(film, copy) == copied


def test_undoing_a_cut_delete_puts_its_sound_back_row_for_row(film):
    tid = film.film["timeline"]
    cuts.NewCut("Spare").apply(film)
    before = sound_rows(film, tid)
    delete = cuts.DeleteCut(tid)
    delete.apply(film)
    assert not any(sound_rows(film)[t] & before[t] for t in SOUND_TABLES)
    unrelated_sound(film, st.default_timeline_id(film))
    delete.revert(film)
    assert sound_rows(film, tid) == before
    assert audio.find_track(film, tid, "A1").mute


def test_undoing_a_ripple_delete_or_a_lift_restores_the_clips_sound_settings(film):
    clip, take = film.film["clip"], film.film["take"]
    settings = sound_rows(film)["clip_sound"]
    assert {(r[0], r[1], r[2], r[3], r[4]) for r in settings} == {(clip, 0, 4000, -3.0, take)}
    for make in (st.ripple_delete, st.lift_clip):
        edit = make(film, clip)
        edit.apply(film)
        assert sound_rows(film)["clip_sound"] == set()
        edit.revert(film)
        assert sound_rows(film)["clip_sound"] == settings
        edit.apply(film)  # redo, then undo again: the same
        edit.revert(film)
        assert sound_rows(film)["clip_sound"] == settings
    tid = film.film["timeline"]
    plan = audio.mix_plan(film, tid, st.build_cut(film, tid))
    a1 = next(t for t in plan.tracks if t.name == "A1")
    assert a1.pieces[-1].record_end == 24 * 2000 + 4000  # the L cut runs past the clip again


def test_timeline_duplicate_from_the_command_line_copies_the_sound(film, capsys):
    path = str(film.path)
    film.close()
    assert main(["timeline", "duplicate", path, "Alt"]) == 0
    with Project.open(path, readonly=True) as p:
        copy = cuts.find_timeline(p, "Alt")
        assert [t.name for t in audio.tracks(p, copy)] == ["A1", "A2"]
        assert sound_rows(p, copy)["clip_sound"] and audio.find_track(p, copy, "A1").mute
