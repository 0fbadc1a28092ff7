"""Sound in the project file: imported sounds, takes' own sound, audio tracks and the mix plan.

Imported files and takes' sound live in the media folder as 48 kHz stereo WAV (store.audio_media),
named by content like the pictures; a row names a file only after it is complete. A take without a
`take_audio` row is silent: nothing ever invents its sound. Edits of tracks and clips are undoable
`RowsEdit`s whose ids are drawn up front (store.ids), so redo after undo recreates the same rows.

`mix_plan` is the one place that turns a cut into what to mix: the takes' own sound derived from the
flattened picture (core.audio.linked_pieces) on track A1, then each audio track's clips.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from director.core import audio as ca
from director.core.changes import Changes
from director.core.cut import Cut
from director.core.errors import InvalidInput, NotFound, Refused
from director.store.audio_media import IMPORTABLE, decode, wav_samples, write_wav
from director.store.ids import next_id
from director.store.project import Project, utc_now
from director.store.rows import one, rows, scalar
from director.store.shot_resolver import ShotResolver

CHANGED = Changes(timeline=True)
PKS = {"audio_tracks": "id", "audio_clips": "id", "clip_sound": "clip_id"}


@dataclass(frozen=True)
class AudioFile:
    id: int
    name: str
    media_path: str
    samples: int
    source_name: str = ""

    @property
    def seconds(self) -> float:
        return self.samples / ca.SAMPLE_RATE


# -- sound files ---------------------------------------------------------------------------------


def _store_samples(project: Project, samples: np.ndarray) -> tuple[str, int]:
    """Write samples as a stored WAV (temp file, then its content address)."""
    temp = project.media.temp_path(".wav")
    try:
        n = write_wav(temp, samples)
        return project.media.adopt(temp, "wav"), n
    finally:
        temp.unlink(missing_ok=True)


def import_audio(project: Project, source: str | Path, name: str | None = None) -> tuple[AudioFile, Changes]:
    """Decode a WAV, FLAC, MP3 or AAC file into the project's bin. A file that is not sound is
    refused before anything is written."""
    return record_import(project, prepare_import(project, source, name))


def prepare_import(project: Project, source: str | Path, name: str | None = None) -> AudioFile:
    """The slow half of an import, safe off the UI thread: check, decode and store the WAV in the
    media folder (no row yet, so an id of 0). `record_import` then adds the row on the writer's thread."""
    source = Path(source).expanduser()
    if source.suffix.lower() not in IMPORTABLE:
        raise InvalidInput(f"{source.name}: import a sound file ({', '.join(IMPORTABLE)}), not {source.suffix or 'a file without a suffix'}")
    if project.readonly:
        raise Refused(f"{project.path.name} is open read-only; close it elsewhere to import sound")
    name = (name or source.stem).strip()
    if not name:
        raise InvalidInput("a sound needs a name")
    samples = decode(source)
    relative, n = _store_samples(project, samples)
    return AudioFile(0, name, relative, n, source.name)


def record_import(project: Project, prepared: AudioFile) -> tuple[AudioFile, Changes]:
    """The row of a sound `prepare_import` stored (its file is complete before the row names it)."""
    with project.atomic() as db:
        audio_id = db["audio_files"].insert(
            {"name": prepared.name, "media_path": prepared.media_path, "samples": prepared.samples, "source_name": prepared.source_name,
             "created_at": utc_now()}
        ).last_pk
    return AudioFile(int(audio_id), prepared.name, prepared.media_path, prepared.samples, prepared.source_name), CHANGED


def list_audio(project: Project) -> list[AudioFile]:
    return [AudioFile(r["id"], r["name"], r["media_path"], r["samples"], r["source_name"])
            for r in rows(project.db, "SELECT * FROM audio_files ORDER BY id")]


def find_audio(project: Project, key: str | int) -> AudioFile:
    """A sound of the bin by id or name."""
    text = str(key).strip()
    found = [a for a in list_audio(project) if str(a.id) == text or a.name == text]
    if not found:
        raise NotFound(f"no sound {text!r} in the bin; see: director audio list {project.path.name}")
    if len(found) > 1:
        raise InvalidInput(f"{len(found)} sounds are called {text!r}; name one by its id")
    return found[0]


