"""The edit model: every edit's exact frame arithmetic, its inverse, and no drift over random edits."""

from __future__ import annotations

import random

import pytest

from director.core import timeline as tl
from director.core.errors import InvalidInput, Refused
from director.core.timecode import Rate
from director.core.timeline import AngleCut, Clip, Gap, TakeSource, Timeline, Track

RATE = Rate(24)
CAMS = (1, 2, 3)


def resolve(clip: Clip, camera_id):
    """Every camera of every shot has a take at the timeline's rate: take id = shot*10 + camera."""
    return TakeSource(
        shot_code=str(clip.shot_id), camera_name=str(camera_id), take_id=clip.shot_id * 10 + (camera_id or 0),
        media_path=f"{clip.shot_id}/{camera_id}.mp4", kind="video", rate=RATE, frames=10_000, width=64, height=64,
    )


def make(*items, tracks=1) -> Timeline:
    ts = [Track(1, "V1", tuple(items))] + [Track(k + 1, f"V{k + 1}") for k in range(1, tracks)]
    return Timeline(1, "Cut", RATE, tuple(ts))


def c(id, shot, src, dur, cam=1, cuts=()):
    return Clip(id, shot, src, dur, cam, {k: shot * 10 + k for k in CAMS}, tuple(AngleCut(f, k) for f, k in cuts))


def frames(timeline: Timeline) -> list:
    """(clip, source frame, camera) or None per record frame, read back from the flattened cut."""
    cut = tl.flatten(timeline, resolve)
    out = []
    for s in cut.segments:
        for k in range(s.duration):
            if s.take_id is None:
                out.append(None)
            else:
                out.append((s.clip_id, s.source_frame_at(s.record_start + k, RATE), s.take_id % 10))
    assert len(out) == timeline.duration
    return out


def applied(timeline, edit):
    after = edit.apply(timeline)
    assert edit.inverse().apply(after) == timeline  # every edit undoes exactly
    return after


def test_insert_ripples_later_clips_right():
    t = make(c(1, 1, 0, 10), c(2, 2, 5, 10))
    t2 = applied(t, tl.insert(t, 1, 1, c(3, 3, 0, 4)))
    assert [i.id for i in t2.track(1).items] == [1, 3, 2]
    assert t2.track(1).starts() == [0, 10, 14]
    assert frames(t2)[14] == (2, 5, 1)


def test_insert_at_frame_goes_to_nearest_boundary():
    t = make(c(1, 1, 0, 10), c(2, 2, 0, 10))
    assert [i.id for i in tl.insert_at(t, 1, 12, c(3, 3, 0, 2)).apply(t).track(1).items] == [1, 3, 2]
    assert [i.id for i in tl.insert_at(t, 1, 99, c(3, 3, 0, 2)).apply(t).track(1).items] == [1, 2, 3]


def test_move_reorders_both_directions_and_across_tracks():
    t = make(c(1, 1, 0, 10), c(2, 2, 0, 5), c(3, 3, 0, 3), tracks=2)
    right = applied(t, tl.move(t, 1, 1, 2))
    assert [i.id for i in right.track(1).items] == [2, 3, 1]
    assert right.track(1).starts() == [0, 5, 8]
    left = applied(t, tl.move(t, 3, 1, 0))
    assert [i.id for i in left.track(1).items] == [3, 1, 2]
    across = applied(t, tl.move(t, 2, 2, 0))
    assert [i.id for i in across.track(1).items] == [1, 3] and [i.id for i in across.track(2).items] == [2]
    with pytest.raises(InvalidInput):
        tl.move(t, 1, 1, 0)


