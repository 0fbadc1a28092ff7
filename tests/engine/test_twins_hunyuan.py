"""HunyuanVideo 1.5 twins, loaded the way a download is and run through the worker."""

from __future__ import annotations

from tests.engine.twin_runs import reproduces, take_of


def test_hunyuan15_text_to_video_twin_reproduces(engine, tmp_path):
    reproduces(engine, "tiny-hunyuan15-t2v", tmp_path)


def test_hunyuan15_image_to_video_twin_animates_a_still(engine, tmp_path):
    take = take_of(engine, "tiny-hunyuan15-i2v", tmp_path)
    assert take["frames"] == 9
