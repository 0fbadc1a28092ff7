"""Control: edges made here with OpenCV, depth only from a depth model or a prepared render,
pose and layout as given; VACE receives the guide, its mask, the cast's reference images and the
strength; families without control refuse with the reason before anything is made."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

from director.cli import main
from director.core.errors import InvalidInput
from director.engine import control
from director.engine.presets import get_preset
from director.store import jobs as store_jobs
from director.store.project import Project
from director.store.script import add_cast_image
from director.store.shots import list_shots

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def clip(n=9, w=64, h=48):
    """A white square moving right over black: edges only at its border."""
    frames = np.zeros((n, h, w, 3), np.uint8)
    for i in range(n):
        frames[i, 12:36, 8 + 2 * i:32 + 2 * i] = 255
    return frames


def test_edges_are_canny_on_each_frame_and_empty_where_the_picture_is_flat():
    frames = clip()
    guide = control.edges(frames)
    assert guide.shape == frames.shape and guide.dtype == np.uint8
    for frame, edge in zip(frames, guide):
        assert np.array_equal(edge[:, :, 0], cv2.Canny(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY), 100, 200))
    assert guide[3, 20, 20:28].max() == 0 and guide[3, 0:5].max() == 0  # inside the square, and the black
    assert guide[3].max() == 255


def test_what_director_cannot_make_is_refused_with_the_way_to_give_it():
    frames = clip()
    with pytest.raises(InvalidInput, match="a pose video must come prepared"):
        control.make_guide(frames, "pose")
    with pytest.raises(InvalidInput, match="making depth needs a depth model"):
        control.make_guide(frames, "depth")
    assert control.make_guide(frames, "layout", prepared=True) is frames
    with pytest.raises(InvalidInput, match="one of pose, depth, edges, layout"):
        control.make_guide(frames, "normals")
    with pytest.raises(InvalidInput, match=r"out of range \(0 to 2\); nearest valid: 2"):
        control.check_strength(3)
    assert "takes no control video" in control.takes_control(get_preset("tiny-t2v"))
    assert control.takes_control(get_preset("tiny-wan21-vace")) == ""


def test_vace_receives_the_guide_at_the_job_size_its_mask_references_and_strength(tmp_path):
    from director.engine import encoders
    from director.engine.media_out import encode_mp4

    video = tmp_path / "guide.mp4"
    video.write_bytes(encode_mp4(control.edges(clip(n=5)), Fraction(12), encoders.choose(None, "final", cuda=False)))
    ref = tmp_path / "ref.png"
    cv2.imwrite(str(ref), np.full((40, 40, 3), 90, np.uint8))
    spec = {"mode": "edges", "strength": 0.6, "video": str(video), "references": [str(ref)]}
    out = control.control_kwargs(get_preset("tiny-wan21-vace"), spec, {"width": 32, "height": 32, "frames": 9}, {})
    assert len(out["video"]) == len(out["mask"]) == 9 and out["video"][0].size == (32, 32)
    assert np.array_equal(np.asarray(out["video"][8]), np.asarray(out["video"][4]))  # a short guide holds its last frame
    assert all(int(np.asarray(m).min()) == 255 for m in out["mask"]) and out["conditioning_scale"] == 0.6
    assert len(out["reference_images"]) == 1 and np.asarray(out["reference_images"][0]).mean() == pytest.approx(90, abs=1)
    with pytest.raises(InvalidInput, match="not both"):
        control.control_kwargs(get_preset("tiny-wan21-vace"), spec, {"width": 32, "height": 32, "frames": 9}, {"video": []})
    with pytest.raises(InvalidInput, match="takes no control video"):
        control.control_kwargs(get_preset("tiny-i2v"), spec, {"width": 96, "height": 64, "frames": 17}, {})


def test_control_render_guides_vace_with_edges_and_a_cast_members_references(tmp_path, capsys):
    from director.engine import encoders
    from director.engine.media_out import encode_mp4
    from tests.engine.twin_cache import built

    built("tiny-wan21-vace")
    film = tmp_path / "film.director"
    Project.create(film).close()
    assert main(["script", "import", str(film), str(FIXTURES / "lighthouse.fountain")]) == 0
    face = tmp_path / "mara.png"
    cv2.imwrite(str(face), np.full((48, 48, 3), (40, 80, 160), np.uint8))
    with Project.open(film) as p:
        add_cast_image(p, "Mara", p.media.import_file(face))
        shot = list_shots(p)[0].code
    source = tmp_path / "walk.mp4"
    source.write_bytes(encode_mp4(clip(), Fraction(12), encoders.choose(None, "final", cuda=False)))
    capsys.readouterr()
    assert main(["control", "render", str(film), "--shot", shot, "--preset", "tiny-t2v", "--video", str(source),
                 "--mode", "edges"]) == 1
    assert "takes no control video" in capsys.readouterr().err

    def render(strength):
        assert main(["control", "render", str(film), "--shot", shot, "--preset", "tiny-wan21-vace", "--video", str(source),
                     "--mode", "edges", "--strength", str(strength), "--cast", "Mara", "--seed", "2", "--json"]) == 0
        return json.loads(capsys.readouterr().out)[0]

    half = render(0.5)
    assert half["state"] == "done"
    with Project.open(film) as p:
        recipe = store_jobs.job_recipe(p, half["job"])
        guide = p.media.path(recipe.control["video"]["media_path"])
        from director.engine.media_out import read_frames

        assert read_frames(guide).shape[0] == 9  # the edges video, stored and hashed
    c = recipe.control
    assert (c["mode"], c["strength"], c["source"]) == ("edges", 0.5, "file:walk.mp4")
    assert len(c["references"]) == 1 and len(c["video"]["sha256"]) == 64
    full = render(1.5)
    assert full["takes"][0]["media"] != half["takes"][0]["media"]  # the strength reaches the pipeline
