"""Keyframes: migration 0014 on an old file, the strip in the store, each family's rule, and the
conditioning the pipeline receives being built from the strip's stills."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import cv2
import numpy as np
import pytest
from sqlite_utils import Database

from director.core.errors import InvalidInput, Refused
from director.core.keyframes import LAST, parse_frame, placed
from director.engine import conditioning
from director.engine.messages import Finished, TakeWritten
from director.engine.presets import get_preset
from director.store import Project
from director.store.media import TamperedMedia
from director.store.keyframes import list_keyframes, remove_keyframe, set_keyframe
from director.store.schema import APPLICATION_ID, SCHEMA_VERSION, migrations
from director.store.shots import add_shot, update_shot

from .conftest import request_for, run_to_end


def still(path, colour, w=96, h=64):
    """A PNG with a gradient over a solid colour, so every pixel position differs a little."""
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = colour
    img[:, :, 0] = (img[:, :, 0].astype(int) + np.arange(w)[None, :] * 2).clip(0, 255).astype(np.uint8)
    cv2.imwrite(str(path), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    return path


def test_migration_0014_upgrades_a_file_from_before_keyframes(tmp_path):
    path = tmp_path / "old.director"
    db = Database(sqlite3.connect(path))
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    migrations.apply(db, stop_before="0014_keyframes")
    db["project"].insert({"id": 1, "name": "before keyframes", "created_at": "2026-01-01T00:00:00+00:00"})
    db["shots"].insert({"code": "1A", "title": "old", "ord": 1, "created_at": "2026-01-01T00:00:00+00:00"})
    db.execute(f"PRAGMA user_version = {len(migrations.applied(db))}")
    db.conn.commit()
    db.close()
    assert "keyframes" not in Database(sqlite3.connect(path)).table_names()
    with Project.open(path) as p:
        assert p.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert p.db["keyframes"].exists() and p.db["loras"].exists()
        shot_id = p.db.execute("SELECT id FROM shots").fetchone()[0]
        assert list_keyframes(p, shot_id) == []
    assert len(list((tmp_path / "old.director-backups").iterdir())) == 1


def test_the_strip_places_replaces_and_removes_stills(project, tmp_path):
    shot, _ = add_shot(project, "1A", "Door")
    a = project.media.import_file(still(tmp_path / "a.png", (200, 10, 10)))
    b = project.media.import_file(still(tmp_path / "b.png", (10, 200, 10)))
    first, replaced, _ = set_keyframe(project, shot.id, "first", "file", a)
    assert replaced is None and first.frame == 0
    set_keyframe(project, shot.id, "last", "file", b)
    set_keyframe(project, shot.id, 8, "file", b)
    assert [k.label for k in list_keyframes(project, shot.id)] == ["0", "8", "last"]
    again, replaced, _ = set_keyframe(project, shot.id, 0, "file", b)
    assert replaced == first and again.media_path == b and len(list_keyframes(project, shot.id)) == 3
    # Undo of the replacement puts the old keyframe back under its own id.
    remove_keyframe(project, shot.id, 0)
    back, _, _ = set_keyframe(project, shot.id, 0, "file", a, keyframe_id=first.id)
    assert back == first
    removed, _ = remove_keyframe(project, shot.id, "last")
    assert removed.frame == LAST and project.media.path(b).is_file()  # the still stays in the store


def test_bad_keyframes_are_refused_and_change_nothing(project, tmp_path):
    shot, _ = add_shot(project, "1A", "Door")
    a = project.media.import_file(still(tmp_path / "a.png", (200, 10, 10)))
    with pytest.raises(InvalidInput, match="whole number from 0, 'first' or 'last'"):
        set_keyframe(project, shot.id, "middle", "file", a)
    with pytest.raises(InvalidInput, match="nearest valid: 0"):
        parse_frame(-5)
    with pytest.raises(InvalidInput, match="comes from one of take, file, t2i"):
        set_keyframe(project, shot.id, 0, "web", a)
    with pytest.raises(TamperedMedia):
        set_keyframe(project, shot.id, 0, "file", "../../secret.png")
    update_shot(project, shot.id, status="locked")
    with pytest.raises(Refused, match="locked"):
        set_keyframe(project, shot.id, 0, "file", a)
    assert list_keyframes(project, shot.id) == []


class K:  # a keyframe as the rule reads it
    def __init__(self, frame, path="ab/" + "c" * 64 + ".png"):
        self.frame, self.media_path = frame, path


def test_each_family_maps_the_strip_or_says_why_not():
    ltx = get_preset("tiny-i2v")  # LTXConditionPipeline: stills at any frame
    assert [i for i, _ in conditioning.plan(ltx, [K(0), K(8), K(LAST)], 17)] == [0, 8, 16]
    ti2v = replace(ltx, id="wan22-ti2v-5b-i2v", label="Wan 2.2 TI2V 5B", pipeline="WanImageToVideoPipeline")
    assert conditioning.plan(ti2v, [K(0)], 17) == [(0, K(0).media_path)]
    with pytest.raises(InvalidInput, match="Wan 2.2 TI2V takes a first frame only"):
        conditioning.plan(ti2v, [K(0), K(LAST)], 17)
    flf = replace(ltx, id="wan21-flf2v", label="Wan 2.1 FLF2V 14B", pipeline="WanImageToVideoPipeline")
    assert [i for i, _ in conditioning.plan(flf, [K(0), K(LAST)], 81)] == [0, 80]
    with pytest.raises(InvalidInput, match="first and a last frame only"):
        conditioning.plan(flf, [K(0), K(40)], 81)
    with pytest.raises(InvalidInput, match="needs a first frame"):
        conditioning.plan(flf, [K(LAST)], 81)
    with pytest.raises(InvalidInput, match="takes no keyframes"):
        conditioning.plan(get_preset("tiny-t2v"), [K(0)], 17)
    with pytest.raises(InvalidInput, match="past the clip's end"):
        conditioning.plan(ltx, [K(24)], 17)
    with pytest.raises(InvalidInput, match="two keyframes land on frame 16"):
        placed([K(16), K(LAST)], 17)


def test_the_conditions_the_pipeline_receives_are_built_from_the_keyframe_stills(tmp_path):
    import torch

    from director.engine.loading import load_pipeline

    pipe, _ = load_pipeline(get_preset("tiny-i2v"), "cpu")
    pipe.set_progress_bar_config(disable=True)
    red, blue = still(tmp_path / "red.png", (220, 20, 20)), still(tmp_path / "blue.png", (20, 20, 220))
    params = {"width": 96, "height": 64, "frames": 17}
    kwargs = conditioning.keyframe_kwargs(get_preset("tiny-i2v"), ((0, str(red)), (16, str(blue))), params)
    seen = {}
    original = pipe.prepare_latents

    def spy(conditions, strength, frame_index, **kw):
        seen.update(conditions=[c.clone() for c in conditions], frame_index=list(frame_index), strength=list(strength))
        return original(conditions, strength, frame_index, **kw)

    pipe.prepare_latents = spy
    with torch.inference_mode():
        pipe(prompt="a door", width=96, height=64, num_frames=17, num_inference_steps=1, output_type="pt",
             generator=torch.Generator("cpu").manual_seed(1), **kwargs)
    assert seen["frame_index"] == [0, 16] and seen["strength"] == [1.0, 1.0]
    for tensor, path in zip(seen["conditions"], (red, blue)):
        expected = pipe.video_processor.preprocess(conditioning.load_still(str(path), 96, 64), 64, 96).unsqueeze(2)
        assert torch.equal(tensor, expected)
    # The two stills differ, so each condition is its own image, not one image twice.
    assert not torch.equal(seen["conditions"][0], seen["conditions"][1])


def test_flf2v_and_vace_arguments_hold_the_stills_at_their_frames(tmp_path):
    red, blue = still(tmp_path / "red.png", (220, 20, 20)), still(tmp_path / "blue.png", (20, 20, 220))
    params = {"width": 96, "height": 64, "frames": 9}
    flf = replace(get_preset("tiny-i2v"), id="wan21-flf2v", label="Wan FLF2V", pipeline="WanImageToVideoPipeline")
    out = conditioning.keyframe_kwargs(flf, ((0, str(red)), (8, str(blue))), params)
    assert np.array_equal(np.asarray(out["image"]), np.asarray(conditioning.load_still(str(red), 96, 64)))
    assert np.array_equal(np.asarray(out["last_image"]), np.asarray(conditioning.load_still(str(blue), 96, 64)))
    vace = replace(flf, pipeline="WanVACEPipeline")
    out = conditioning.keyframe_kwargs(vace, ((0, str(red)), (4, str(blue))), params)
    assert len(out["video"]) == len(out["mask"]) == 9
    assert np.array_equal(np.asarray(out["video"][4]), np.asarray(conditioning.load_still(str(blue), 96, 64)))
    assert [int(np.asarray(m).max()) for m in out["mask"]] == [0, 255, 255, 255, 0, 255, 255, 255, 255]


_ids = iter(range(140000, 150000))


def test_through_the_worker_keyframes_steer_the_frames_and_reproduce(engine, tmp_path):
    red, blue = still(tmp_path / "red.png", (220, 20, 20)), still(tmp_path / "blue.png", (20, 20, 220))

    def run(frames_at):
        request = replace(request_for("tiny-i2v", next(_ids), tmp_path / "m", steps=2, init_image=str(red)),
                          init_image=str(red), keyframes=frames_at)
        events = run_to_end(engine, request)
        assert isinstance(events[-1], Finished), events[-1]
        return next(e for e in events if isinstance(e, TakeWritten)).extra["frames_sha256"]

    first_last = run(((0, str(red)), (16, str(blue))))
    assert run(((0, str(red)), (16, str(blue)))) == first_last  # the same strip reproduces bit for bit
    assert run(((0, str(red)), (16, str(red)))) != first_last  # another last frame, other frames
    assert run(((0, str(red)),)) != first_last
