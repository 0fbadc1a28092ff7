"""Tiny twins built once per test session into one temporary folder (DIRECTOR_TWINS_DIR), so each
family's tests load them from disk through the real loader without rebuilding them."""

from __future__ import annotations

import functools
import itertools
import os
import tempfile
from pathlib import Path

_ids = itertools.count(70_000)


def job_id() -> int:
    return next(_ids)


@functools.lru_cache(maxsize=1)
def twins_root() -> Path:
    """One folder per test session, even if this module is imported under a second name: the
    engine worker inherits DIRECTOR_TWINS_DIR when it starts, so a second folder would hold twins
    it never looks in."""
    shared = os.environ.get("DIRECTOR_TEST_TWINS_ROOT")
    if shared and Path(shared).is_dir():
        root = Path(shared)
    else:
        root = Path(tempfile.mkdtemp(prefix="director-twins-"))
        os.environ["DIRECTOR_TEST_TWINS_ROOT"] = str(root)
    os.environ["DIRECTOR_TWINS_DIR"] = str(root)
    return root


def built(twin_id: str):
    """The twin's preset, its weights built on disk first (once per session)."""
    from director.engine.presets import get_preset
    from director.engine.twins import build_twin

    build_twin(twin_id, twins_root())
    return get_preset(twin_id)


def still(path: Path, seed: int = 0) -> str:
    """A small RGB still to animate."""
    import numpy as np
    from PIL import Image

    pixels = (np.random.default_rng(seed).random((32, 32, 3)) * 255).astype("uint8")
    Image.fromarray(pixels).save(path)
    return str(path)