def test_trim_tail_and_head_keep_source_exact():
    t = make(c(1, 1, 10, 20), c(2, 2, 0, 5))
    tail = applied(t, tl.trim(t, 1, "tail", -5))
    assert tail.track(1).starts() == [0, 15] and frames(tail)[15] == (2, 0, 1)
    head = applied(t, tl.trim(t, 1, "head", 4))
    assert head.clip(1).source_in == 14 and head.clip(1).duration == 16
    assert frames(head)[0] == (1, 14, 1) and frames(head)[16] == (2, 0, 1)
    out = applied(t, tl.trim(t, 1, "head", -10))
    assert frames(out)[0] == (1, 0, 1)
    with pytest.raises(InvalidInput, match="before its shot's first frame"):
        tl.trim(t, 1, "head", -11)
    with pytest.raises(InvalidInput, match="only 32 frames"):
        tl.trim(t, 1, "tail", 3, limit=32)
    with pytest.raises(InvalidInput, match="at least one frame"):
        tl.trim(t, 1, "tail", -20)
    assert tl.trim_to(t, 1, "tail", 25).apply(t).clip(1).duration == 25


def test_split_keeps_every_frame_and_angle():
    t = make(c(1, 1, 10, 20, cuts=[(15, 2), (40, 3)]))
    before = frames(t)
    s = applied(t, tl.split(t, 1, 7, 9))
    assert [(i.id, i.source_in, i.duration) for i in s.track(1).items] == [(1, 10, 7), (9, 17, 13)]
    assert frames(s) == [(9 if k >= 7 else 1, f, cam) for k, (_, f, cam) in enumerate(before)]
    with pytest.raises(InvalidInput, match="not inside"):
        tl.split(t, 1, 0, 9)


def test_ripple_delete_and_lift():
    t = make(c(1, 1, 0, 10), c(2, 2, 0, 10), c(3, 3, 0, 10))
    r = applied(t, tl.ripple_delete(t, 2))
    assert r.track(1).starts() == [0, 10] and frames(r)[10] == (3, 0, 1)
    lifted = applied(t, tl.lift(t, 2, 7))
    assert isinstance(lifted.track(1).items[1], Gap)
    assert frames(lifted)[10:20] == [None] * 10 and frames(lifted)[20] == (3, 0, 1)


def test_set_take_and_fallback():
    t = make(c(1, 1, 0, 10))
    t2 = applied(t, tl.set_take(t, 1, 2, 99))
    assert t2.clip(1).takes[2] == 99
    t3 = applied(t, tl.set_take(t, 1, 2, None))
    assert 2 not in t3.clip(1).takes
    with pytest.raises(InvalidInput):
        tl.set_take(t, 1, 1, 11)


def test_angle_cuts_split_the_clip_into_segments_with_exact_offsets():
    t = make(c(1, 1, 100, 48))
    a = applied(t, tl.add_angle_cut(t, 12, 2))
    b = applied(a, tl.add_angle_cut(a, 30, 3))
    cut = tl.flatten(b, resolve)
    assert [(s.record_start, s.duration, s.camera, s.source_start) for s in cut.segments] == [
        (0, 12, "1", 100), (12, 18, "2", 112), (30, 18, "3", 130)]
    replaced = applied(b, tl.add_angle_cut(b, 30, 1))
    assert [s.camera for s in tl.flatten(replaced, resolve).segments] == ["1", "2", "1"]
    removed = applied(b, tl.remove_angle_cut(b, 1, 112))
    assert [(s.record_start, s.camera) for s in tl.flatten(removed, resolve).segments] == [(0, "1"), (30, "3")]
    with pytest.raises(InvalidInput, match="already live"):
        tl.add_angle_cut(t, 5, 1)
    with pytest.raises(InvalidInput, match="no clip"):
        tl.add_angle_cut(t, 48, 2)


def test_angle_cuts_travel_with_the_clip_and_survive_trims():
    t = make(c(1, 1, 0, 10), c(2, 2, 0, 20, cuts=[(5, 2)]))
    moved = tl.move(t, 2, 1, 0).apply(t)
    assert frames(moved)[5] == (2, 5, 2)
    trimmed = tl.trim(moved, 2, "head", 8).apply(moved)
    assert frames(trimmed)[0] == (2, 8, 2)
    back = tl.trim(trimmed, 2, "head", -8).apply(trimmed)
    assert frames(back)[:6] == [(2, f, 1 if f < 5 else 2) for f in range(6)]


