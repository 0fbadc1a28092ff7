"""A real Ray cluster on loopback for the Ray tests and the benchmark (and a test that it is one): `ray start --head --block`
in its own process group, so it is stopped by its id (never `ray stop`, which ends every Ray on
the machine)."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path


REPO = Path(__file__).resolve().parents[2]

# Ray resolves 127.0.0.1 to the machine's network address unless told it is not a cluster
# member; this keeps every Ray process of the tests on loopback.
# Ray reads these when first imported, so they are set as this module is imported, before any
# test imports Ray. The token is this test session's own: every cluster it starts requires it.
LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0",
                "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16)}
os.environ.update(LOOPBACK_ENV)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"ray start exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"the test Ray head did not open port {port} in {timeout:g} s")


@contextmanager
def loopback_cluster(num_cpus: int = 2, log_path: Path | None = None, client_port: int | None = None, auth: bool = True):
    """Yield the GCS address ("127.0.0.1:PORT") of a fresh head node with token auth (or, with
    auth=False, one that starts without it, as a head does when no token exists); the caller's
    environment gets the token and loopback settings for as long as it runs."""
    port = free_port()
    if "ray" in sys.modules and sys.modules["ray"].__dict__.get("_private") is not None:
        from ray._private import ray_constants

        assert not ray_constants.ENABLE_RAY_CLUSTER, "Ray was imported before the loopback settings"
    env_updates = {**LOOPBACK_ENV, "DIRECTOR_TORCH_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    saved = {k: os.environ.get(k) for k in env_updates}
    os.environ.update(env_updates)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    # The Ray Client proxier forks each client's server while its gRPC threads run; with gRPC's
    # fork handlers on, the child sometimes dies before exec on this loaded 2-core machine
    # ("Check failed: next_worker->state == KICKED" in ray_client_server.err, then "Starting Ray
    # client server failed"). The child only execs, so the head runs without the handlers.
    env["GRPC_ENABLE_FORK_SUPPORT"] = "0"
    if not auth:  # what `ray start --head` does when no token exists anywhere (ray_auth's docstring)
        env["RAY_AUTH_MODE"] = "disabled"
        for k in ("RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH"):
            env.pop(k, None)
    ray_bin = str(Path(sys.executable).with_name("ray"))
    for attempt in range(3):  # a port picked here can be taken by another Ray before this one binds it
        temp_dir = f"/tmp/ray-director-{os.getpid()}-{port}"  # short: Ray's socket paths have a length limit
        log = open(log_path or os.devnull, "w")
        proc = subprocess.Popen(
            [ray_bin, "start", "--head", "--block", f"--port={port}", f"--num-cpus={num_cpus}", "--num-gpus=0",
             "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp_dir}",
             f"--ray-client-server-port={client_port or free_port()}", f"--min-worker-port={port + 1}", f"--max-worker-port={port + 200}"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            _wait_port(port, proc, 60)
            break
        except RuntimeError:  # `ray start` exited: try fresh ports, then say why
            log.close()
            subprocess.run(["rm", "-rf", temp_dir], check=False)
            if attempt == 2:
                _restore(saved)
                tail = Path(log_path).read_text()[-2000:] if log_path else ""
                raise RuntimeError(f"ray start --head failed three times: {tail}") from None
            port = free_port()  # the caller's client port stays: it has told its tests that one
    try:
        yield f"127.0.0.1:{port}"
    finally:
        try:
            import ray

            if ray.is_initialized():
                ray.shutdown()
        except ImportError:
            pass
        # SIGTERM lets `ray start --block` stop its processes; it can take half a minute, so
        # the process group (ours alone) gets SIGKILL after a short grace.
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(3)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        log.close()
        if log_path:  # Ray's own logs, beside the head's, for a failure to be read after the fact
            subprocess.run(["cp", "-r", f"{temp_dir}/session_latest/logs", f"{log_path}.logs"], check=False, capture_output=True)
        subprocess.run(["rm", "-rf", temp_dir], check=False)
        _restore(saved)


def _restore(saved: dict) -> None:
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def test_the_test_cluster_listens_on_loopback_only_and_stops_by_its_own_id():
    import ray

    with loopback_cluster(num_cpus=1) as address:
        ray.init(address=address, log_to_driver=False)
        nodes = [n for n in ray.nodes() if n["Alive"]]
        assert [n["NodeManagerAddress"] for n in nodes] == ["127.0.0.1"]
        session = ray.get_runtime_context().gcs_address
        assert session == address
    assert not ray.is_initialized()
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert f"--gcs_server_port={address.rsplit(':', 1)[1]}" not in ps