def set_take_audio(project: Project, take_id: int, samples: np.ndarray) -> Changes:
    """Store a take's own sound (a generation that made sound, through the same path the worker uses)."""
    if scalar(project.db, "SELECT count(*) FROM takes WHERE id = ?", [take_id]) == 0:
        raise NotFound(f"no take {take_id}")
    if len(samples) == 0:
        raise InvalidInput("a take's sound must have samples; a silent take has no sound row")
    relative, n = _store_samples(project, samples)
    with project.atomic() as db:
        record_take_audio(db, take_id, relative, n)
    return Changes.of(takes=[take_id])


def record_take_audio(db, take_id: int, media_path: str, samples: int) -> None:
    """Inside a caller's transaction (the runner's, with the take's own rows)."""
    db.execute("INSERT OR REPLACE INTO take_audio (take_id, media_path, samples) VALUES (?, ?, ?)", [take_id, media_path, samples])


def checked_take_sound(project: Project, values: dict) -> tuple[str, int] | None:
    """The (media path, samples) a finished job reports for a take's own sound, checked before its
    transaction: the file must be a stored sound of exactly that length. None: a silent take."""
    sound = values.get("sound")
    if not sound:
        return None
    relative, samples = sound
    path = project.media.path(relative)
    if not path.is_file():
        raise NotFound(f"sound {relative} is not in the store; the take was not recorded")
    try:
        held = wav_samples(path)
    except (OSError, EOFError, wave.Error) as exc:
        raise InvalidInput(f"sound {relative} is not a stored WAV ({exc}); the take was not recorded") from None
    if int(samples) <= 0 or held != int(samples):
        raise InvalidInput(f"sound {relative} holds {held} samples, not the {samples} reported; the take was not recorded")
    return relative, int(samples)


def take_sound(project: Project, take_ids=None) -> dict[int, tuple[str, int]]:
    """take id → (media path, samples) for the takes that have sound (all, or those named)."""
    if take_ids is None:
        found = rows(project.db, "SELECT take_id, media_path, samples FROM take_audio")
    else:
        ids = sorted({int(t) for t in take_ids if t is not None})
        found = []
        for k in range(0, len(ids), 500):
            part = ids[k : k + 500]
            found += rows(project.db, f"SELECT take_id, media_path, samples FROM take_audio WHERE take_id IN ({','.join('?' * len(part))})", part)
    return {r["take_id"]: (r["media_path"], r["samples"]) for r in found}


def has_sound(project: Project, take_id: int) -> bool:
    return bool(take_sound(project, [take_id]))


# -- tracks and clips ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackState:
    id: int | None
    name: str
    kind: str
    mute: bool = False
    solo: bool = False
    gain_db: float = 0.0
    clips: tuple[ca.AudioClip, ...] = ()


def tracks(project: Project, timeline_id: int) -> list[TrackState]:
    """A1 (the takes' own sound, always there) then the cut's audio tracks in order."""
    found = rows(project.db, "SELECT * FROM audio_tracks WHERE timeline_id = ? ORDER BY kind = 'clips', ord, id", [timeline_id])
    names = {r["id"]: r for r in rows(project.db, "SELECT id, name FROM audio_files")}
    clips: dict[int, list[ca.AudioClip]] = {}
    for r in rows(project.db, "SELECT c.* FROM audio_clips c JOIN audio_tracks t ON t.id = c.track_id WHERE t.timeline_id = ? ORDER BY c.record_start", [timeline_id]):
        clips.setdefault(r["track_id"], []).append(
            ca.AudioClip(r["id"], r["audio_id"], r["record_start"], r["source_in"], r["duration"], r["gain_db"], names.get(r["audio_id"], {}).get("name", ""))
        )
    out = []
    if not any(r["kind"] == "linked" for r in found):
        out.append(TrackState(None, ca.LINKED, "linked"))
    for r in found:
        out.append(TrackState(r["id"], r["name"], r["kind"], bool(r["mute"]), bool(r["solo"]), r["gain_db"], tuple(clips.get(r["id"], ()))))
    return out


def find_track(project: Project, timeline_id: int, name: str) -> TrackState:
    for t in tracks(project, timeline_id):
        if t.name.lower() == str(name).strip().lower():
            return t
    names = ", ".join(t.name for t in tracks(project, timeline_id))
    raise NotFound(f"no audio track {name!r} in this cut (tracks: {names})")


@dataclass
class RowsEdit:
    """An undoable edit of sound rows: each change is (table, key, before, after); None is 'no row'."""

    text: str
    changes: list[tuple[str, int, dict | None, dict | None]] = field(default_factory=list)

    def apply(self, project: Project) -> Changes:
        return _write(project, [(t, k, a) for t, k, _, a in self.changes])

    def revert(self, project: Project) -> Changes:
        return _write(project, [(t, k, b) for t, k, b, _ in reversed(self.changes)])


