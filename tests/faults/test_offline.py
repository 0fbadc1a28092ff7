"""Offline unless asked: no Director process opens a network connection unless the user ran
`director models pull`. A user's machine has no HF_HUB_OFFLINE set, so these tests unset it, and
a guard refuses (and records) every connection or name lookup that leaves this machine: in this
process by monkeypatching the socket module, in every child (the CLI, the engine worker it
spawns) by a sitecustomize.py on PYTHONPATH that installs the same guard at interpreter start.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from director.cli import main
from director.engine.loading import resolve, weights_present
from director.engine.presets import all_presets, get_preset
from tests.engine.conftest import shot_project  # noqa: F401  (pytest fixture)

# The guard, as source: exec'd here, and written as sitecustomize.py for child processes.
GUARD = r'''
import ipaddress as _ipaddress
import os as _os
import socket as _socket
import traceback as _traceback

_ATTEMPTS = _os.environ.get("DIRECTOR_TEST_NET_ATTEMPTS")
_GUARDED = _os.environ.get("DIRECTOR_TEST_NET_GUARDED")
_real_connect = _socket.socket.connect
_real_connect_ex = _socket.socket.connect_ex
_real_getaddrinfo = _socket.getaddrinfo


def _is_local(host):
    if isinstance(host, bytes):
        host = host.decode()
    if host is None or host in ("", "localhost"):
        return True
    try:
        return _ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(what, host):
    if _ATTEMPTS:
        with open(_ATTEMPTS, "a") as f:
            f.write(f"pid {_os.getpid()}: {what} {host}\n{''.join(_traceback.format_stack(limit=12))}\n")
    raise OSError(101, f"network refused by the offline test: {what} {host}")


def connect(self, address):
    if self.family in (_socket.AF_INET, _socket.AF_INET6) and not _is_local(address[0]):
        _refuse("connect", address[0])
    return _real_connect(self, address)


def connect_ex(self, address):
    if self.family in (_socket.AF_INET, _socket.AF_INET6) and not _is_local(address[0]):
        _refuse("connect_ex", address[0])
    return _real_connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    if not _is_local(host):
        _refuse("getaddrinfo", host)
    return _real_getaddrinfo(host, *args, **kwargs)


def install():
    _socket.socket.connect = connect
    _socket.socket.connect_ex = connect_ex
    _socket.getaddrinfo = getaddrinfo  # socket.create_connection looks it up here
    if _GUARDED:
        with open(_GUARDED, "a") as f:
            f.write(f"{_os.getpid()}\n")
'''


class NetworkGuard:
    def __init__(self, folder: Path):
        self.attempts_file = folder / "attempts.log"
        self.guarded_file = folder / "guarded-pids.txt"

    @property
    def attempts(self) -> str:
        return self.attempts_file.read_text() if self.attempts_file.exists() else ""

    @property
    def guarded_pids(self) -> set[int]:
        return {int(line) for line in self.guarded_file.read_text().split()} if self.guarded_file.exists() else set()


@pytest.fixture
def no_network(tmp_path, monkeypatch) -> NetworkGuard:
    folder = tmp_path / "net-guard"
    folder.mkdir()
    guard = NetworkGuard(folder)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # as on a user's machine
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):  # the cache is the test's own (HF_HOME/hub)
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DIRECTOR_TEST_NET_ATTEMPTS", str(guard.attempts_file))
    monkeypatch.setenv("DIRECTOR_TEST_NET_GUARDED", str(guard.guarded_file))
    (folder / "sitecustomize.py").write_text(GUARD + "\ninstall()\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")])))
    namespace: dict = {}
    exec(compile(GUARD, "net-guard", "exec"), namespace)
    monkeypatch.setattr(socket.socket, "connect", namespace["connect"])
    monkeypatch.setattr(socket.socket, "connect_ex", namespace["connect_ex"])
    monkeypatch.setattr(socket, "getaddrinfo", namespace["getaddrinfo"])
    return guard


def _fake_hub_cache(repo: str, files: dict[str, bytes]) -> Path:
    """A repo in the Hugging Face cache laid out as the hub client leaves it (refs/main → snapshot)."""
    hf_home = Path(os.environ["HF_HOME"])
    commit = "0123456789abcdef0123456789abcdef01234567"
    folder = hf_home / "hub" / ("models--" + repo.replace("/", "--"))
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text(commit)
    for name, data in files.items():
        path = folder / "snapshots" / commit / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder / "snapshots" / commit


def test_the_guard_itself_refuses_and_records_a_connection(no_network):
    with pytest.raises(OSError, match="refused by the offline test"):
        socket.create_connection(("huggingface.co", 443), timeout=1)
    assert "getaddrinfo huggingface.co" in no_network.attempts


def test_models_list_opens_no_connection(no_network):
    result = subprocess.run([sys.executable, "-m", "director", "models", "list", "--json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    listed = {m["id"]: m for m in json.loads(result.stdout)}
    assert listed["tiny-t2v"]["weights_present"] and not listed["ltx-2b-distilled"]["weights_present"]
    assert len(no_network.guarded_pids) == 1, "the guard did not reach the CLI process"
    assert no_network.attempts == "", no_network.attempts


def test_the_generate_panels_weights_check_opens_no_connection_for_any_preset(no_network):
    # The window asks this for every preset when a project opens.
    present = {p.id: weights_present(p) for p in all_presets()}
    assert present["tiny-t2v"] and not present["ltx-2b-distilled"] and not present["sd-turbo"]
    assert no_network.attempts == "", no_network.attempts


def test_a_single_file_preset_in_the_cache_is_found_without_the_network(no_network):
    # ltx-2b-distilled is "Lightricks/LTX-Video::ltxv-2b-0.9.8-distilled.safetensors" with its
    # configs in the same repo: the hub client's hf_hub_download(local_files_only=True) still
    # looked something up on the hub before it answered from the cache.
    snapshot = _fake_hub_cache("Lightricks/LTX-Video", {
        "ltxv-2b-0.9.8-distilled.safetensors": b"weights", "model_index.json": b"{}",
    })
    preset = get_preset("ltx-2b-distilled")
    assert weights_present(preset)
    how, weights, config = resolve(preset)
    assert (how, weights, config) == ("single_file", snapshot / "ltxv-2b-0.9.8-distilled.safetensors", snapshot)
    assert no_network.attempts == "", no_network.attempts


@pytest.mark.parametrize("env", [
    {"HF_HOME": "~/hf-home"},
    {"XDG_CACHE_HOME": "/srv/cache"},
    {"HF_HOME": "/data/hf", "HUGGINGFACE_HUB_CACHE": "/legacy/hub"},
    {"HF_HOME": "/data/hf", "HUGGINGFACE_HUB_CACHE": "/legacy/hub", "HF_HUB_CACHE": "$HOME/hub-cache"},
])
def test_the_cache_folder_read_without_the_hub_client_is_the_hub_clients_own(env):
    code = ("from director.engine.loading import hub_cache_dir; import huggingface_hub.constants as c; "
            "print(hub_cache_dir()); print(c.HF_HUB_CACHE)")
    clean = {k: v for k, v in os.environ.items()
             if k not in ("HF_HOME", "XDG_CACHE_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE")}
    result = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, timeout=60)
    ours, theirs = result.stdout.split()
    assert Path(ours) == Path(theirs)


@pytest.fixture
def film_offline(shot_project, no_network):  # noqa: F811
    path = shot_project.path
    shot_project.close()
    return str(path)


def test_generating_offline_opens_no_connection_with_weights_or_without(film_offline, no_network, capsys):
    # A tiny preset (weights built in-process) and a real preset whose weights are not here,
    # queued, then run by one engine worker.
    for preset in ("tiny-t2v", "ltx-2b-distilled"):
        assert main(["generate", film_offline, "--shot", "12A", "--preset", preset, "--variants", "1",
                     "--steps", "2", "--no-wait"]) == 0
    capsys.readouterr()
    assert main(["queue", "run", film_offline, "--json"]) == 1  # one of the two could not run
    done, missing = json.loads(capsys.readouterr().out)
    assert done["state"] == "done" and len(done["takes"]) == 1
    assert missing["state"] == "failed" and missing["error_kind"] == "missing_weights"
    assert "director models pull ltx-2b-distilled" in missing["error"]
    assert no_network.guarded_pids - {os.getpid()}, "the guard did not reach the engine worker"
    assert no_network.attempts == "", no_network.attempts


def test_models_pull_is_what_reaches_the_hub(no_network):
    # The one verb that asks to download does try (and, with the network refused, says so).
    result = subprocess.run([sys.executable, "-m", "director", "models", "pull", "sd-turbo"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "hf download stabilityai/sd-turbo" in result.stderr
    assert "Traceback" not in result.stderr
    assert "huggingface.co" in no_network.attempts


def test_a_job_that_asks_to_download_may_reach_the_hub_from_the_offline_worker(no_network, tmp_path):
    # The worker stays offline for every job except one whose request asks to download.
    from dataclasses import replace

    from director.core.enums import FailureKind
    from director.engine.client import LocalEngineClient
    from director.engine.messages import Failed
    from tests.engine.conftest import request_for, run_to_end

    client = LocalEngineClient()
    try:
        request = replace(request_for("sd-turbo", 1, tmp_path), allow_download=True)
        final = run_to_end(client, request)[-1]
    finally:
        client.shutdown()
    assert isinstance(final, Failed) and final.kind is FailureKind.MISSING_WEIGHTS
    assert "director models pull sd-turbo" in final.message
    assert "huggingface.co" in no_network.attempts
    assert f"pid {os.getpid()}:" not in no_network.attempts  # the worker tried, not this process


def test_opening_a_project_in_the_window_opens_no_connection(no_network, tmp_path, qtbot):
    """The real window on a project: the Generate panel's weights check and everything else at open."""
    from director.store.project import Project
    from director.ui.app import configure_app
    from director.ui.main_window import MainWindow
    from PySide6.QtWidgets import QApplication

    configure_app(QApplication.instance())
    path = tmp_path / "film.director"
    Project.create(path).close()
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    try:
        from director.ui.generate_panel import GeneratePanel

        assert w.open_project(path)
        # The window fills its panels in after the first paint, one per turn of the event loop.
        qtbot.waitUntil(lambda: w.findChild(GeneratePanel) is not None, timeout=20000)
        panel = w.findChild(GeneratePanel)

        def labels() -> str:
            return " ".join(panel.preset_box.itemText(i) for i in range(panel.preset_box.count()))

        # The real presets have no weights here: the check is done once it says so.
        qtbot.waitUntil(lambda: "(weights missing)" in labels(), timeout=20000)
    finally:
        w.close_project()
        w.close()
    assert no_network.attempts == "", no_network.attempts
