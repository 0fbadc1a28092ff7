"""Faults from outside, in numbers: kill -9 during checkpoints, and a disk that fills up.

For each trial it counts the writes a child process reported ok, the rows lost (reported ok but
absent afterwards), the writes reported failed that were committed anyway, and whether the project
was refused on the next open. Goal: 0 lost, 0 refused, 0 false failures.

Run: python bench/faults.py [--kills 30] [--disk-levels 6] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from director.store import timelog  # noqa: E402
from director.store.errors import ProjectOpenError  # noqa: E402
from director.store.project import Project  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

KILL_CHILD = """
import sys
from director.store.project import Project
from director.store import timelog
p = Project.open(sys.argv[1])
i = int(sys.argv[2])
while True:
    timelog.log_time(p, None, 60, note=f"k{i} " + "x" * 3000)
    print(i, flush=True)
    i += 1
    if i % 25 == 0:
        print("c", flush=True)
        p.checkpoint()
"""

DISK_CHILD = """
import resource, signal, sys
from director.store.project import Project
from director.store import timelog
limit = int(sys.argv[2])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
for i in range(int(sys.argv[3])):
    try:
        p = Project.open(sys.argv[1])
    except Exception as exc:
        print("refused", type(exc).__name__, flush=True)
        break
    try:
        timelog.log_time(p, None, 60, note=f"d{i} " + "y" * 3000)
        print("ok", i, flush=True)
    except Exception as exc:
        print("fail", i, type(exc).__name__, flush=True)
    finally:
        p.close()
"""


def notes(path: Path) -> set[str] | None:
    """The write markers present, or None when the project is refused."""
    try:
        with Project.open(path) as p:
            return {e["note"].split(" ")[0] for e in timelog.list_time(p)}
    except ProjectOpenError:
        return None


def kill_trials(folder: Path, trials: int, rnd: random.Random) -> dict:
    """Each trial: a fresh project, a writer killed at a random write or mid-checkpoint, then open it."""
    refused = lost = acked_total = 0
    for trial in range(trials):
        path = folder / f"kills{trial}.director"
        Project.create(path).close()
        acked: set[str] = set()
        child = subprocess.Popen([sys.executable, "-c", KILL_CHILD, str(path), "0"], env=ENV, stdout=subprocess.PIPE, text=True)
        at_checkpoint = rnd.random() < 0.7
        want = rnd.randint(3, 60)
        seen = 0
        for line in child.stdout:
            if line.strip() == "c":
                if at_checkpoint:
                    break  # the child is copying its journal into the main file right now
                continue
            acked.add(f"k{int(line)}")
            seen += 1
            if seen >= want and not at_checkpoint:
                break
        time.sleep(rnd.random() * 0.004)  # land the kill mid-checkpoint, or anywhere in a write
        child.send_signal(signal.SIGKILL)
        child.wait()
        acked_total += len(acked)
        present = notes(path)
        if present is None:
            refused += 1
            lost += len(acked)
        else:
            lost += len(acked - present)
    return {"case": "kill -9 during writes and checkpoints", "trials": trials, "kills": trials, "writes_ok": acked_total, "rows_lost": lost, "false_failures": 0, "refused": refused}


def disk_trials(folder: Path, levels: int) -> list[dict]:
    out = []
    for level in range(levels):
        path = folder / f"disk{level}.director"
        Project.create(path).close()
        extra = [0, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216][level % 8]
        limit = path.stat().st_size + extra
        run = subprocess.run([sys.executable, "-c", DISK_CHILD, str(path), str(limit), "40"], env=ENV, capture_output=True, text=True, timeout=300)
        ok = {f"d{line.split()[1]}" for line in run.stdout.splitlines() if line.startswith("ok")}
        failed = {f"d{line.split()[1]}" for line in run.stdout.splitlines() if line.startswith("fail")}
        refused_in_child = sum(1 for line in run.stdout.splitlines() if line.startswith("refused"))
        present = notes(path)  # space freed: no limit here
        out.append({
            "case": f"disk full after +{extra} bytes",
            "trials": 1,
            "kills": 0,
            "writes_ok": len(ok),
            "writes_failed": len(failed),
            "rows_lost": len(ok - present) if present is not None else len(ok),
            "false_failures": len(failed & present) if present is not None else 0,
            "refused": (1 if present is None else 0) + refused_in_child,
        })
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--disk-levels", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    rnd = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        rows = [kill_trials(Path(tmp), args.kills, rnd), *disk_trials(Path(tmp), args.disk_levels)]
    cols = ["case", "trials", "kills", "writes_ok", "writes_failed", "rows_lost", "false_failures", "refused"]
    widths = [max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in cols]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths)))
    for r in rows:
        print("  ".join(str(r.get(c, "")).ljust(w) for c, w in zip(cols, widths)))
    bad = sum(r["rows_lost"] + r["false_failures"] + r["refused"] for r in rows)
    print(f"total: {sum(r['writes_ok'] for r in rows)} writes reported ok, {bad} lost/false/refused (goal 0)")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
