"""Shared fixtures: every test runs offline, offscreen, with its own config folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# A window does not start its worker until a job needs one (tests/ui/test_engine_warm.py turns
# warming on): hundreds of window tests would otherwise each spawn a torch process.
os.environ.setdefault("DIRECTOR_WARM_ENGINE", "0")


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path_factory, monkeypatch):
    config = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("DIRECTOR_CONFIG_DIR", str(config))
    monkeypatch.setenv("HF_HOME", str(config / "hf"))
    yield


@pytest.fixture
def project(tmp_path: Path):
    from director.store import Project

    p = Project.create(tmp_path / "film")
    yield p
    p.close()
