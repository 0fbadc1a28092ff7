"""Generation on a Ray cluster: jobs per minute with 1 vs 2 actors, and the per-job overhead of the
cluster path (object store, long-poll events, media written by the app) against the local worker.

A loopback cluster (`ray start --head` in its own process group) with 2 CPUs runs tiny-t2i jobs
(64×64, 2 steps, one torch thread per actor). Overhead = time from submit to the Finished event
minus the job's own wall time measured inside the worker, jobs run one at a time, pipelines warm.
Run from the repository root: python bench/ray_scale.py [--jobs 8] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DIRECTOR_TORCH_THREADS", "1")
os.environ["HF_HUB_OFFLINE"] = "1"

from tests.engine.test_ray_loopback import loopback_cluster  # noqa: E402  (sets Ray's loopback env first)

from director.engine.messages import FINAL_EVENTS, Finished, JobRequest  # noqa: E402
from director.engine.presets import get_preset, validate_params  # noqa: E402

PRESET = "tiny-t2i"
PARAMS = {"steps": 2, "width": 64, "height": 64}
_ids = iter(range(1, 10**6))


def request(media_root: Path, seed: int) -> JobRequest:
    preset = get_preset(PRESET)
    return JobRequest(job_id=next(_ids), preset=preset, prompt="a lighthouse at dusk, wide shot",
                      params=validate_params(preset, PARAMS), seeds=(seed,), media_root=str(media_root))


def run(client, requests, timeout=600.0) -> dict[int, tuple[float, Finished]]:
    """Submit all, wait for all; job id → (seconds from submit to Finished, Finished)."""
    submitted = {}
    for r in requests:
        submitted[r.job_id] = time.perf_counter()
        client.submit(r)
    done, deadline = {}, time.monotonic() + timeout
    while len(done) < len(requests) and time.monotonic() < deadline:
        for e in client.poll_events(0.05):
            if isinstance(e, FINAL_EVENTS):
                if not isinstance(e, Finished):
                    raise RuntimeError(f"job {e.job_id} failed: {e.message}")
                done[e.job_id] = (time.perf_counter() - submitted[e.job_id], e)
    if len(done) < len(requests):
        raise TimeoutError("jobs did not finish")
    return done


def throughput(client, media: Path, jobs: int) -> float:
    run(client, [request(media, 0)])  # warm the pipeline on every actor before timing
    if getattr(client, "capacity", 1) > 1:
        run(client, [request(media, s) for s in range(client.capacity)])
    start = time.perf_counter()
    run(client, [request(media, s) for s in range(jobs)])
    return jobs / (time.perf_counter() - start) * 60


def overhead(client, media: Path, jobs: int) -> tuple[float, float]:
    """Median (submit→Finished − worker wall) and median worker wall, one job at a time."""
    over, walls = [], []
    for s in range(jobs):
        [(latency, fin)] = run(client, [request(media, 100 + s)]).values()
        over.append(latency - fin.meter["wall_s"])
        walls.append(fin.meter["wall_s"])
    return statistics.median(over), statistics.median(walls)


def ray_client(address: str, actors: int):
    from director.engine.ray_engine import RayEngineClient

    client = RayEngineClient(address, actors=actors, num_cpus=2 / actors)
    client.wait_ready(120)
    deadline = time.monotonic() + 120
    while client.capacity < actors and time.monotonic() < deadline:
        client.poll_events(0.1)
    return client


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results: dict = {"preset": PRESET, "params": PARAMS, "jobs": args.jobs, "cpus": 2}
    with tempfile.TemporaryDirectory() as tmp:
        media = Path(tmp) / "media"
        from director.engine.client import LocalEngineClient

        local = LocalEngineClient()
        try:
            results["local_jobs_per_min"] = throughput(local, media, args.jobs)
            results["local_overhead_s"], results["local_job_wall_s"] = overhead(local, media, args.jobs)
        finally:
            local.shutdown()
        with loopback_cluster(num_cpus=2) as address:
            for actors in (1, 2):
                client = ray_client(address, actors)
                try:
                    results[f"ray_{actors}_actor_jobs_per_min"] = throughput(client, media, args.jobs)
                    if actors == 1:
                        results["ray_overhead_s"], results["ray_job_wall_s"] = overhead(client, media, args.jobs)
                finally:
                    client.shutdown()
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{args.jobs} × {PRESET} {PARAMS} on {results['cpus']} CPUs (loopback cluster)")
        print(f"  local worker       {results['local_jobs_per_min']:7.1f} jobs/min   overhead {results['local_overhead_s'] * 1000:6.1f} ms/job "
              f"(job wall {results['local_job_wall_s'] * 1000:.0f} ms)")
        print(f"  Ray, 1 actor       {results['ray_1_actor_jobs_per_min']:7.1f} jobs/min   overhead {results['ray_overhead_s'] * 1000:6.1f} ms/job "
              f"(job wall {results['ray_job_wall_s'] * 1000:.0f} ms)")
        print(f"  Ray, 2 actors      {results['ray_2_actor_jobs_per_min']:7.1f} jobs/min   "
              f"(×{results['ray_2_actor_jobs_per_min'] / results['ray_1_actor_jobs_per_min']:.2f} over 1 actor)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
