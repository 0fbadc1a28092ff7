"""After the last denoising step (#23): what the worker spends between the VAE's decoded tensor
and a take in the media store, the path before #23 against today's.

Synthetic clips at real sizes — LTX 768×512×121 at 24 fps and Wan 832×480×81 at 16 fps — made
of smooth moving patterns with a little noise, as the VAE returns them: float32 (1, 3, F, H, W)
in [-1, 1]. The pipeline's own postprocess (diffusers' VideoProcessor: denormalize to [0, 1] and
stack, for output_type "np" before and "pt" now) is the last thing inside the pipeline call; it
is timed apart ("postprocess", not part of the ratio: the device's time either way, and
milliseconds on a GPU). Everything after the pipeline returns is compared, up to the MP4 and
its thumbnail adopted into a media store:

- before (copied from the worker before #23): `to_uint8` of the float frames in numpy (convert);
  x264 `medium` on one thread, PyAV converting RGB inside the encoder, plus the JPEG thumbnail
  (encode); SHA-256 of the frames (digest); the store hashing the file again, fsync and rename
  (adopt). All on the job's thread: the device waits for all of it.
- now: `device_frames.to_host` of the tensor (convert, on the device: the job's thread); then
  on the writer thread `Worker._write_take` with the draft encoder (x264 `veryfast` on every
  core; NVENC where CUDA has it) — encode, the frames' SHA-256 frame by frame (digest), each
  file written once with its SHA-256 taken on the way (write) — and `MediaStore.adopt(…,
  digest=…)` (adopt).

Each stage is timed alone (median of --runs, the paths interleaved). Then the real thing: the
worker's `TakeWriter` thread writes the take while the job's thread goes on: "blocking" is what
the job's thread (the device) spends after its pipeline returned (convert and the hand-over),
"wall" the time until the take is in the store. Goal: blocking ≤ 10 % of the old total on the
CPU.

    .venv/bin/python bench/post_generation.py [--runs 3] [--json bench/results/post_generation.json]

The last line reads `post-generation new/old: R`, R = blocking now / total before for the
768×512×121 clip.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

CLIPS = {
    "LTX 768x512x121": (768, 512, 121, 24),
    "Wan 832x480x81": (832, 480, 81, 16),
}


def synthetic_decode(width: int, height: int, frames: int, seed: int = 0):
    """What a VAE decode returns for a clip: (1, 3, F, H, W) float32 in [-1, 1]; smooth patterns
    that move, with a little noise, so an encoder works about as hard as on a generated clip."""
    import torch

    g = torch.Generator().manual_seed(seed)
    y = torch.linspace(0, 1, height).view(1, height, 1)
    x = torch.linspace(0, 1, width).view(1, 1, width)
    t = (torch.arange(frames) / frames).view(frames, 1, 1)
    channels = []
    for c in range(3):
        fx, fy, phase = (torch.rand(3, generator=g) * 6 + 1).tolist()
        channels.append(torch.sin(6.283 * (fx * x + 0.3 * t * (c + 1)) + phase) * torch.cos(6.283 * (fy * y - 0.2 * t)))
    video = torch.stack(channels, 0) * 0.8  # (3, F, H, W)
    video += 0.02 * torch.randn(video.shape, generator=g)
    return video.clamp_(-1, 1).unsqueeze(0)


# -- before #23, as the worker did it --------------------------------------------------------------


def old_write_mp4(frames, path: Path, fps: Fraction, crf: int = 18) -> None:
    """media_out.write_mp4 before #23, verbatim but for the name."""
    import av
    import numpy as np

    f, h, w, _ = frames.shape
    pad_h, pad_w = h % 2, w % 2
    if pad_h or pad_w:
        frames = np.pad(frames, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)), mode="edge")
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = w + pad_w, h + pad_h
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(crf), "preset": "medium", "threads": "1"}
        stream.codec_context.thread_count = 1
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def old_write_thumb(image, path: Path) -> None:
    """media_out.write_thumb before #23."""
    import cv2

    from director.engine.media_out import THUMB_MAX

    h, w = image.shape[:2]
    scale = THUMB_MAX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    thumb = cv2.resize(image, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_NEAREST)
    cv2.imwrite(str(path), cv2.cvtColor(thumb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])