def _write(project: Project, steps) -> Changes:
    with project.atomic() as db:
        for table, key, row in steps:
            pk = PKS[table]
            if row is None:
                db.execute(f"DELETE FROM {table} WHERE {pk} = ?", [key])
            else:
                db[table].upsert({pk: key, **row}, pk=pk)
    return CHANGED


def _fresh(project: Project, table: str) -> int:
    with project.atomic() as db:
        return next_id(db, table)


def _row(project: Project, table: str, key: int) -> dict | None:
    r = one(project.db, f"SELECT * FROM {table} WHERE {PKS[table]} = ?", [key])
    if r is not None:
        r.pop(PKS[table])
    return r


def add_clip(project: Project, timeline_id: int, audio: AudioFile, record_start: int, *, source_in: int = 0,
             duration: int | None = None, gain_db: float = 0.0, track: str | None = None) -> RowsEdit:
    """Place a sound at a record sample: on the named track, else the first track it fits on, else
    on a new track (A2, A3…). It runs to its sound's end unless told."""
    ca.check_gain(gain_db)
    if not 0 <= source_in < audio.samples:
        raise InvalidInput(f"{audio.name} has {audio.samples} samples; it cannot start at sample {source_in}")
    length = audio.samples - source_in if duration is None else duration
    if length > audio.samples - source_in:
        raise InvalidInput(f"{audio.name} has only {audio.samples - source_in} samples from sample {source_in}")
    clip = ca.AudioClip(0, audio.id, record_start, source_in, length, gain_db)
    existing = [t for t in tracks(project, timeline_id) if t.kind == "clips"]
    edit = RowsEdit(f"Add sound {audio.name}")
    target = None
    if track is not None:
        target = next((t for t in existing if t.name.lower() == track.strip().lower()), None)
        if target is None and track.strip().upper() == ca.LINKED:
            raise InvalidInput(f"{ca.LINKED} carries the takes' own sound; put imported sound on another track")
    else:
        target = next((t for t in existing if ca.AudioTrack(0, t.name, t.clips).fits(clip)), None)
    if target is not None and not ca.AudioTrack(0, target.name, target.clips).fits(clip):
        raise InvalidInput(f"the sound would overlap a clip on track {target.name}; choose another track or place")
    if target is None:
        name = track.strip() if track else f"A{len(existing) + 2}"
        track_id = _fresh(project, "audio_tracks")
        edit.changes.append(("audio_tracks", track_id, None, {"timeline_id": timeline_id, "name": name, "kind": "clips", "ord": len(existing) + 1,
                                                              "mute": 0, "solo": 0, "gain_db": 0.0}))
    else:
        track_id = target.id
    clip_id = _fresh(project, "audio_clips")
    edit.changes.append(("audio_clips", clip_id, None, {"track_id": track_id, "audio_id": audio.id, "record_start": record_start,
                                                        "source_in": source_in, "duration": length, "gain_db": gain_db}))
    return edit


def _clip_row(project: Project, clip_id: int) -> dict:
    r = _row(project, "audio_clips", clip_id)
    if r is None:
        raise NotFound(f"no audio clip {clip_id}")
    return r


def set_clip_gain(project: Project, clip_id: int, gain_db: float) -> RowsEdit:
    before = _clip_row(project, clip_id)
    after = {**before, "gain_db": ca.check_gain(gain_db)}
    return RowsEdit(f"Gain {gain_db:+g} dB on sound clip {clip_id}", [("audio_clips", clip_id, before, after)])


def _placing(project: Project, clip_id: int) -> tuple[dict, ca.AudioClip, list[TrackState], TrackState]:
    """An audio clip's row, its value, its cut's tracks and its own track (what a move or trim checks against)."""
    row = _clip_row(project, clip_id)
    timeline_id = scalar(project.db, "SELECT timeline_id FROM audio_tracks WHERE id = ?", [row["track_id"]])
    lanes = tracks(project, timeline_id)
    own = next(t for t in lanes if t.id == row["track_id"])
    return row, next(c for c in own.clips if c.id == clip_id), lanes, own


def _samples_of(project: Project, audio_id: int) -> int:
    return int(scalar(project.db, "SELECT samples FROM audio_files WHERE id = ?", [audio_id]) or 0)


