"""A pipeline's output tensor → the uint8 frames an encoder needs, made on the device.

The worker asks pipelines for tensors (`output_type="pt"`: float RGB in [0, 1], channels first,
in the VAE's dtype, still on the device) and turns them into (F, H, W, 3) uint8 there: clamp,
× 255, + 0.5 and truncate, in float32 one operation at a time, exactly the arithmetic of
`media_out.to_uint8` on what `output_type="np"` gave, so the frames are bit-identical to that
path's. Only the uint8 bytes travel to the host, a quarter of the floats: on CUDA into pinned
memory with a non-blocking copy that the writer thread waits for (`HostFrames.wait`); on the CPU
the tensor's own memory is the numpy array.

Torch is imported inside the functions (worker process only).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Float32 working memory per conversion step: a few frames at a time, in one buffer reused for
# every step, so a long clip never needs a float copy of itself (4× its uint8 size) on a full
# GPU. On the CPU a step stays in the caches (and a fresh multi-megabyte buffer per step would
# cost page faults): measured on 768×512 frames, 8 MB steps took half the time of 64 MB ones.
CHUNK_BYTES = 128 << 20
CPU_CHUNK_BYTES = 8 << 20


@dataclass
class HostFrames:
    """uint8 frames in host memory: (F, H, W, 3) for video, (H, W, 3) for a still. On CUDA the
    copy may still be running: call `wait()` before reading `array`."""

    array: np.ndarray
    ready: object | None = None  # a torch.cuda.Event recorded after the copy
    owner: object | None = field(default=None, repr=False)  # the tensor that holds the bytes

    def wait(self) -> np.ndarray:
        if self.ready is not None:
            self.ready.synchronize()
            self.ready = None
        return self.array


def to_uint8(frames):
    """(F, C, H, W) or (C, H, W) float (any dtype, any device) → (F, H, W, C) or (H, W, C)
    uint8 on the same device, as `media_out.to_uint8` computes it from the float32 values."""
    import torch

    still = frames.dim() == 3
    x = frames.unsqueeze(0) if still else frames
    n, c, h, w = x.shape
    out = torch.empty((n, h, w, c), dtype=torch.uint8, device=x.device)
    budget = CPU_CHUNK_BYTES if x.device.type == "cpu" else CHUNK_BYTES
    step = min(n, max(1, budget // max(1, c * h * w * 4)))
    work = torch.empty((step, c, h, w), dtype=torch.float32, device=x.device)
    for i in range(0, n, step):
        part = x[i:i + step]
        chunk = work[:len(part)]
        # Into the working buffer (the pipeline's tensor is never written): widened to float32
        # (exact) and clipped, as numpy clipped the widened values; then × 255 and + 0.5, each
        # rounded to float32 as numpy rounds them.
        if part.dtype == torch.float32:
            torch.clamp(part, 0.0, 1.0, out=chunk)
        else:
            chunk.copy_(part).clamp_(0.0, 1.0)
        chunk.mul_(255.0).add_(0.5)
        out[i:i + step].copy_(chunk.permute(0, 2, 3, 1))  # float → uint8 truncates, as astype does
    return out[0] if still else out


def to_host(frames) -> HostFrames:
    """A pipeline's frames as uint8 in host memory. Tensors are converted on their device and
    only the uint8 bytes are copied; arrays or images (a pipeline that ignored output_type="pt")
    go the numpy way."""
    import torch

    if not isinstance(frames, torch.Tensor):
        from director.engine.media_out import to_uint8 as numpy_to_uint8

        return HostFrames(np.ascontiguousarray(numpy_to_uint8(np.asarray(frames))))
    u8 = to_uint8(frames)
    if u8.device.type == "cpu":
        return HostFrames(u8.numpy(), owner=u8)
    if u8.device.type == "cuda":
        host = torch.empty(u8.shape, dtype=torch.uint8, pin_memory=True)
        host.copy_(u8, non_blocking=True)
        ready = torch.cuda.Event()
        ready.record()
        return HostFrames(host.numpy(), ready, host)
    host = u8.cpu()  # mps and others: a plain (synchronous) copy
    return HostFrames(host.numpy(), owner=host)
