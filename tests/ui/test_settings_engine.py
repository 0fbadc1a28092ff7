"""Settings → Engine → "Run jobs on": where the window's jobs run (this machine or a Ray cluster).
The choice is kept in the app settings, a malformed address is refused with the accepted forms,
and a window pointed at an unreachable cluster opens at once and says so in the status bar."""

from __future__ import annotations

import time

from director.engine.client import LocalEngineClient
from director.ui.recent import app_settings
from director.ui.settings_dialog import ENGINE_KEY, SettingsDialog, engine_setting

from tests.engine.test_ray_loopback import free_port


def test_the_engine_field_is_stored_in_the_app_settings(qtbot, monkeypatch):
    monkeypatch.delenv("DIRECTOR_ENGINE", raising=False)
    assert engine_setting() == "local"
    dialog = SettingsDialog(None)
    qtbot.addWidget(dialog)
    assert dialog.engine.text() == ""  # empty means this machine
    dialog.engine.setText("  ray://render-head.lan:10001 ")
    with qtbot.waitSignal(dialog.settings_saved):
        assert dialog.save()
    assert app_settings().value(ENGINE_KEY) == "ray://render-head.lan:10001"
    assert engine_setting() == "ray://render-head.lan:10001"
    again = SettingsDialog(None)
    qtbot.addWidget(again)
    assert again.engine.text() == "ray://render-head.lan:10001"
    again.engine.setText("")
    assert again.save()
    assert engine_setting() == "local"


def test_a_malformed_engine_is_refused_and_nothing_is_saved(qtbot):
    dialog = SettingsDialog(None)
    qtbot.addWidget(dialog)
    dialog.engine.setText("gpu-farm")
    dialog.device.setCurrentIndex(dialog.device.findData("cpu"))
    assert not dialog.save()
    assert "ray://HOST:PORT" in dialog.error.text() and dialog.tabs.currentIndex() == 1
    assert engine_setting() == "local" and app_settings().value("engine/device", "auto") != "cpu"


def test_the_window_runs_jobs_on_the_local_worker_by_default(window, project_file, monkeypatch):
    monkeypatch.delenv("DIRECTOR_ENGINE", raising=False)
    assert window.new_project(project_file)
    assert isinstance(window._client, LocalEngineClient) and window.runner.client is window._client


def test_an_unreachable_cluster_never_blocks_the_window_and_is_reported(window, project_file, qtbot, monkeypatch):
    monkeypatch.delenv("DIRECTOR_ENGINE", raising=False)
    address = f"ray://127.0.0.1:{free_port()}"  # nothing listens there
    app_settings().setValue(ENGINE_KEY, address)
    started = time.monotonic()
    assert window.new_project(project_file)
    assert time.monotonic() - started < 5.0, "opening the project does not wait for the cluster"
    client = window._client
    assert client.address == address and window.runner.client is client
    qtbot.waitUntil(lambda: any(address in n and "ray start --head" in n for n in window.notifications), timeout=30000)
    assert client.state == "failed"
    shown = [n for n in window.notifications if address in n]
    window.pump()
    window.pump()
    assert [n for n in window.notifications if address in n] == shown  # said once, not every pump


def test_the_unauthenticated_cluster_switch_warns_is_saved_and_reaches_the_windows_engine(window, project_file, qtbot, monkeypatch):
    from director.ui.settings_dialog import ALLOW_UNAUTHENTICATED_KEY, allow_unauthenticated_setting

    monkeypatch.delenv("DIRECTOR_ENGINE", raising=False)
    assert allow_unauthenticated_setting() is False  # refused unless the user turns it on
    dialog = SettingsDialog(None)
    qtbot.addWidget(dialog)
    assert not dialog.allow_unauthenticated.isChecked()
    assert dialog.allow_unauthenticated_warning.isHidden()
    dialog.allow_unauthenticated.setChecked(True)
    assert not dialog.allow_unauthenticated_warning.isHidden()
    assert "run code" in dialog.allow_unauthenticated_warning.text()
    assert dialog.save()
    assert allow_unauthenticated_setting() is True
    app_settings().setValue(ENGINE_KEY, f"ray://127.0.0.1:{free_port()}")
    assert window.new_project(project_file)
    assert window._client.allow_unauthenticated is True
    app_settings().setValue(ALLOW_UNAUTHENTICATED_KEY, False)
