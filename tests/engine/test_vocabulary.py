"""One vocabulary in the engine: the messages, the preset's cache key and what every engine
client declares are defined once, where both the local and the cluster path read them."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

from director.engine.client import EngineClient, LocalEngineClient
from director.engine.presets import Memory, get_preset


def test_the_local_path_never_imports_the_cluster_engine():
    # The runner used to import Retrying from ray_engine, so every local job loaded the cluster code.
    code = ("import sys, director.engine.runner, director.engine.client, director.engine.actions; "
            "print('director.engine.ray_engine' in sys.modules, 'ray' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_a_presets_cache_key_ignores_what_changes_no_pixel_and_follows_what_does():
    tiny = get_preset("tiny-t2v")
    assert replace(tiny, label="renamed", notes="a note", user=True).cache_key == tiny.cache_key
    assert replace(tiny, memory=Memory(vae_tiling=True)).cache_key != tiny.cache_key
    assert replace(tiny, source="/models/other").cache_key != tiny.cache_key
    assert get_preset("tiny-t2i").cache_key != tiny.cache_key


class _Minimal(EngineClient):
    """A client that implements only what it must."""

    def submit(self, request):
        pass

    def cancel(self, job_id):
        pass

    def poll_events(self, timeout=0.0):
        return []

    def shutdown(self):
        pass

    @property
    def busy(self):
        return False


def test_every_engine_client_says_its_capacity_state_and_error(project):
    from director.engine.ray_engine import RayEngineClient
    from director.engine.runner import JobRunner

    for client in (_Minimal(), LocalEngineClient()):
        assert (client.capacity, client.state, client.error) == (1, "ready", None)
    cluster = RayEngineClient("127.0.0.1:1", connect=False)
    try:
        assert (cluster.capacity, cluster.state, cluster.error) == (0, "idle", None)
        # While a cluster connects the runner still hands it one job (the client holds it).
        assert JobRunner(project, cluster).capacity == 1
    finally:
        cluster.shutdown()


def test_a_meter_is_one_typed_value_from_the_worker_to_the_ledger():
    from director.engine.messages import Meter

    lost = Meter(node="gpu-2", node_id="n2", device="cuda", gpu_type="NVIDIA H100", wall_s=40.0, gpu_s=31.5)
    final = Meter(device="cuda", node="gpu-1", gpu_s=12.0, wall_s=15.0, load_s=0.0, gpu_type="NVIDIA H100",
                  attempts=2, lost_attempts=(lost,), warnings=("the prompt was truncated",))
    plain = final.to_dict()
    assert plain["lost_attempts"] == [lost.to_dict()] and plain["warnings"] == ["the prompt was truncated"]
    assert "energy_wh" not in plain and "peak_mem_bytes" not in plain  # absent figures stay absent
    assert Meter.of(plain) == final and Meter.of(final) is final and Meter.of(None) == Meter()
    # A meter written as a dict (a script, an older engine) is read the same; unknown names are dropped.
    assert Meter.of({"gpu_s": 3.0, "device": "cpu", "future_figure": 1}) == Meter(gpu_s=3.0, device="cpu")
    assert final["gpu_s"] == final.get("gpu_s") == 12.0 and final.get("energy_wh", 0.0) == 0.0
