"""How the project file scales: 1,000 shots × 3 cameras, 20,000 takes, 50,000 jobs.

Prints create time, open time, "takes of one shot" and "totals by shot".
Goals on the 2-core dev machine: open ≤ 0.5 s, takes of a shot ≤ 20 ms, totals by shot ≤ 100 ms.
Run: python bench/project_scale.py
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from director.store import Project
from director.store.project import utc_now
from director.store.takes import list_takes
from director.store.rows import rows

SHOTS, CAMERAS, TAKES, JOBS = 1000, 3, 20_000, 50_000


def build(path: Path) -> float:
    start = time.perf_counter()
    p = Project.create(path)
    rnd = random.Random(1)
    now = utc_now()
    with p.atomic() as db:
        db["shots"].insert_all(({"id": i, "code": f"{i}A", "ord": i, "created_at": now} for i in range(1, SHOTS + 1)), batch_size=1000)
        db["cameras"].insert_all(
            ({"id": (s - 1) * CAMERAS + c + 1, "shot_id": s, "name": "ABC"[c], "ord": c} for s in range(1, SHOTS + 1) for c in range(CAMERAS)),
            batch_size=1000,
        )
        db["jobs"].insert_all(
            (
                {
                    "id": j,
                    "shot_id": (s := rnd.randint(1, SHOTS)),
                    "camera_id": (s - 1) * CAMERAS + rnd.randrange(CAMERAS) + 1,
                    "preset": rnd.choice(["ltx-2b-distilled", "wan21-t2v-1.3b", "sd-turbo"]),
                    "params": "{}",
                    "seeds": json.dumps([j]),
                    "state": "done",
                    "created_at": now,
                    "gpu_s": rnd.uniform(5, 90),
                    "wall_s": rnd.uniform(6, 100),
                    "money_micros": rnd.randint(1_000, 80_000),
                }
                for j in range(1, JOBS + 1)
            ),
            batch_size=1000,
        )
        job_shot = {r["id"]: (r["shot_id"], r["camera_id"]) for r in rows(db, "SELECT id, shot_id, camera_id FROM jobs")}
        db["takes"].insert_all(
            (
                {
                    "id": t,
                    "job_id": (j := rnd.randint(1, JOBS)),
                    "shot_id": job_shot[j][0],
                    "camera_id": job_shot[j][1],
                    "seed": t,
                    "kind": "video",
                    "media_path": f"{t:064x}"[:2] + "/" + f"{t:064x}"[2:] + ".mp4",
                    "width": 768,
                    "height": 512,
                    "frames": 97,
                    "rating": rnd.randint(0, 5),
                    "created_at": now,
                }
                for t in range(1, TAKES + 1)
            ),
            batch_size=1000,
        )
    p.close()
    return time.perf_counter() - start


def timed(fn, repeat: int = 20) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000, max(samples) * 1000


TOTALS_BY_SHOT = """
    SELECT s.id, s.code,
           coalesce(j.gpu_s, 0) AS gpu_s, coalesce(j.money, 0) AS money_micros, coalesce(j.jobs, 0) AS jobs,
           coalesce(t.takes, 0) AS takes
    FROM shots s
    LEFT JOIN (SELECT shot_id, sum(gpu_s) AS gpu_s, sum(money_micros) AS money, count(*) AS jobs FROM jobs GROUP BY shot_id) j ON j.shot_id = s.id
    LEFT JOIN (SELECT shot_id, count(*) AS takes FROM takes WHERE deleted_at IS NULL GROUP BY shot_id) t ON t.shot_id = s.id
    WHERE s.deleted_at IS NULL ORDER BY s.ord
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scale.director"
        create_s = build(path)
        size_mb = path.stat().st_size / 1e6
        opens = []
        for _ in range(5):
            t = time.perf_counter()
            p = Project.open(path)
            opens.append(time.perf_counter() - t)
            p.close()
        p = Project.open(path)
        shot_ids = [r["id"] for r in rows(p.db, "SELECT id FROM shots")]
        rnd = random.Random(2)
        takes_med, takes_max = timed(lambda: list_takes(p, rnd.choice(shot_ids)), 50)
        totals_med, totals_max = timed(lambda: rows(p.db, TOTALS_BY_SHOT), 20)
        n_rows = len(rows(p.db, TOTALS_BY_SHOT))
        p.close()
    print(f"project: {SHOTS} shots x {CAMERAS} cameras, {TAKES} takes, {JOBS} jobs ({size_mb:.1f} MB)")
    print(f"create:              {create_s:.2f} s")
    print(f"open:                median {statistics.median(opens) * 1000:.0f} ms, max {max(opens) * 1000:.0f} ms (goal <= 500 ms)")
    print(f"takes of one shot:   median {takes_med:.2f} ms, max {takes_max:.2f} ms (goal <= 20 ms)")
    print(f"totals by shot:      median {totals_med:.1f} ms, max {totals_max:.1f} ms for {n_rows} rows (goal <= 100 ms)")


if __name__ == "__main__":
    main()
