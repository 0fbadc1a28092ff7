"""A feature film's worth of project data for the scale benchmarks (issue #24).

`build(path, takes=20_000)` writes a project the way a year of work leaves one: 1 shot per 20 takes
(1,000 shots at 20,000 takes) in scenes of 10, three cameras and a prompt per shot, 2.5 jobs per
take (50,000 jobs), each finished job with its GPU time, price, currency and money as the runner
records them, some failed and cancelled; takes rated, selected and rejected, a few in the bin, each
naming a real (tiny, distinct) PNG in the media store; expenses in the project currency and a few
in another; human time, tracked and logged; the first shots on the cut.

Rows go in with bulk inserts (a benchmark cannot wait for 50,000 transactions); the media files are
written under their content address as the store names them. Only the first 20,000 takes get files
of their own: beyond that, takes share them (a content-addressed store holds one file per picture).
"""

from __future__ import annotations

import hashlib
import json
import random
import struct
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

from director.store import Project

CAMERAS = "ABC"
PRESETS = ("ltx-2b-distilled", "wan21-t2v-1.3b", "sd-turbo")
PRICE = "2.50"
DISTINCT_MEDIA = 20_000
START = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="milliseconds")


def tiny_png(i: int, size: int = 8) -> bytes:
    """A valid size×size RGB PNG whose colour (and so whose hash) is distinct per i."""
    r, g, b = (i * 37) % 256, (i * 91 + i // 256) % 256, (i // 65536 * 53 + i) % 256
    raw = b"".join(b"\x00" + bytes((r, g, b)) * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    # a text chunk with the index keeps the bytes distinct even where two colours coincide
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"tEXt", b"i\x00" + str(i).encode()) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _put(root: Path, data: bytes, ext: str) -> str:
    digest = hashlib.sha256(data).hexdigest()
    relative = f"{digest[:2]}/{digest[2:]}.{ext}"
    final = root / relative
    final.parent.mkdir(exist_ok=True)
    final.write_bytes(data)
    return relative


def sizes(takes: int) -> dict:
    shots = max(10, takes // 20)
    return {"takes": takes, "shots": shots, "scenes": max(1, shots // 10), "jobs": int(takes * 2.5),
            "expenses": max(5, shots // 2), "time_entries": shots * 5, "on_cut": min(300, shots)}


def build(path: Path, takes: int = 20_000, seed: int = 1) -> dict:
    """Create the project at `path` (closed again on return); returns the sizes written."""
    n = sizes(takes)
    rnd = random.Random(seed)
    p = Project.create(path, currency="USD", gpu_price_per_hour=PRICE)
    media = p.media.root
    created = _iso(START)
    try:
        files = [_put(media, tiny_png(i), "png") for i in range(min(takes, DISTINCT_MEDIA))]
        shot_ids = range(1, n["shots"] + 1)
        with p.atomic() as db:
            db["scenes"].insert_all(({"id": s, "code": str(s), "title": f"Scene {s}", "ord": s, "created_at": created}
                                     for s in range(1, n["scenes"] + 1)), batch_size=1000)
            db["shots"].insert_all(
                ({"id": s, "scene_id": (s - 1) // 10 + 1 if (s - 1) // 10 + 1 <= n["scenes"] else None, "code": f"{s}A", "title": f"Shot {s}",
                  "ord": s, "status": ("draft", "review", "approved", "locked")[s % 4 if s % 7 else 0], "current_prompt_id": s,
                  "created_at": created} for s in shot_ids), batch_size=1000)
            db["prompts"].insert_all(({"id": s, "shot_id": s, "version": 1, "subject": f"subject {s}", "action": "walks", "setting": "a street",
                                       "composed": f"subject {s} walks, a street", "created_at": created} for s in shot_ids), batch_size=1000)
            db["cameras"].insert_all(({"id": (s - 1) * 3 + c + 1, "shot_id": s, "name": CAMERAS[c], "ord": c}
                                      for s in shot_ids for c in range(3)), batch_size=1000)
            jobs = []
            for j in range(1, n["jobs"] + 1):
                s = rnd.randint(1, n["shots"])
                made = START + timedelta(seconds=j * 90 * 86400 / n["jobs"] + rnd.uniform(0, 30))
                gpu = rnd.uniform(5, 90)
                state = "done" if rnd.random() < 0.97 else rnd.choice(("failed", "cancelled"))
                if state != "done":
                    gpu *= rnd.random()
                wall = gpu * 1.15 + 1
                money = round(gpu / 3600 * float(PRICE) * 1_000_000)
                jobs.append({
                    "id": j, "shot_id": s, "camera_id": (s - 1) * 3 + rnd.randrange(3) + 1, "prompt_id": s,
                    "preset": rnd.choice(PRESETS), "params": json.dumps({"steps": 8, "width": 768, "height": 512}),
                    "seeds": json.dumps([j]), "state": state, "queue_order": j, "created_at": _iso(made),
                    "started_at": _iso(made + timedelta(seconds=1)), "finished_at": _iso(made + timedelta(seconds=wall)),
                    "load_s": 1.0, "gpu_s": gpu, "wall_s": wall, "energy_wh": gpu * 0.2, "money_micros": money,
                    "gpu_price_per_hour": PRICE, "energy_price_per_kwh": None, "currency": "USD", "estimate_gpu_s": 40.0,
                    "estimate_error": (gpu - 40.0) / 40.0 if state == "done" else None,
                    "error_kind": None if state == "done" else ("cancelled" if state == "cancelled" else "oom"),
                    "error": None if state == "done" else ("cancelled" if state == "cancelled" else "out of memory"),
                    "device": "cuda:0", "node": "local",
                })
            db["jobs"].insert_all(jobs, batch_size=1000)
            done = [j for j in jobs if j["state"] == "done"]
            take_rows = []
            for t in range(1, takes + 1):
                job = done[rnd.randrange(len(done))]
                r = rnd.random()
                take_rows.append({
                    "id": t, "job_id": job["id"], "shot_id": job["shot_id"], "camera_id": job["camera_id"], "prompt_id": job["prompt_id"],
                    "seed": t, "variant": 0, "kind": "image", "media_path": files[(t - 1) % len(files)], "thumb_path": None,
                    "width": 8, "height": 8, "frames": 1, "rating": rnd.randint(0, 5),
                    "flag": "selected" if r < 0.1 else "rejected" if r < 0.25 else "none",
                    "created_at": job["finished_at"], "deleted_at": job["finished_at"] if rnd.random() < 0.02 else None,
                })
            db["takes"].insert_all(take_rows, batch_size=1000)
            db["expenses"].insert_all(
                ({"id": e, "shot_id": rnd.randint(1, n["shots"]) if e % 5 else None, "amount_micros": rnd.randint(5, 500) * 1_000_000,
                  "currency": "USD" if e % 17 else "EUR", "note": f"location fee {e}",
                  "created_at": _iso(START + timedelta(hours=e * 2160 / n["expenses"]))} for e in range(1, n["expenses"] + 1)),
                batch_size=1000)
            db["time_log"].insert_all(
                ({"id": e, "shot_id": rnd.randint(1, n["shots"]) if e % 9 else None, "started_at": _iso(START + timedelta(minutes=e * 129600 / n["time_entries"])),
                  "seconds": rnd.uniform(60, 3600), "source": "auto" if e % 4 else "manual", "note": ""} for e in range(1, n["time_entries"] + 1)),
                batch_size=1000)
            track = db.execute("SELECT id FROM tracks ORDER BY id LIMIT 1").fetchone()[0]
            db["clips"].insert_all(({"id": c, "track_id": track, "ord": c, "kind": "clip", "shot_id": c, "source_in": 0, "duration": 48,
                                     "camera_id": (c - 1) * 3 + 1} for c in range(1, n["on_cut"] + 1)), batch_size=1000)
            for table, last in (("cameras", n["shots"] * 3), ("scenes", n["scenes"]), ("clips", n["on_cut"])):
                db.execute("INSERT INTO id_counters (name, last_id) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET last_id = max(last_id, excluded.last_id)",
                           [table, last])
    finally:
        p.close()
    return n