def test_upper_track_covers_lower_and_gaps_are_transparent():
    t = make(c(1, 1, 0, 30), tracks=2)
    t = tl.insert(t, 2, 0, Gap(5, 10)).apply(t)
    t = tl.append(t, 2, c(6, 6, 50, 5)).apply(t)
    f = frames(t)
    assert f[9] == (1, 9, 1) and f[10] == (6, 50, 1) and f[15] == (1, 15, 1)
    assert tl.flatten(t, resolve).duration == 30


def test_flatten_converts_source_offsets_to_the_takes_rate():
    t = make(c(1, 1, 48, 24))

    def half_rate(clip, cam):
        return TakeSource("1", "A", 5, "x.mp4", "video", Rate(12), 1000, 8, 8)

    seg = tl.flatten(t, half_rate).segments[0]
    assert seg.source_start == 24 and seg.source_frame_at(23, RATE) == 35


def test_a_stale_edit_is_refused_not_misapplied():
    t = make(c(1, 1, 0, 10))
    edit = tl.trim(t, 1, "tail", 2)
    changed = tl.trim(t, 1, "tail", 5).apply(t)
    with pytest.raises(Refused, match="changed"):
        edit.apply(changed)


# -- 1,000 random edits against a per-frame reference ------------------------------------------


class Reference:
    """A brute-force model: each track is a list of per-frame cells, each [id, shot, source, cuts]
    (None for a gap frame); an angle is looked up by linear scan of the clip's cut list."""

    def __init__(self):
        self.tracks = {1: [], 2: []}
        self.cams: dict[int, dict[int, int]] = {}  # clip id → {source frame: camera}
        self.base: dict[int, int] = {}  # clip id → camera before any cut

    def cells(self, item_id):
        for tid, cells in self.tracks.items():
            idx = [k for k, cell in enumerate(cells) if cell[0] == item_id]
            if idx:
                return tid, idx
        raise KeyError(item_id)

    def render(self):
        n = max(len(v) for v in self.tracks.values())
        out = [None] * n
        for tid in (1, 2):
            for k, (iid, src) in enumerate(self.tracks[tid]):
                if src is None:
                    continue
                cam = self.base[iid]
                best = -1
                for f, cc in self.cams[iid].items():
                    if best < f <= src:
                        best, cam = f, cc
                out[k] = (iid, src, cam)
        return out


def _items_of(track):
    return [i.id for i in track.items]


