"""Running a twin through the real worker: download layout → loader → worker → take."""

from __future__ import annotations

from dataclasses import replace

from tests.engine.conftest import request_for, run_to_end
from tests.engine.twin_cache import built, job_id, still


def take_of(engine, twin_id: str, tmp_path, seed: int = 5, **params) -> dict:
    """Run one variant of a twin in the worker; returns the written take's extra facts (with
    `frames_sha256`), its width, height and frame count. Fails with the worker's reason."""
    from director.engine.messages import Failed, TakeWritten

    preset = built(twin_id)
    request = request_for(twin_id, job_id(), tmp_path / "media", seeds=(seed,), preset=preset,
                          **({"init_image": "still.png"} if preset.kind == "i2v" else {}), **params)
    if preset.kind == "i2v":
        request = replace(request, init_image=still(tmp_path / f"still-{seed}.png"))
    events = run_to_end(engine, request, timeout=120)
    failed = [e for e in events if isinstance(e, Failed)]
    assert not failed, failed[0].message
    takes = [e for e in events if isinstance(e, TakeWritten)]
    assert len(takes) == 1
    t = takes[0]
    return {**t.extra, "width": t.width, "height": t.height, "frames": t.frames}


def reproduces(engine, twin_id: str, tmp_path) -> None:
    """A seed gives bit-identical frames twice; another seed gives other frames."""
    a = take_of(engine, twin_id, tmp_path / "a", seed=5)
    b = take_of(engine, twin_id, tmp_path / "b", seed=5)
    c = take_of(engine, twin_id, tmp_path / "c", seed=6)
    assert a["frames_sha256"] == b["frames_sha256"]
    assert a["frames_sha256"] != c["frames_sha256"]
    assert a["model_revision"].startswith("sha256:")  # loaded from disk, fingerprinted like a download
