"""The one test double: a real tiny pipeline whose call fails the way a full GPU does.
A CUDA out-of-memory error cannot be produced on this CPU machine."""

import torch
from diffusers import LTXPipeline

from director.engine.tiny import _ltx_components


class OutOfMemoryPipeline(LTXPipeline):
    def __call__(self, *args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB (GPU 0; 79.1 GiB total)")


def build_oom_pipeline():
    return OutOfMemoryPipeline(**_ltx_components())
