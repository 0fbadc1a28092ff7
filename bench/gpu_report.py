"""One unattended GPU report (issue #22): how fast and how cheap Director makes a shot on one
H100/H200-class GPU, in under 8 minutes, with nothing downloaded (random weights from the real
configs, bf16). It runs the other benchmarks as parts, each in its own process with its own time
budget, and prints one table; a part that cannot run on the machine says why instead.

1. **Families** at their preset's default size (`bench/gpu_matrix.py`, option none): LTX-Video 0.9
   distilled 2B, LTX-2, Wan 2.2 TI2V 5B, then Wan 2.2 A14B and HunyuanVideo 1.5 if time allows:
   seconds per step and per clip, peak VRAM, FLOPs per step (torch's FlopCounterMode over the
   transformer built from its config, written out) and MFU against the card's dense bf16 peak.
2. **Speed options** on the fastest family: FirstBlockCache, TaylorSeer, FP8 layerwise casting,
   regional compile (its compile time is in the warm-up step, not the timed ones) and group offload
   with streams: speed-up against the plain run, peak VRAM, and the max abs difference of the
   latents after the same steps from the same inputs (0: the option leaves the pixels alone).
3. **Director's overhead on the device** (`bench/engine_overhead.py --cases large`): the same
   pipeline called raw and run as a Director job end to end (queued, worker, MP4, take row).
4. **The window while a GPU job runs** (`bench/ui_latency.py`): the gallery scrolling while a job
   generates, the UI thread's longest stall.
5. **Energy**: NVML's counter over each family's timed steps, per step and per clip, where the
   driver reports it (what the cost ledger charges).

    python bench/gpu_report.py [--out bench/results/gpu_report.json] [--budget-s 460]
    python bench/gpu_report.py --tiny          # the same parts at toy sizes on the CPU: proves the script

On the device machine the packages its image lacks travel as wheels (`bench/device_wheels.sh`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FAMILIES = ["ltx-video-2b", "ltx-2", "wan22-ti2v-5b"]
IF_TIME = ["wan22-a14b", "hunyuan15"]
OPTIONS = ["none", "first_block_cache", "taylorseer", "fp8_layerwise", "regional_compile", "group_offload_streams"]


class Budget:
    """Seconds left of the whole report; each part gets at most what is left (less a margin)."""

    def __init__(self, total_s: float):
        self.end = time.monotonic() + total_s

    def left(self) -> float:
        return self.end - time.monotonic()


def missing_modules(*names: str) -> list[str]:
    import importlib.util

    return [n for n in names if importlib.util.find_spec(n) is None]


def run_part(cmd: list[str], timeout_s: float, env: dict | None = None) -> tuple[int | None, str, str]:
    """(exit code or None on timeout, stdout, stderr) of one part."""
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=max(1.0, timeout_s),
                              env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
        return done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        return None, out, err


def matrix_rows(families: list[str], options: list[str], tiny: bool, timeout_s: float) -> tuple[list[dict], str]:
    """gpu_matrix's rows (read as they are printed, so a timeout keeps the finished ones)."""
    cmd = [sys.executable, "bench/gpu_matrix.py", "--families", ",".join(families), "--options", ",".join(options),
           "--steps", "2" if tiny else "3", "--quiet"] + (["--tiny"] if tiny else [])
    code, _out, err = run_part(cmd, timeout_s)
    rows = []
    for line in err.splitlines():
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            try:
                rows.append(json.loads(line))
            except ValueError:
                pass
    note = "" if code == 0 else ("stopped at its time budget" if code is None else f"exit {code}: {err[-300:]}")
    return rows, note


def families_part(tiny: bool, budget: Budget) -> dict:
    if missing_modules("torch", "diffusers"):
        return {"not_run": f"needs {', '.join(missing_modules('torch', 'diffusers'))} (bench/device_wheels.sh)"}
    rows, note = matrix_rows(FAMILIES, ["none"], tiny, min(budget.left() - 240, 200))
    if budget.left() > 300:
        more, more_note = matrix_rows(IF_TIME, ["none"], tiny, min(budget.left() - 240, 120))
        rows += more
        note = "; ".join(n for n in (note, more_note) if n)
    return {"rows": rows, "note": note}


def options_part(families: dict, tiny: bool, budget: Budget) -> dict:
    timed = [r for r in families.get("rows", []) if r.get("s_per_step") and "error" not in r]
    if not timed:
        return {"not_run": "no family was timed"}
    fastest = min(timed, key=lambda r: r["s_per_clip"])["family"]
    rows, note = matrix_rows([fastest], OPTIONS, tiny, min(budget.left() - 150, 150))
    plain = next((r for r in rows if r.get("option") == "none" and r.get("s_per_step")), None)
    for r in rows:
        if plain and r.get("s_per_step"):
            r["speed_up"] = round(plain["s_per_step"] / r["s_per_step"], 2)
    return {"family": fastest, "rows": rows, "note": note}


def overhead_part(tiny: bool, budget: Budget) -> dict:
    lacking = missing_modules("torch", "diffusers", "sqlite_utils", "av", "cv2")
    if lacking:
        return {"not_run": f"needs {', '.join(lacking)} (bench/device_wheels.sh)"}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "overhead.json"
        cmd = [sys.executable, "bench/engine_overhead.py", "--json", str(out)] + (
            ["--cases", "small", "--runs", "1"] if tiny else ["--cases", "large", "--runs", "3", "--threads", "8"])
        code, stdout, err = run_part(cmd, min(budget.left() - 90, 150))
        if code != 0 or not out.is_file():
            return {"not_run": "stopped at its time budget" if code is None else f"exit {code}: {err[-300:]}"}
        return json.loads(out.read_text())


