"""Director's MP4 export against the ffmpeg binary imageio-ffmpeg ships, on the same cut.

Both encode the same source takes to H.264 (libx264, yuv420p, same preset and CRF, same threads
default): Director through export_cut_mp4 on a Cut, ffmpeg through a concat list of the same
files (with scale+pad when --source-size differs from --size, the same conform Director does).
Runs alternate (Director first, then ffmpeg first) so drift in machine load hits both; each run is
its own process so its peak memory (ru_maxrss) is measured alone. A third run is Director's export
with sound: each take carries its own 48 kHz stereo sound, the mix is rendered from the stored WAVs
(store.audio's plan, derived from the picture) and muxed as AAC; `audio_ratio` is its time over the
silent export's (#16 asks for at most 1.10).

    python bench/export_speed.py                       # 1,000 frames at 1280x720, medium, CRF 18
    python bench/export_speed.py --frames 240 --rounds 1 --preset veryfast   # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_sources(project, count: int, frames: int, width: int, height: int) -> list[str]:
    """Textured, moving sources (a flat colour would make x264's job unrealistically easy)."""
    import av
    import numpy as np

    rels = []
    yy, xx = np.mgrid[0:height, 0:width]
    rng = np.random.default_rng(7)
    for k in range(count):
        temp = project.media.temp_path(".mp4")
        c = av.open(str(temp), "w", format="mp4")
        s = c.add_stream("libx264", rate=24)
        s.width, s.height, s.pix_fmt = width, height, "yuv420p"
        s.options = {"preset": "ultrafast", "crf": "16"}
        noise = rng.integers(0, 40, (height, width), dtype=np.uint8)
        for i in range(frames):
            t = i + 60 * k
            b = ((xx + 3 * t) % 256).astype(np.uint8)
            g = ((yy + 2 * t) % 256).astype(np.uint8)
            r = (((xx + yy) // 4 + t) % 256).astype(np.uint8)
            img = np.dstack([b, g, r]) + noise[..., None]
            f = av.VideoFrame.from_ndarray(img, format="bgr24")
            f.pts = i
            c.mux(s.encode(f))
        c.mux(s.encode(None))
        c.close()
        rels.append(project.media.adopt(temp, "mp4"))
    return rels


def make_sounds(project, count: int, samples: int) -> list[str]:
    """One stored take sound per source: a tone and noise, as long as the source."""
    import numpy as np

    from director.store.audio_media import write_wav

    rels = []
    rng = np.random.default_rng(11)
    t = np.arange(samples) / 48000
    for k in range(count):
        temp = project.media.temp_path(".wav")
        tone = 0.2 * np.sin(2 * np.pi * (220 + 110 * k) * t)
        write_wav(temp, np.stack([tone + 0.05 * rng.standard_normal(samples), tone], axis=1).astype(np.float32))
        rels.append(project.media.adopt(temp, "wav"))
    return rels


def setup(folder: Path, args) -> dict:
    from director.core.cut import Cut, CutSegment
    from director.core.timecode import Rate
    from director.store.project import Project

    sw, sh = args.source_size
    width, height = args.size
    count = 4
    per = args.frames // count
    lengths = [per] * (count - 1) + [args.frames - per * (count - 1)]
    project = Project.create(folder / "bench.director", width=width, height=height)
    rels = make_sources(project, count, max(lengths), sw, sh)
    from director.core import audio as ca

    sound_rels = make_sounds(project, count, ca.frame_to_sample(max(lengths), Rate(24)))
    segs, start = [], 0
    for i, (rel, n) in enumerate(zip(rels, lengths)):
        segs.append(CutSegment(start, n, i + 1, rel, "video", source_frames=max(lengths), width=sw, height=sh, shot_code=str(10 * (i + 1)), camera="A",
                               clip_id=i + 1, metadata={"source_frame": 0}))
        start += n
    cut = Cut(Rate(24), width, height, tuple(segs))
    # the plan store.audio.mix_plan builds for takes with sound: A1 derived from the picture
    takes = set(range(1, count + 1))
    length = ca.samples_for(cut.duration, cut.rate)
    files = {("take", i + 1): r for i, r in enumerate(sound_rels)}
    available = {k: ca.frame_to_sample(max(lengths), Rate(24)) for k in files}
    pieces = ca.clamp(ca.linked_pieces(cut, takes), length, available)
    plan = ca.MixPlan(length, (ca.MixTrack(ca.LINKED, tuple(pieces)),), files, available)
    concat = folder / "concat.txt"
    # outpoint makes ffmpeg stop each file after exactly the frames the cut uses.
    concat.write_text("".join(f"file '{project.media.path(r)}'\noutpoint {n / 24:.6f}\n" for r, n in zip(rels, lengths)))
    media_root = str(project.media.root)
    project.close()
    return {"cut": cut, "media_root": media_root, "concat": str(concat), "plan": plan}


DIRECTOR_CHILD = """
import sys, time, pickle
sys.path.insert(0, {root!r})
from pathlib import Path
from director.export.mp4 import Mp4Options, export_cut_mp4
from director.store.media import MediaStore
cut = pickle.load(open({cut!r}, "rb"))
plan = pickle.load(open({plan!r}, "rb")) if {plan!r} else None
media = MediaStore(Path({media!r}))
t = time.perf_counter()
mix = None
if plan is not None:
    from director.export.audio_mix import render_mix
    mix = render_mix(plan, media)
export_cut_mp4(cut, media, {out!r}, Mp4Options(crf={crf}, preset={preset!r}), audio=mix)
print(time.perf_counter() - t)
"""


def run_child(cmd: list[str]) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS MiB, stdout) of one child process.

    CPU seconds (user + system) are the steadier measure on a shared machine: wall time there
    mostly measures what else ran at the same moment.
    """
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}):\n{err[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def count_frames(path: str) -> int:
    import av

    with av.open(path) as c:
        return sum(1 for _ in c.demux(c.streams.video[0]) if _.size)


def main() -> int:
    import pickle

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--frames", type=int, default=1000)
    p.add_argument("--size", default="1280x720")
    p.add_argument("--source-size", help="size of the source takes (default: --size, so no conform)")
    p.add_argument("--preset", default="medium")
    p.add_argument("--crf", type=int, default=18)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    args.size = tuple(int(v) for v in args.size.split("x"))
    args.source_size = tuple(int(v) for v in args.source_size.split("x")) if args.source_size else args.size
    try:
        import imageio_ffmpeg

        ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    except ImportError:  # not installed: the system's ffmpeg, said in the output
        import shutil

        ffmpeg = shutil.which("ffmpeg") or sys.exit("no ffmpeg: pip install imageio-ffmpeg")
        print(f"imageio-ffmpeg is not installed; comparing with {ffmpeg}", file=sys.stderr)
    w, h = args.size
    with tempfile.TemporaryDirectory(prefix="director-bench-") as tmp:
        folder = Path(tmp)
        print(f"making {args.frames} source frames at {args.source_size[0]}x{args.source_size[1]} …", file=sys.stderr)
        env = setup(folder, args)
        cut_file = folder / "cut.pickle"
        cut_file.write_bytes(pickle.dumps(env["cut"]))
        plan_file = folder / "plan.pickle"
        plan_file.write_bytes(pickle.dumps(env["plan"]))
        d_out, f_out, a_out = str(folder / "director.mp4"), str(folder / "ffmpeg.mp4"), str(folder / "director_audio.mp4")
        director_cmd = [sys.executable, "-c", DIRECTOR_CHILD.format(root=str(ROOT), cut=str(cut_file), plan="", media=env["media_root"], out=d_out, crf=args.crf, preset=args.preset)]
        audio_cmd = [sys.executable, "-c", DIRECTOR_CHILD.format(root=str(ROOT), cut=str(cut_file), plan=str(plan_file), media=env["media_root"], out=a_out, crf=args.crf, preset=args.preset)]
        vf = [] if args.source_size == args.size else ["-vf", f"scale={w}:{h}:force_original_aspect_ratio=decrease:flags=area,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2"]
        ffmpeg_cmd = [ffmpeg, "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", env["concat"], *vf, "-an", "-c:v", "libx264", "-preset", args.preset, "-crf", str(args.crf), "-pix_fmt", "yuv420p", "-r", "24", f_out]
        results: dict[str, list[tuple[float, float, float]]] = {"director": [], "ffmpeg": [], "director_audio": []}
        for r in range(args.rounds):
            order = [("director", director_cmd), ("director_audio", audio_cmd), ("ffmpeg", ffmpeg_cmd)]
            if r % 2:
                order.reverse()
            for name, cmd in order:
                wall, cpu, rss, out = run_child(cmd)
                results[name].append((wall, cpu, rss))
                inner = f"  (export call {float(out):.2f} s, the rest is Python start-up)" if name.startswith("director") else ""
                print(f"round {r + 1}: {name:8s} {wall:6.2f} s  {args.frames / wall:6.1f} fps  CPU {cpu:6.2f} s  peak {rss:6.0f} MiB{inner}", file=sys.stderr)
        frames = {"director": count_frames(d_out), "ffmpeg": count_frames(f_out), "director_audio": count_frames(a_out)}
        sizes = {"director": os.path.getsize(d_out), "ffmpeg": os.path.getsize(f_out), "director_audio": os.path.getsize(a_out)}
    med = {k: statistics.median(w for w, _, _ in v) for k, v in results.items()}
    cpu = {k: statistics.median(c for _, c, _ in v) for k, v in results.items()}
    peak = {k: max(m for _, _, m in v) for k, v in results.items()}
    summary = {
        "frames": args.frames,
        "size": f"{w}x{h}",
        "source_size": f"{args.source_size[0]}x{args.source_size[1]}",
        "preset": args.preset,
        "crf": args.crf,
        "rounds": args.rounds,
        "cpus": os.cpu_count(),
        "median_s": med,
        "fps": {k: args.frames / v for k, v in med.items()},
        "speed_ratio": med["ffmpeg"] / med["director"],  # > 1: Director is faster
        "median_cpu_s": cpu,
        "cpu_ratio": cpu["ffmpeg"] / cpu["director"],  # > 1: Director does the job with less CPU
        "audio_ratio": med["director_audio"] / med["director"],  # with sound / without: #16 asks <= 1.10
        "audio_cpu_ratio": cpu["director_audio"] / cpu["director"],
        "peak_rss_mib": peak,
        "output_frames": frames,
        "output_bytes": sizes,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{args.frames} frames {w}x{h} (sources {summary['source_size']}), libx264 {args.preset} CRF {args.crf}, {args.rounds} rounds, {os.cpu_count()} CPUs")
        for k in ("director", "director_audio", "ffmpeg"):
            print(f"  {k:8s} median {med[k]:6.2f} s  {args.frames / med[k]:6.1f} fps  CPU {cpu[k]:6.2f} s  peak RSS {peak[k]:6.0f} MiB  {frames[k]} frames  {sizes[k] / 1e6:.1f} MB")
        print(f"  speed ratio (ffmpeg time / Director time): {summary['speed_ratio']:.2f}x wall, {summary['cpu_ratio']:.2f}x CPU")
        print(f"  with sound / without: {summary['audio_ratio']:.3f}x wall, {summary['audio_cpu_ratio']:.3f}x CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
