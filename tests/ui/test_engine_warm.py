"""The window starts its local worker soon after a project opens, so the first Generate does not
wait for torch and diffusers to import (#23 cold start)."""

from __future__ import annotations

import pytest

from director.engine.messages import Finished

pytestmark = pytest.mark.slow


def test_the_worker_is_warming_before_the_first_generate(window, project_file, qtbot, monkeypatch):
    import director.ui.engine_driver as driver

    monkeypatch.setenv("DIRECTOR_WARM_ENGINE", "1")
    monkeypatch.setattr(driver, "WARM_DELAY_MS", 50)
    window.new_project(project_file)
    qtbot.waitUntil(lambda: window.engine.client.worker_pid is not None, timeout=10_000)
    pid = window.engine.client.worker_pid
    assert window.engine.warm_up() is False  # once only
    window.panel("shots").add_shot("1")
    window.panel("prompt").field_edit("subject").setText("a lighthouse at dusk")
    window.panel("generate").set_preset("tiny-t2v")
    window.panel("generate").variants.setValue(1)
    with qtbot.waitSignal(window.job_event, timeout=240_000, check_params_cb=lambda e: isinstance(e, Finished)):
        window.generate()
    assert window.engine.client.worker_pid == pid  # the job ran on the warmed worker


def test_no_worker_is_started_when_warming_is_off(window, project_file, qtbot, monkeypatch):
    import director.ui.engine_driver as driver

    monkeypatch.setenv("DIRECTOR_WARM_ENGINE", "0")
    monkeypatch.setattr(driver, "WARM_DELAY_MS", 10)
    window.new_project(project_file)
    qtbot.wait(300)
    assert window.engine.client.worker_pid is None