def ui_part(tiny: bool, budget: Budget) -> dict:
    lacking = missing_modules("PySide6", "sqlite_utils", "av", "diffusers")
    if lacking:
        return {"not_run": f"needs {', '.join(lacking)}: PySide6's wheels are larger than what travels to the device machine"}
    cmd = [sys.executable, "bench/ui_latency.py", "--json", "--rate-takes", "0", "--runs", "1" if tiny else "2"]
    code, stdout, err = run_part(cmd, min(budget.left() - 10, 120), env={"QT_QPA_PLATFORM": "offscreen"})
    if code != 0:
        return {"not_run": "stopped at its time budget" if code is None else f"exit {code}: {err[-300:]}"}
    found = json.loads(stdout[stdout.index("{"):])
    return {"scroll_while_generating": found.get("scroll_while_generating_runs"), "open_2000": found.get("open_2000")}


def machine() -> dict:
    try:
        import torch

        gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
        return {"gpu": gpu, "torch": str(torch.__version__), "cpu_count": os.cpu_count()}
    except ImportError:
        return {"gpu": None, "torch": None, "cpu_count": os.cpu_count()}


def _cell(value, unit: str = "", digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}{unit}" if isinstance(value, float) else f"{value}{unit}"


def table(report: dict) -> str:
    lines = [f"GPU report on {report['machine'].get('gpu') or 'the CPU (--tiny)'}; {report['seconds']:.0f} s in all", ""]
    fam = report["families"]
    lines.append("family               size            s/step   s/clip  VRAM GB  TFLOP/step   MFU  J/step  Wh/clip")
    for r in fam.get("rows", []):
        if "error" in r:
            lines.append(f"{r['family']:20} error: {r['error'][:70]}")
            continue
        lines.append(f"{r['family']:20} {r['size']:15} {_cell(r.get('s_per_step'), '', 3):>7} {_cell(r.get('s_per_clip')):>8} "
                     f"{_cell(r.get('peak_vram_gb')):>8} {_cell(r.get('flops_per_step', 0) / 1e12, '', 3):>11} "
                     f"{_cell(r.get('mfu'), '', 3):>5} {_cell(r.get('j_per_step')):>7} {_cell(r.get('wh_per_clip'), '', 4):>8}")
    lines.append(fam.get("not_run") or fam.get("note") or "")
    opt = report["options"]
    lines += ["", f"speed options on {opt.get('family', '–')}: option, speed-up, s/step, VRAM GB, max |Δ latents| vs plain"]
    for r in opt.get("rows", []):
        why = r.get("error") or (r.get("note") if r.get("skipped") or r.get("unsupported") else "")
        lines.append(f"  {r.get('option', '?'):22} {_cell(r.get('speed_up'), '×'):>7} {_cell(r.get('s_per_step'), '', 3):>7} "
                     f"{_cell(r.get('peak_vram_gb')):>7} {_cell(r.get('max_abs_diff_vs_plain'), '', 4):>9}  {why[:60]}")
    lines.append(opt.get("not_run", ""))
    ov = report["overhead"]
    lines.append("")
    if "cases" in ov:
        for name, c in ov["cases"].items():
            lines.append(f"Director's overhead ({name}): raw {c['raw']['median'] * 1000:.0f} ms, job {c['job']['median'] * 1000:.0f} ms, "
                         f"ratio {c['ratio']['median']:.3f}")
    else:
        lines.append(f"Director's overhead: not run ({ov.get('not_run')})")
    ui = report["ui"]
    runs = (ui.get("scroll_while_generating") or {}) if "not_run" not in ui else {}
    lines.append(f"UI stall while generating: max {runs.get('max_stall_ms', '–')} ms over {runs.get('runs', 0)} runs"
                 if runs else f"UI stall while generating: not run ({ui.get('not_run', 'no runs')})")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="toy sizes on the CPU: proves the script")
    parser.add_argument("--budget-s", type=float, default=460.0, help="the whole report's time (default 460 s: under 8 minutes)")
    parser.add_argument("--out", default=None, help="the JSON (default: bench/results/gpu_report[_cpu_tiny].json)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    budget = Budget(args.budget_s)
    info = machine()
    if not args.tiny and not info.get("gpu"):
        print("gpu_report: no CUDA device here; run with --tiny to prove the script on the CPU", file=sys.stderr)
        return 2
    report: dict = {"machine": info, "tiny": args.tiny}
    report["families"] = families_part(args.tiny, budget)
    report["options"] = options_part(report["families"], args.tiny, budget)
    report["overhead"] = overhead_part(args.tiny, budget)
    report["ui"] = ui_part(args.tiny, budget)
    report["seconds"] = round(time.monotonic() - started, 1)
    text = table(report)
    print(text)
    out = Path(args.out or f"bench/results/gpu_report{'_cpu_tiny' if args.tiny else ''}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({**report, "table": text.splitlines()}, indent=1) + "\n")
    print(f"\nwritten: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
