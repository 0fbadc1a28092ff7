"""Sound in the project file: migration 0013 on an old file, import of every format (and refusal of
what is not sound, changing nothing), takes' own sound, undoable track edits, purge keeps sound."""

from __future__ import annotations

import sqlite3
import subprocess

import av
import numpy as np
import pytest
from sqlite_utils import Database

from director.core.audio import SAMPLE_RATE
from director.core.errors import InvalidInput, Refused
from director.store import Project, audio
from director.store import timeline as st
from director.store.check import purge_media, referenced_media
from director.store.schema import APPLICATION_ID, SCHEMA_VERSION, migrations
from tests.export.sound_film import add_video_take, click_sound, make_shot


def tone(seconds: float, rate: int = 44100, freq: float = 440.0, channels: int = 1) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return np.repeat((0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)[:, None], channels, axis=1)


def write_sound(path, seconds=0.5, rate=44100, channels=1, freq=440.0):
    """A tone in any format ffmpeg writes (by suffix)."""
    wav = path.with_suffix(".src.wav")
    import wave

    with wave.open(str(wav), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((tone(seconds, rate, freq=freq, channels=channels) * 32767).astype("<i2").tobytes())
    if path.suffix == ".wav":
        wav.rename(path)
    else:
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), str(path)], check=True)
        wav.unlink()
    return path


def test_migration_0013_upgrades_a_file_from_before_sound(tmp_path):
    path = tmp_path / "old.director"
    db = Database(sqlite3.connect(path))
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    migrations.apply(db, stop_before="0013_audio")
    db["project"].insert({"id": 1, "name": "before sound", "created_at": "2026-01-01T00:00:00+00:00"})
    db["shots"].insert({"code": "1A", "title": "old", "ord": 1, "created_at": "2026-01-01T00:00:00+00:00"})
    version = len(migrations.applied(db))
    db.execute(f"PRAGMA user_version = {version}")
    db.conn.commit()
    db.close()
    assert "audio_files" not in Database(sqlite3.connect(path)).table_names()
    with Project.open(path) as p:
        assert p.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        for table in ("audio_files", "take_audio", "audio_tracks", "audio_clips", "clip_sound"):
            assert p.db[table].exists()
        assert [t.name for t in audio.tracks(p, st.default_timeline_id(p))] == ["A1"]
        assert p.db.execute("SELECT code FROM shots").fetchall() == [("1A",)]
    assert len(list((tmp_path / "old.director-backups").iterdir())) == 1


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".mp3", ".aac"])
def test_import_decodes_every_format_to_48k_stereo(project, tmp_path, suffix):
    source = write_sound(tmp_path / f"dialogue{suffix}", seconds=0.5, rate=44100, channels=1)
    found, _ = audio.import_audio(project, source)
    assert found.name == "dialogue" and found.source_name == source.name
    # 0.5 s at 48 kHz; lossy coders pad by up to a couple of frames
    assert abs(found.samples - SAMPLE_RATE // 2) <= 2 * 1152 + 1024
    from director.store.audio_media import read_wav

    samples = read_wav(project.media.path(found.media_path))
    assert samples.shape[1] == 2 and np.allclose(samples[:, 0], samples[:, 1], atol=1e-3)
    assert 0.45 < float(np.abs(samples).max()) < 0.56  # mono copied to both sides at full level
    assert [a.id for a in audio.list_audio(project)] == [found.id]


@pytest.mark.parametrize("content", [b"", b"not sound at all, just text\n" * 50, b"RIFF\x00\x00\x00\x00WAVEfmt garbage"])
def test_a_file_that_is_not_sound_is_refused_and_changes_nothing(project, tmp_path, content):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(content)
    before = set(project.media.stored())
    with pytest.raises(InvalidInput, match="bad.wav"):
        audio.import_audio(project, bad)
    assert audio.list_audio(project) == []
    assert set(project.media.stored()) == before
    assert not any(project.media.tmp.iterdir()) if project.media.tmp.exists() else True


def test_a_video_without_sound_and_a_wrong_suffix_are_refused(project, tmp_path):
    with pytest.raises(InvalidInput, match="sound file"):
        audio.import_audio(project, tmp_path / "notes.txt")
    silent = tmp_path / "silent.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=32x32:d=0.2", "-c:v", "libx264", "-f", "mp4", str(silent)], check=True)
    with pytest.raises(InvalidInput, match="no audio stream"):
        audio.import_audio(project, silent)


def test_import_into_a_read_only_project_is_refused(tmp_path):
    path = tmp_path / "ro.director"
    Project.create(path).close()
    with Project.open(path, readonly=True) as p:
        with pytest.raises(Refused):
            audio.import_audio(p, write_sound(tmp_path / "x.wav"))


def test_takes_sound_is_kept_by_purge_and_a_silent_take_has_none(project, tmp_path):
    rate = project.settings().rate
    shot = make_shot(project, "1")
    loud = add_video_take(project, shot, "A", 24, rate, seed=1)
    silent = add_video_take(project, shot, "A", 24, rate, seed=2)
    audio.set_take_audio(project, loud, click_sound(24, rate, 3))
    imported, _ = audio.import_audio(project, write_sound(tmp_path / "music.wav"))
    assert set(audio.take_sound(project)) == {loud}
    assert audio.has_sound(project, loud) and not audio.has_sound(project, silent)
    refs = referenced_media(project)
    assert imported.media_path in refs and audio.take_sound(project)[loud][0] in refs
    purge_media(project)
    assert project.media.path(imported.media_path).is_file()
    assert project.media.path(audio.take_sound(project)[loud][0]).is_file()


def test_track_edits_undo_and_redo_with_the_same_ids(project, tmp_path):
    tid = st.default_timeline_id(project)
    music, _ = audio.import_audio(project, write_sound(tmp_path / "music.wav", seconds=1.0))
    add = audio.add_clip(project, tid, music, 0, gain_db=-6)
    add.apply(project)
    [a1, a2] = audio.tracks(project, tid)
    assert (a1.name, a2.name) == ("A1", "A2") and a2.clips[0].gain_db == -6
    second = audio.add_clip(project, tid, music, 10)  # overlaps on A2: goes to a new track
    second.apply(project)
    assert [t.name for t in audio.tracks(project, tid)] == ["A1", "A2", "A3"]
    mute = audio.set_track(project, tid, "A1", mute=True)
    mute.apply(project)
    assert audio.find_track(project, tid, "a1").mute
    mute.revert(project)
    assert not audio.find_track(project, tid, "A1").mute
    second.revert(project)
    add.revert(project)
    assert [t.name for t in audio.tracks(project, tid)] == ["A1"]
    add.apply(project)
    assert audio.tracks(project, tid)[1].clips[0].id == a2.clips[0].id
    with pytest.raises(InvalidInput, match="overlap"):
        audio.add_clip(project, tid, music, 100, track="A2")
    with pytest.raises(InvalidInput, match="out of range"):
        audio.set_clip_gain(project, a2.clips[0].id, 60)