def old_path(decoded, processor, store, fps: Fraction) -> dict[str, float]:
    import numpy as np

    from director.engine.media_out import frames_digest, to_uint8

    s: dict[str, float] = {}
    t = time.perf_counter()
    returned = processor.postprocess_video(decoded, output_type="np")[0]  # what the pipeline returned
    s["postprocess"] = time.perf_counter() - t
    t = time.perf_counter()
    frames = to_uint8(np.asarray(returned))
    s["convert"] = time.perf_counter() - t
    t = time.perf_counter()
    media, thumb = store.temp_path(".mp4"), store.temp_path(".jpg")
    old_write_mp4(frames, media, fps)
    old_write_thumb(frames[len(frames) // 2], thumb)
    s["encode"] = time.perf_counter() - t
    t = time.perf_counter()
    frames_digest(frames)
    s["digest"] = time.perf_counter() - t
    t = time.perf_counter()
    store.adopt(media, "mp4")
    store.adopt(thumb, "jpg")
    s["adopt"] = time.perf_counter() - t
    s["total"] = s["convert"] + s["encode"] + s["digest"] + s["adopt"]
    return s


# -- now: each stage alone -------------------------------------------------------------------------


def new_stages(decoded, processor, store, fps: Fraction, encoder) -> dict[str, float]:
    import hashlib

    from director.engine.device_frames import to_host
    from director.engine.media_out import encode_mp4, encode_thumb, write_hashed

    s: dict[str, float] = {}
    t = time.perf_counter()
    returned = processor.postprocess_video(decoded, output_type="pt")[0]  # what the pipeline returns now
    s["postprocess"] = time.perf_counter() - t
    t = time.perf_counter()
    frames = to_host(returned).wait()
    s["convert"] = time.perf_counter() - t
    digest = hashlib.sha256()
    digest_s = [0.0]

    def on_frame(_i, frame):
        d = time.perf_counter()
        digest.update(frame)
        digest_s[0] += time.perf_counter() - d

    t = time.perf_counter()
    data = encode_mp4(frames, fps, encoder, on_frame)
    thumb_data = encode_thumb(frames[len(frames) // 2])
    s["digest"] = digest_s[0]
    s["encode"] = time.perf_counter() - t - digest_s[0]
    t = time.perf_counter()
    media, thumb = store.temp_path(".mp4"), store.temp_path(".jpg")
    media_digest, thumb_digest = write_hashed(media, data), write_hashed(thumb, thumb_data)
    s["write"] = time.perf_counter() - t
    t = time.perf_counter()
    store.adopt(media, "mp4", digest=media_digest)
    store.adopt(thumb, "jpg", digest=thumb_digest)
    s["adopt"] = time.perf_counter() - t
    s["total"] = sum(v for k, v in s.items() if k != "postprocess")
    return s


# -- now: the worker's writer thread ---------------------------------------------------------------


def new_threaded(decoded, processor, root: Path, width: int, height: int, frames: int, fps: int, worker) -> dict[str, float]:
    """The job thread's part (convert, hand over) and the writer thread's, as the worker runs them."""
    from director.engine.device_frames import to_host
    from director.engine.presets import get_preset
    from director.engine.take_writer import JobWrite
    from director.store.media import MediaStore

    preset = get_preset("ltx-2b-distilled")
    request = _request(preset, root, width, height, frames, fps)
    job = JobWrite(request.job_id, MediaStore(root), lambda: False)
    returned = processor.postprocess_video(decoded, output_type="pt")[0]  # the pipeline returns
    t0 = time.perf_counter()
    host = to_host(returned)
    write = partial(worker._write_take, request=request, variant=0, seed=0, frames=host,
                    encoder=worker._encoder(request), applied=[], revision="bench")
    worker.writer.put(job, 0, write)
    blocking = time.perf_counter() - t0  # from here the device would run the next variant
    worker.writer.end(job, lambda j: [])
    job.done.wait()
    wall = time.perf_counter() - t0
    assert job.written and job.error is None, job.error
    return {"blocking": blocking, "wall": wall, "writer": job.write_s}


def _request(preset, root: Path, width: int, height: int, frames: int, fps: int):
    from director.engine.messages import JobRequest

    params = {"width": width, "height": height, "frames": frames, "fps": float(fps), "steps": 8, "guidance": 1.0}
    return JobRequest(job_id=1, preset=preset, prompt="", params=params, seeds=(0,), media_root=str(root))


def _median(runs: list[dict]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def _minimum(runs: list[dict]) -> dict[str, float]:
    return {k: min(r[k] for r in runs) for k in runs[0]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    ap.add_argument("--clips", nargs="*", default=list(CLIPS), help="which clips (default: both)")
    args = ap.parse_args()
    import torch
    from diffusers.video_processor import VideoProcessor

    from director.engine import encoders
    from director.engine.worker_run import Worker
    from director.store.media import MediaStore

    processor = VideoProcessor(vae_scale_factor=32)
    worker = Worker(lambda e: None)
    encoder = encoders.choose(None, "draft", cuda=torch.cuda.is_available())
    machine = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__} "
               f"with {torch.get_num_threads()} threads, {'CUDA ' + torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no GPU'}")
    print(f"post-generation, {machine}; median of {args.runs}; draft encoder now: {encoder.facts()}")
    results: dict = {"machine": machine, "runs": args.runs, "encoder_now": encoder.facts(),
                     "encoder_before": {"codec": "libx264", "preset": "medium", "crf": 18, "threads": 1}, "clips": {}}
    ratio = None
    try:
        for name in args.clips:
            width, height, frames, fps = CLIPS[name]
            decoded = synthetic_decode(width, height, frames)
            old_runs, new_runs, threaded_runs = [], [], []
            for _ in range(args.runs):  # interleaved, so both see the same machine
                with tempfile.TemporaryDirectory() as tmp:
                    store = MediaStore(Path(tmp))
                    old_runs.append(old_path(decoded, processor, store, Fraction(fps)))
                    new_runs.append(new_stages(decoded, processor, store, Fraction(fps), encoder))
                with tempfile.TemporaryDirectory() as tmp:
                    threaded_runs.append(new_threaded(decoded, processor, Path(tmp), width, height, frames, fps, worker))
            old, new, threaded = _median(old_runs), _median(new_runs), _median(threaded_runs)
            blocking_ratio = threaded["blocking"] / old["total"]
            wall_ratio = threaded["wall"] / old["total"]
            least = {"before_total": _minimum(old_runs)["total"], "now_blocking": _minimum(threaded_runs)["blocking"],
                     "now_wall": _minimum(threaded_runs)["wall"], "now_convert": _minimum(new_runs)["convert"]}
            results["clips"][name] = {"before": old, "now_stages": new, "now_threaded": threaded, "minimum": least,
                                      "blocking_ratio": blocking_ratio, "wall_ratio": wall_ratio,
                                      "runs_before": old_runs, "runs_now_stages": new_runs, "runs_now_threaded": threaded_runs}
            print(f"\n{name} ({frames} frames at {fps} fps); the pipeline's own postprocess: "
                  f"{old['postprocess']:.3f} s to numpy before, {new['postprocess']:.3f} s to a tensor now")
            print(f"  before: convert {old['convert']:.3f} s | encode {old['encode']:.3f} s | digest {old['digest']:.3f} s | "
                  f"adopt {old['adopt'] * 1000:.1f} ms | total {old['total']:.3f} s, all of it blocking the device")
            print(f"  now, each stage alone: convert {new['convert']:.3f} s | encode {new['encode']:.3f} s | digest {new['digest']:.3f} s | "
                  f"write {new['write'] * 1000:.1f} ms | adopt {new['adopt'] * 1000:.1f} ms | total {new['total']:.3f} s")
            print(f"  now, with the writer thread: blocking {threaded['blocking']:.3f} s (convert + hand-over: the device's part) | "
                  f"wall {threaded['wall']:.3f} s until the take is stored (writer {threaded['writer']:.3f} s, off the device)")
            print(f"  new/old: blocking {blocking_ratio:.3f} | wall {wall_ratio:.3f} | stages alone {new['total'] / old['total']:.3f}"
                  f" | with the postprocess counted in both: blocking "
                  f"{(threaded['blocking'] + new['postprocess']) / (old['total'] + old['postprocess']):.3f}")
            print(f"  minimum of the runs: before total {least['before_total']:.3f} s | now blocking {least['now_blocking']:.3f} s, "
                  f"wall {least['now_wall']:.3f} s, convert alone {least['now_convert']:.3f} s | blocking/old "
                  f"{least['now_blocking'] / least['before_total']:.3f}")
            if name.startswith("LTX"):
                ratio = blocking_ratio
    finally:
        worker.close()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    if ratio is not None:
        print(f"post-generation new/old: {ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
