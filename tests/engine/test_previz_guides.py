"""Previz takes encoded while they render (#15): the depth and layout videos, made straight from
the render's maps, decode back to the depth and the class colours; encoders follow the render
frame by frame and stop when it fails; a cancel in the middle of a render leaves nothing behind."""

from __future__ import annotations

import dataclasses
import threading
from fractions import Fraction

import numpy as np
import pytest

from director.engine import encoders
from director.engine.media_out import read_frames
from director.engine.previz.feed import FrameFeed, RenderStopped
from director.engine.previz.guides import colour_tables, encode_guide, grey_tables


def _decode(data: bytes, tmp_path) -> np.ndarray:
    path = tmp_path / "guide.mp4"
    path.write_bytes(data)
    return read_frames(path)


def _encoder():
    return encoders.choose(None, "draft", cuda=False)


@pytest.mark.parametrize("size", [(64, 48), (63, 47)])
def test_a_depth_guide_decodes_back_to_its_grey(tmp_path, size):
    w, h = size
    ramp = (np.arange(w)[None, :] * 255 // (w - 1) + np.zeros((h, 1), int)).astype(np.uint8)
    maps = np.stack([ramp, ramp[:, ::-1].copy(), np.full((h, w), 200, np.uint8)])
    frames = _decode(encode_guide(maps, (w, h), Fraction(24), _encoder(), grey_tables()), tmp_path)
    assert frames.shape == (3, h + h % 2, w + w % 2, 3)
    grey = frames[:, :h, :w].astype(int)
    error = np.abs(grey - maps[..., None])
    assert error.max() <= 6 and error.mean() < 1  # limited range read back as full (a wrong table) is off by up to 20
    assert np.array_equal(grey[..., 0], grey[..., 2])  # grey: no colour cast


def test_a_layout_guide_decodes_back_to_each_class_colour(tmp_path):
    from director.engine.previz.render import LAYOUT_COLOURS

    colours = np.zeros((256, 3), np.uint8)
    for label, colour in LAYOUT_COLOURS.items():
        colours[label] = colour
    colours[4] = (150, 5, 61)
    labels = np.zeros((64, 96), np.uint8)
    labels[32:] = 1
    labels[8:56, 40:64] = 4
    frames = _decode(encode_guide(np.stack([labels] * 2), (96, 64), Fraction(24), _encoder(), colour_tables(colours)), tmp_path)
    for label, (y, x) in {0: (4, 10), 1: (50, 10), 4: (30, 50)}.items():
        assert np.abs(frames[1, y, x].astype(int) - colours[label]).max() <= 6, label


def test_encoders_follow_the_render_in_order_and_stop_when_it_fails():
    feed = FrameFeed(4)
    frames = np.arange(4)[:, None] * np.ones((4, 2), int)
    seen: list[int] = []
    failed: list[BaseException] = []

    def consume() -> None:
        try:
            for frame in feed.frames_of(frames):
                seen.append(int(frame[0]))
        except RenderStopped as exc:
            failed.append(exc)

    reader = threading.Thread(target=consume)
    reader.start()
    feed.done(1)  # out of order: frame 1 waits for frame 0
    feed.done(0)
    feed.fail(RuntimeError("cancelled"))
    reader.join(5)
    assert not reader.is_alive()
    assert seen == [0, 1] and len(failed) == 1


def test_a_waiting_encoder_stops_when_its_job_is_stopped():
    feed = FrameFeed(2)

    class Stopped(Exception):
        pass

    def check():
        raise Stopped()

    with pytest.raises(Stopped):
        feed.wait(0, check)


def test_a_take_writes_the_render_it_made_and_a_cancel_midway_leaves_nothing(shot_project):
    from director.engine import actions
    from director.engine.messages import Failed, Finished, Progress, TakeWritten
    from director.engine.previz.job import render_arrays
    from director.engine.previz.render import layout_colours
    from director.engine.previz.spec import read_spec
    from director.engine.runner import build_request
    from director.engine.worker_run import Worker
    from director.store import jobs as store_jobs

    params = {"width": 96, "height": 64, "frames": 9, "fps": 12}
    queued = actions.queue_generation(shot_project, "12A", "previz", variants=2, seed_mode="list", seeds=[3, 4], params=params)
    request = build_request(shot_project, store_jobs.get_job(shot_project, queued.job_ids[0]))
    events = []
    worker = Worker(events.append)
    worker.run(request)
    assert isinstance(events[-1], Finished), events[-1]
    takes = [e for e in events if isinstance(e, TakeWritten)]
    assert [t.seed for t in takes] == [3, 4]
    rgb, depth, labels, _cpu = render_arrays(request.scene, request.params, 4, lambda: None)
    media = shot_project.media.root
    assert np.array_equal(read_frames(media / takes[1].media_path).shape, rgb.shape)
    got_depth = read_frames(media / takes[1].extra["artifacts"]["depth"])
    error = np.abs(got_depth[..., 1].astype(int) - depth)
    assert np.median(error) <= 1 and error.mean() < 1.5  # x264 rounds only at the depth's edges
    layout = layout_colours(read_spec(request.scene)[0])[labels]
    got_layout = read_frames(media / takes[1].extra["artifacts"]["layout"]).astype(int)
    assert np.median(np.abs(got_layout - layout)) <= 2  # 4:2:0 blurs only the class edges

    # a cancel once the writer has frames to encode: the job ends cancelled, no take, no file left
    def emit(event):
        events.append(event)
        if isinstance(event, Progress) and event.step == 4:
            worker.request_cancel(request.job_id + 1000)

    later = build_request(shot_project, store_jobs.get_job(shot_project, queued.job_ids[0]))
    later = dataclasses.replace(later, job_id=later.job_id + 1000)
    events.clear()
    worker.emit = emit
    worker.run(later)
    worker.close()
    assert isinstance(events[-1], Failed) and events[-1].kind.value == "cancelled", events[-1]
    assert not any(isinstance(e, TakeWritten) for e in events)
    assert not list(media.glob("tmp/*"))
