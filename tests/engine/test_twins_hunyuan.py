"""HunyuanVideo 1.5 twins, loaded the way a download is and run through the worker."""

from __future__ import annotations

from tests.engine.twin_runs import reproduces, take_of


def test_hunyuan15_text_to_video_twin_reproduces(engine, tmp_path):
    reproduces(engine, "tiny-hunyuan15-t2v", tmp_path)


def test_hunyuan15_image_to_video_twin_animates_a_still(engine, tmp_path):
    take = take_of(engine, "tiny-hunyuan15-i2v", tmp_path)
    assert take["frames"] == 9


def test_hunyuan15_reports_every_step_and_stops_on_cancel(engine, tmp_path):
    """HunyuanVideo 1.5 has no step callback in diffusers 0.42: the worker still shows each step
    and a cancel stops it within a step, leaving no take."""
    from director.core.enums import FailureKind
    from director.engine.messages import Failed, Progress, TakeWritten
    from tests.engine.conftest import request_for, run_to_end
    from tests.engine.twin_cache import built, job_id

    preset = built("tiny-hunyuan15-t2v")
    events = run_to_end(engine, request_for("tiny-hunyuan15-t2v", job_id(), tmp_path / "a", seeds=(1, 2), preset=preset, steps=4),
                        timeout=120)
    steps = [e.step for e in events if isinstance(e, Progress)]
    assert steps == list(range(1, 9)), steps
    assert all(e.total == 8 for e in events if isinstance(e, Progress))

    job = job_id()

    def cancel_at_step_3(e):
        if isinstance(e, Progress) and e.step == 3:
            engine.cancel(job)

    events = run_to_end(engine, request_for("tiny-hunyuan15-t2v", job, tmp_path / "b", seeds=(1, 2), preset=preset, steps=4),
                        timeout=120, on_event=cancel_at_step_3)
    assert isinstance(events[-1], Failed) and events[-1].kind is FailureKind.CANCELLED
    assert max(e.step for e in events if isinstance(e, Progress)) <= 4
    assert not any(isinstance(e, TakeWritten) for e in events)
