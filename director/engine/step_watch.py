"""Progress and cancel for pipelines whose `__call__` has no `callback_on_step_end`.

HunyuanVideo 1.5 (T2V and I2V, diffusers 0.42) steps its scheduler once per denoising step but
offers no step callback, so without this a job would show no progress until the end and could
not be cancelled mid-run. The watch wraps that pipeline's own scheduler instance's `step` for the
length of one call: after each step it reports, and raising from it (a cancel) stops the pipeline
exactly as raising from a step callback does. The class method is never touched, and the instance
is restored even when the call fails.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable


def needs_watch(accepted) -> bool:
    """True when a pipeline's call signature has no step callback."""
    return "callback_on_step_end" not in accepted


@contextmanager
def scheduler_steps(pipe, on_step: Callable[[int], None]):
    """Call `on_step(step_index)` after each scheduler step of `pipe` while the block runs."""
    scheduler = pipe.scheduler
    original = scheduler.step
    count = 0

    def step(*args, **kwargs):
        nonlocal count
        out = original(*args, **kwargs)
        on_step(count)
        count += 1
        return out

    scheduler.step = step
    try:
        yield
    finally:
        scheduler.__dict__.pop("step", None)
