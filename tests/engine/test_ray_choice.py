"""Choosing where jobs run and what each GPU costs, without a cluster: the local worker stays the
default, a Ray address is accepted in the forms Ray prints, an unreachable cluster is a clear
error that never blocks the window, and the app starts without Ray or torch."""

from __future__ import annotations

import subprocess
import sys
import time
from decimal import Decimal

import pytest

from director.core.enums import FailureKind
from director.core.errors import DirectorError, InvalidInput
from director.engine.client import LocalEngineClient
from director.engine.engine_choice import EngineChoice, engine_spec, make_engine_client, parse_engine
from director.store.gpu_prices import gpu_prices, match_price, set_gpu_price
from director.engine.messages import Failed

from .conftest import request_for
from .test_ray_loopback import free_port


@pytest.mark.parametrize(
    ("spec", "choice"),
    [
        (None, EngineChoice("local")),
        ("local", EngineChoice("local")),
        ("ray://10.0.0.5:10001", EngineChoice("ray", "ray://10.0.0.5:10001")),
        ("ray:head.studio.lan:6379", EngineChoice("ray", "head.studio.lan:6379")),
        ("127.0.0.1:6379", EngineChoice("ray", "127.0.0.1:6379")),
        ("ray:auto", EngineChoice("ray", "auto")),
    ],
)
def test_engine_strings_in_the_forms_ray_prints_are_accepted(spec, choice):
    assert parse_engine(spec) == choice


@pytest.mark.parametrize("spec", ["ray://", "ray://head", "gpu-farm", "ray:head:port"])
def test_a_malformed_engine_is_refused_with_the_accepted_forms(spec):
    with pytest.raises(InvalidInput, match=r"ray://HOST:PORT"):
        parse_engine(spec)


def test_the_command_line_wins_over_the_environment_which_wins_over_settings(monkeypatch):
    settings = {"engine": "ray://settings:10001"}
    monkeypatch.delenv("DIRECTOR_ENGINE", raising=False)
    assert engine_spec(None, None) == "local"
    assert engine_spec(None, settings) == "ray://settings:10001"
    monkeypatch.setenv("DIRECTOR_ENGINE", "ray://env:10001")
    assert engine_spec(None, settings) == "ray://env:10001"
    assert engine_spec("local", settings) == "local"


def test_the_local_worker_stays_the_default(monkeypatch):
    monkeypatch.delenv("DIRECTOR_ENGINE", raising=False)
    client = make_engine_client(settings={})
    assert isinstance(client, LocalEngineClient) and client.worker_pid is None  # nothing started yet


def test_an_unreachable_cluster_is_a_clear_error_and_never_blocks_the_window(tmp_path):
    address = f"ray://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    client = make_engine_client(address)
    request = request_for("tiny-t2i", 1, tmp_path, steps=1)
    client.submit(request)
    events = client.poll_events(0)
    assert time.monotonic() - started < 1.0, "creating, submitting and polling return at once"
    deadline = time.monotonic() + 30
    while not events and time.monotonic() < deadline:
        events = client.poll_events(0.1)
    [failed] = events
    assert isinstance(failed, Failed) and failed.kind is FailureKind.ERROR and failed.job_id == 1
    assert address in failed.message and "ray start --head" in failed.message
    assert client.state == "failed" and not client.busy
    with pytest.raises(DirectorError, match="cannot reach the Ray cluster at ray://127.0.0.1"):
        client.wait_ready(1)
    client.shutdown()


def test_gpu_prices_are_kept_per_type_and_matched_by_name(project):
    set_gpu_price(project, "H100", "3.10")
    set_gpu_price(project, "NVIDIA H100 NVL", "3.60")
    set_gpu_price(project, "cpu", "0.05")
    set_gpu_price(project, "h100", "3.20")  # the same type, whatever its case
    prices = gpu_prices(project)
    assert prices == {"cpu": Decimal("0.05"), "H100": Decimal("3.20"), "NVIDIA H100 NVL": Decimal("3.60")}
    assert match_price(prices, "NVIDIA H100 80GB HBM3") == Decimal("3.20")
    assert match_price(prices, "NVIDIA H100 NVL") == Decimal("3.60")  # the longer, exact key wins
    assert match_price(prices, "NVIDIA L40S") is None  # the project's one price applies
    with pytest.raises(InvalidInput, match="0 or more"):
        set_gpu_price(project, "A100", "-1")
    set_gpu_price(project, "cpu", None)
    assert "cpu" not in gpu_prices(project)


def test_choosing_an_engine_imports_neither_ray_nor_torch():
    code = (
        "import sys; import director.engine.engine_choice, director.engine.ray_engine, director.engine.ray_actor; "
        "c = director.engine.engine_choice.make_engine_client('local'); "
        "print(sorted(m for m in ('ray', 'torch', 'diffusers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_cli_keeps_gpu_prices_and_reports_an_unreachable_cluster(tmp_path):
    from director.cli import main
    from director.store import Project

    Project.create(tmp_path / "film").close()
    path = str(tmp_path / "film.director")
    assert main(["engine", "price", path, "L40S", "1.20"]) == 0
    assert main(["engine", "price", path, "L40S"]) == 2  # neither a price nor --remove
    with Project.open(path, readonly=True) as project:
        assert gpu_prices(project) == {"L40S": Decimal("1.20")}
    assert main(["engine", "check", "--engine", f"ray://127.0.0.1:{free_port()}", "--timeout", "20"]) == 1


def test_generate_on_an_unreachable_cluster_exits_1_fast_with_the_message_and_queues_nothing(shot_project, capsys):
    from director.cli import main
    from director.store import Project
    from director.store import jobs as store_jobs

    path = str(shot_project.path)
    shot_project.close()
    started = time.monotonic()
    assert main(["generate", path, "--shot", "12A", "--preset", "tiny-t2i", "--steps", "1", "--engine", "127.0.0.1:1"]) == 1
    assert time.monotonic() - started < 10.0
    err = capsys.readouterr().err
    assert "cannot reach the Ray cluster at 127.0.0.1:1" in err and "ray start --head" in err
    with Project.open(path, readonly=True) as project:
        assert store_jobs.list_jobs(project) == []
    # Jobs queued for later stay queued when `queue run` cannot reach the cluster.
    assert main(["generate", path, "--shot", "12A", "--preset", "tiny-t2i", "--steps", "1", "--no-wait"]) == 0
    assert main(["queue", "run", path, "--engine", "127.0.0.1:1"]) == 1
    assert "cannot reach the Ray cluster at 127.0.0.1:1" in capsys.readouterr().err
    with Project.open(path, readonly=True) as project:
        assert [j.state.value for j in store_jobs.list_jobs(project)] == ["queued"]