def move_clip(project: Project, clip_id: int, record_start: int, track: str | None = None) -> RowsEdit:
    """Play an audio clip from another record sample, on its own track or on another imported-clips
    track of its cut (named). Refused where it would start before the cut or overlap a clip there."""
    before, clip, lanes, target = _placing(project, clip_id)
    if track is not None:
        wanted = str(track).strip().lower()
        target = next((t for t in lanes if t.name.lower() == wanted), None)
        if target is None:
            raise NotFound(f"no audio track {track!r} in this cut (tracks: {', '.join(t.name for t in lanes)})")
        ca.check_clips_track(target.kind)
    new = ca.placed(ca.moved(clip, record_start), ca.AudioTrack(target.id or 0, target.name, target.clips), _samples_of(project, clip.audio_id))
    after = {**before, "track_id": target.id, "record_start": new.record_start}
    where = f" to track {target.name}" if target.id != before["track_id"] else ""
    return RowsEdit(f"Move sound clip {clip_id}{where}", [("audio_clips", clip_id, before, after)])


def trim_clip(project: Project, clip_id: int, source_in: int | None = None, duration: int | None = None) -> RowsEdit:
    """New edges for an audio clip, in samples: `source_in` moves its left edge (record start moves
    with it, so the sound stays in sync), `duration` its right edge; a new source in without a
    duration keeps the right edge where it is. Refused past the sound's end, before the cut's first
    frame, at zero length or over another clip of its track."""
    if source_in is None and duration is None:
        raise InvalidInput("say where the clip's edges go: a source in, a duration or both")
    before, clip, _, own = _placing(project, clip_id)
    new = ca.placed(ca.trimmed(clip, source_in, duration), ca.AudioTrack(own.id or 0, own.name, own.clips), _samples_of(project, clip.audio_id))
    after = {**before, "record_start": new.record_start, "source_in": new.source_in, "duration": new.duration}
    return RowsEdit(f"Trim sound clip {clip_id}", [("audio_clips", clip_id, before, after)])


def remove_clip(project: Project, clip_id: int) -> RowsEdit:
    return RowsEdit(f"Remove sound clip {clip_id}", [("audio_clips", clip_id, _clip_row(project, clip_id), None)])


def set_track(project: Project, timeline_id: int, name: str, *, mute: bool | None = None, solo: bool | None = None,
              gain_db: float | None = None) -> RowsEdit:
    """Mute, solo or set the gain of a track (A1 is the takes' own sound)."""
    t = find_track(project, timeline_id, name)
    if gain_db is not None:
        ca.check_gain(gain_db)
    if t.id is None:  # A1 has its row only once it differs from the default
        track_id = _fresh(project, "audio_tracks")
        before = None
        base = {"timeline_id": timeline_id, "name": ca.LINKED, "kind": "linked", "ord": 0, "mute": 0, "solo": 0, "gain_db": 0.0}
    else:
        track_id = t.id
        before = base = _row(project, "audio_tracks", t.id)
    after = dict(base)
    words = []
    if mute is not None:
        after["mute"] = int(mute)
        words.append("mute" if mute else "unmute")
    if solo is not None:
        after["solo"] = int(solo)
        words.append("solo" if solo else "unsolo")
    if gain_db is not None:
        after["gain_db"] = float(gain_db)
        words.append(f"gain {gain_db:+g} dB")
    if not words:
        raise InvalidInput("say what to change: mute, solo or gain")
    return RowsEdit(f"{', '.join(words).capitalize()} track {t.name}", [("audio_tracks", track_id, before, after)])


def set_clip_sound(project: Project, clip_id: int, *, lead: int | None = None, lag: int | None = None,
                   gain_db: float | None = None, take_id: int | None = None, follow_live: bool = False) -> RowsEdit:
    """A picture clip's own sound: J/L offsets (samples), gain, or the take its sound stays on."""
    clip = one(project.db, "SELECT id, shot_id FROM clips WHERE id = ? AND kind = 'clip'", [clip_id])
    if clip is None:
        raise NotFound(f"no picture clip {clip_id}")
    before = _row(project, "clip_sound", clip_id)
    after = dict(before or {"lead": 0, "lag": 0, "gain_db": 0.0, "take_id": None})
    if lead is not None or lag is not None:
        ca.JL(lead or 0, lag or 0)
    if lead is not None:
        after["lead"] = lead
    if lag is not None:
        after["lag"] = lag
    if gain_db is not None:
        after["gain_db"] = ca.check_gain(gain_db)
    if take_id is not None:
        take = one(project.db, "SELECT shot_id FROM takes WHERE id = ? AND deleted_at IS NULL", [take_id])
        if take is None or take["shot_id"] != clip["shot_id"]:
            raise InvalidInput(f"take {take_id} is not a live take of this clip's shot")
        after["take_id"] = take_id
    if follow_live:
        after["take_id"] = None
    return RowsEdit(f"Sound of clip {clip_id}", [("clip_sound", clip_id, before, after)])