def test_no_drift_after_a_thousand_random_edits():
    rng = random.Random(5)
    t = make(tracks=2)
    ref = Reference()
    history = [t]
    edits = []
    next_id = 1
    done = 0
    while done < 1000:
        op = rng.choice(["insert", "insert", "move", "trim", "split", "delete", "lift", "angle", "unangle"])
        all_ids = [(tr.id, i) for tr in t.tracks for i in tr.items]
        clips = [(tid, i) for tid, i in all_ids if isinstance(i, Clip)]
        try:
            if op == "insert":
                tid = rng.choice([1, 1, 2])
                clip = Clip(next_id, rng.randint(1, 5), rng.randint(0, 30), rng.randint(1, 20), rng.choice(CAMS),
                            {k: 0 for k in CAMS})
                index = rng.randint(0, len(t.track(tid).items))
                edit = tl.insert(t, tid, index, clip)
                cells = ref.tracks[tid]
                at = sum(i.duration for i in t.track(tid).items[:index])
                cells[at:at] = [(clip.id, clip.source_in + k) for k in range(clip.duration)]
                ref.cams[clip.id], ref.base[clip.id] = {}, clip.camera_id
                next_id += 1
            elif op == "move" and all_ids:
                tid, item = rng.choice(all_ids)
                dst = rng.choice([1, 2])
                size = len(t.track(dst).items) - (1 if dst == tid else 0)
                index = rng.randint(0, size)
                edit = tl.move(t, item.id, dst, index)
                stid, idx = ref.cells(item.id)
                moved = [ref.tracks[stid][k] for k in idx]
                del ref.tracks[stid][idx[0] : idx[-1] + 1]
                rest = [i for i in t.track(dst).items if i.id != item.id]
                at = sum(i.duration for i in rest[:index])
                ref.tracks[dst][at:at] = moved
            elif op == "trim" and clips:
                _, clip = rng.choice(clips)
                edge = rng.choice(["head", "tail"])
                delta = rng.randint(-8, 8)
                edit = tl.trim(t, clip.id, edge, delta)
                tid, idx = ref.cells(clip.id)
                cells = ref.tracks[tid]
                if edge == "tail":
                    if delta < 0:
                        del cells[idx[-1] + 1 + delta : idx[-1] + 1]
                    else:
                        last = cells[idx[-1]][1]
                        cells[idx[-1] + 1 : idx[-1] + 1] = [(clip.id, last + 1 + k) for k in range(delta)]
                else:
                    first = cells[idx[0]][1]
                    if delta > 0:
                        del cells[idx[0] : idx[0] + delta]
                    else:
                        cells[idx[0] : idx[0]] = [(clip.id, first + delta + k) for k in range(-delta)]
            elif op == "split" and clips:
                _, clip = rng.choice(clips)
                tid, idx = ref.cells(clip.id)
                frame = idx[0] + rng.randint(0, clip.duration)
                edit = tl.split(t, clip.id, frame, next_id)
                cells = ref.tracks[tid]
                for k in range(frame, idx[-1] + 1):
                    cells[k] = (next_id, cells[k][1])
                ref.cams[next_id], ref.base[next_id] = dict(ref.cams[clip.id]), ref.base[clip.id]
                next_id += 1
            elif op == "delete" and all_ids:
                _, item = rng.choice(all_ids)
                edit = tl.ripple_delete(t, item.id)
                tid, idx = ref.cells(item.id)
                del ref.tracks[tid][idx[0] : idx[-1] + 1]
            elif op == "lift" and clips:
                _, clip = rng.choice(clips)
                edit = tl.lift(t, clip.id, next_id)
                tid, idx = ref.cells(clip.id)
                for k in idx:
                    ref.tracks[tid][k] = (next_id, None)
                next_id += 1
            elif op == "angle" and t.duration:
                frame = rng.randint(0, t.duration)
                cam = rng.choice(CAMS)
                edit = tl.add_angle_cut(t, frame, cam)
                hit = t.clip_at(frame)
                track, i, start = hit
                ref.cams[track.items[i].id][track.items[i].source_in + frame - start] = cam
            elif op == "unangle":
                cut_clips = [i for _, i in clips if i.angle_cuts]
                if not cut_clips:
                    continue
                clip = rng.choice(cut_clips)
                a = rng.choice(clip.angle_cuts)
                edit = tl.remove_angle_cut(t, clip.id, a.source_frame)
                del ref.cams[clip.id][a.source_frame]
            else:
                continue
        except InvalidInput:
            # The reference must not have been touched: every branch mutates only after the edit is made.
            continue
        t = edit.apply(t)
        edits.append(edit)
        history.append(t)
        done += 1
        assert frames(t) == ref.render(), f"drift after edit {done}: {edit.text}"
    assert done == 1000 and t.duration > 0
    # Undo all the way back, as an undo stack would: each inverse restores the state before it.
    for k in range(len(edits) - 1, -1, -1):
        t = edits[k].inverse().apply(t)
        assert t == history[k]
    assert t == make(tracks=2)
