"""Takes → files: a take handed to someone else still says how it was made."""

from __future__ import annotations

import json

import av
import pytest

from director.core.errors import InvalidInput
from director.export.common import ExportCancelled
from director.export.png_text import add_text, read_text
from director.export.takeinfo import take_info
from director.export.takes import export_takes


def test_sidecar_has_everything_needed_to_regenerate_and_cost_a_take(film, out_dir):
    info = take_info(film.project, film.take_ids["green"])
    result = export_takes([info], film.project.media, out_dir / "takes", project_name="Rooftop Film")
    assert [p.name for p in result.files] == ["20_A_t2.mp4"]
    data = json.loads(result.sidecars[0].read_text(encoding="utf-8"))
    assert data["prompt"].startswith("a green alley at night")
    assert data["negative"] == "blurry"
    assert data["seed"] == 101 and data["preset"] == "tiny-t2v" and data["model_revision"] == "abc123"
    assert (data["width"], data["height"], data["frames"], data["fps"]) == (320, 180, 30, "24")
    assert data["timings"]["gpu_s"] == 72.0 and data["timings"]["wall_s"] == 73.0
    assert data["money"] == "0.072000" and data["job_money"] == "0.072" and data["currency"] == "USD"
    assert data["project"] == "Rooftop Film"
    assert data["take"]["notes"] == "note 101"


def test_exported_mp4_is_a_stream_copy_with_a_comment(film, out_dir):
    info = take_info(film.project, film.take_ids["red"])
    result = export_takes([info], film.project.media, out_dir)
    source = film.project.media.path(info.media_path)
    with av.open(str(result.files[0])) as c, av.open(str(source)) as s:
        comment = json.loads(c.metadata["comment"])
        assert comment["prompt"].startswith("a red sunrise über the roofs") and comment["seed"] == "100"
        assert c.streams.video[0].frames == 30
        copied = [bytes(p) for p in c.demux(c.streams.video[0]) if p.size]
        original = [bytes(p) for p in s.demux(s.streams.video[0]) if p.size]
        assert copied == original  # same packets: not re-encoded


def test_exported_png_carries_the_prompt_in_text_chunks(film, out_dir):
    info = take_info(film.project, film.take_ids["still"])
    result = export_takes([info], film.project.media, out_dir)
    png = result.files[0]
    assert png.name == "40_A_t4.png"
    text = read_text(png.read_bytes())
    assert text["prompt"].startswith("a white wall") and text["Description"] == text["prompt"]
    assert text["seed"] == "103" and text["negative"] == "blurry"
    assert json.loads(text["director"])["take_id"] == "4"
    import cv2

    assert cv2.imread(str(png)).shape == (240, 320, 3)  # still a valid image


def test_non_latin_prompts_survive_in_itxt_and_pillow_reads_them(tmp_path):
    import cv2
    import numpy as np

    ok, encoded = cv2.imencode(".png", np.zeros((8, 8, 3), np.uint8))
    png = add_text(encoded.tobytes(), {"prompt": "東京の夜, über alles", "seed": "7"})
    assert read_text(png) == {"prompt": "東京の夜, über alles", "seed": "7"}
    import PIL.Image as PIL  # Pillow comes with diffusers

    path = tmp_path / "x.png"
    path.write_bytes(png)
    with PIL.open(path) as im:
        assert im.text["prompt"] == "東京の夜, über alles" and im.text["seed"] == "7"


def test_several_takes_in_order_and_cancel_keeps_only_whole_files(film, out_dir):
    infos = [take_info(film.project, film.take_ids[n]) for n in ("red", "green", "blue", "still")]
    seen = []
    with pytest.raises(ExportCancelled):
        export_takes(infos, film.project.media, out_dir, progress=lambda d, t: seen.append(d), is_cancelled=lambda: len(seen) > 2)
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == ["10_A_t1.json", "10_A_t1.mp4", "20_A_t2.json", "20_A_t2.mp4"]
    result = export_takes(infos, film.project.media, out_dir)
    assert [p.name for p in result.files] == ["10_A_t1.mp4", "20_A_t2.mp4", "30_A_t3.mp4", "40_A_t4.png"]


def test_no_takes_is_refused(film, out_dir):
    with pytest.raises(InvalidInput, match="no takes"):
        export_takes([], film.project.media, out_dir)