def clip_sound(project: Project, clip_id: int) -> tuple[float, int | None]:
    """A picture clip's own sound gain in dB and the take it stays on (None: it follows the live
    camera), as stored; what the window's Sound Gain and Sound Follows menus open with."""
    r = one(project.db, "SELECT gain_db, take_id FROM clip_sound WHERE clip_id = ?", [clip_id])
    return (r["gain_db"], r["take_id"]) if r is not None else (0.0, None)


def sound_takes(project: Project, clip) -> list[tuple[int, str]]:
    """(take id, camera name) of each camera of a multicam picture clip (a `core.timeline.Clip`) that
    shows a take, in camera order: the takes its sound can stay on across angle cuts (the angles of
    store.angles). A take it is held on that no camera shows now is listed too. Empty for one camera."""
    resolve = ShotResolver(project)
    cams = resolve.cameras(clip.shot_id)
    if len(cams) < 2:
        return []
    out = []
    for cam in cams:
        row = resolve.take_row(clip, cam["id"])
        if row is not None:
            out.append((row["id"], cam["name"]))
    held = clip_sound(project, clip.id)[1]
    if held is not None and held not in {t for t, _ in out}:
        r = one(project.db, "SELECT c.name FROM takes t LEFT JOIN cameras c ON c.id = t.camera_id WHERE t.id = ?", [held])
        out.append((held, (r or {}).get("name") or "?"))
    return out


def clip_jl(project: Project, clip_id: int) -> ca.JL:
    """A picture clip's J/L offsets in samples as stored (none set: 0 and 0); what the window's J/L
    dialog opens with."""
    r = one(project.db, "SELECT lead, lag FROM clip_sound WHERE clip_id = ?", [clip_id])
    return ca.JL(r["lead"], r["lag"]) if r is not None else ca.JL()


# -- the mix -------------------------------------------------------------------------------------


def mix_plan(project: Project, timeline_id: int, cut: Cut) -> ca.MixPlan:
    """What the cut sounds like, exactly as long as its picture."""
    length = ca.samples_for(cut.duration, cut.rate)
    sound = take_sound(project, [s.take_id for s in cut.segments] + [r["take_id"] for r in rows(project.db, "SELECT take_id FROM clip_sound WHERE take_id IS NOT NULL")])
    per_clip = {r["clip_id"]: r for r in rows(project.db, "SELECT cs.* FROM clip_sound cs JOIN clips c ON c.id = cs.clip_id JOIN tracks t ON t.id = c.track_id WHERE t.timeline_id = ?", [timeline_id])}
    jl = {k: ca.JL(r["lead"], r["lag"]) for k, r in per_clip.items() if r["lead"] or r["lag"]}
    gains = {k: r["gain_db"] for k, r in per_clip.items() if r["gain_db"]}
    follow = {k: r["take_id"] for k, r in per_clip.items() if r["take_id"] is not None}
    files: dict[tuple[str, int], str] = {("take", t): p for t, (p, _) in sound.items()}
    available: dict[tuple[str, int], int] = {("take", t): n for t, (_, n) in sound.items()}
    for a in list_audio(project):
        files[("file", a.id)] = a.media_path
        available[("file", a.id)] = a.samples
    out = []
    for t in tracks(project, timeline_id):
        if t.kind == "linked":
            pieces = ca.linked_pieces(cut, set(sound), jl, gains, follow)
        else:
            pieces = ca.clip_pieces(ca.AudioTrack(t.id or 0, t.name, t.clips))
        out.append(ca.MixTrack(t.name, tuple(ca.clamp(pieces, length, available)), t.mute, t.solo, t.gain_db))
    return ca.MixPlan(length, tuple(out), files, available)


def stored_sound_paths(project: Project) -> set[str]:
    """Every sound file a row names (kept by `purge`, checked by `check`)."""
    return {r["media_path"] for r in rows(project.db, "SELECT media_path FROM audio_files UNION SELECT media_path FROM take_audio")}
