"""`director roto add|list|remove|export` end to end with the tiny SAM 2 twin (#19 part B): clicks
become prompts and a segment job whose matte has the take's frames and size; the three export
formats decode back; bad input is refused before anything is recorded."""

from __future__ import annotations

import json

import av
import cv2
import numpy as np
import pytest


from tests.engine.roto_fixtures import FRAMES, H, W, video_take  # noqa: E402
from tests.engine.twin_cache import built  # noqa: E402

from director.cli import main  # noqa: E402
from director.store import Project  # noqa: E402
from director.store.matte_file import decode_matte  # noqa: E402
from director.store.roto import latest_mattes, list_objects  # noqa: E402
from director.store.shots import add_shot  # noqa: E402


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def film(tmp_path):
    path = tmp_path / "film.director"
    with Project.create(path) as p:
        shot, _ = add_shot(p, "3", "Alley")
        take = video_take(p, shot.id, None)
    return path, take


def test_roto_add_list_export_and_remove(film, tmp_path, capsys):
    built("tiny-sam2")
    path, take = film
    code, out, err = run(capsys, "roto", "add", path, take, "--point", "30,20@2", "--negative", "70,40@2",
                         "--box", "10,5,50,40@0", "--object", "car", "--preset", "tiny-sam2", "--json")
    assert code == 0, err
    result = json.loads(out)
    (matte,) = result["mattes"]
    assert (matte["object"], matte["frames"], matte["width"], matte["height"]) == ("car", FRAMES, W, H)
    assert result["gpu_s"] > 0

    code, out, err = run(capsys, "roto", "list", path, take, "--json")
    listed = json.loads(out)
    (obj,) = listed["objects"]
    assert obj["name"] == "car" and sorted(p["kind"] for p in obj["prompts"]) == ["box", "negative", "positive"]
    assert listed["mattes"][0]["current"] is True

    with Project.open(path, readonly=True) as p:
        alpha = decode_matte(p.media.path(latest_mattes(p, take)[0].media_path))
    code, out, err = run(capsys, "roto", "export", path, take, tmp_path / "seq", "--format", "png")
    assert code == 0, err
    pngs = sorted((tmp_path / "seq").iterdir())
    assert len(pngs) == FRAMES
    assert np.array_equal(cv2.imread(str(pngs[4]), cv2.IMREAD_UNCHANGED)[..., 3], alpha[4])
    for fmt, name in (("luma", "car.mp4"), ("prores", "car.mov")):
        code, out, err = run(capsys, "roto", "export", path, take, tmp_path / name, "--format", fmt)
        assert code == 0, err
        with av.open(str(tmp_path / name)) as c:
            frames = [f.to_ndarray(format="gray" if fmt == "luma" else "rgba") for f in c.decode(video=0)]
        assert len(frames) == FRAMES and frames[0].shape[:2] == (H, W)
        got = frames[4] if fmt == "luma" else frames[4][..., 3]
        assert np.abs(got.astype(int) - alpha[4]).max() <= (16 if fmt == "luma" else 1)

    negative = next(p["id"] for p in obj["prompts"] if p["kind"] == "negative")
    code, out, err = run(capsys, "roto", "remove", path, negative)
    assert code == 0 and "-70,40@2" in out
    with Project.open(path, readonly=True) as p:
        assert sorted(q.kind for q in list_objects(p, take)[0].prompts) == ["box", "positive"]


def test_roto_refuses_bad_input_before_recording_anything(film, tmp_path, capsys):
    path, take = film
    code, _out, err = run(capsys, "roto", "add", path, take, "--point", "30;20@2", "--no-wait")
    assert code == 1 and "x,y@frame" in err
    code, _out, err = run(capsys, "roto", "add", path, take, "--point", "30,20@2", "--point", "300,20@2", "--no-wait")
    assert code == 1 and "outside the take's 80×48 frame" in err
    code, _out, err = run(capsys, "roto", "add", path, take, "--no-wait")
    assert code == 1 and "at least one --point" in err
    code, _out, err = run(capsys, "roto", "export", path, take, tmp_path / "m.mov", "--format", "prores")
    assert code == 1 and "has no matte" in err
    with Project.open(path, readonly=True) as p:
        assert list_objects(p, take) == []
    code, out, err = run(capsys, "roto", "add", path, take, "--point", "30,20@2", "--no-wait", "--preset", "tiny-sam2")
    assert code == 0 and "queued roto job" in out
    assert not (tmp_path / "m.mov").exists()
