"""The test doubles: real tiny pipelines whose call fails the way a full GPU or a full RAM does.
Running out of memory cannot be produced on demand (or safely) on a shared CPU machine."""

import inspect

import torch
from diffusers import LTXPipeline

from director.engine.client import EngineClient
from director.engine.tiny import _ltx_components


class OutOfMemoryPipeline(LTXPipeline):
    def __call__(self, *args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB (GPU 0; 79.1 GiB total)")


def build_oom_pipeline():
    return OutOfMemoryPipeline(**_ltx_components())


class RamExhaustedPipeline(LTXPipeline):
    """A CPU machine out of RAM: Python's MemoryError, as numpy and pure-Python allocations raise it."""

    def __call__(self, *args, **kwargs):
        raise MemoryError()


class CpuAllocatorFullPipeline(LTXPipeline):
    """A CPU machine out of RAM, as torch's CPU allocator says it."""

    def __call__(self, *args, **kwargs):
        raise RuntimeError("[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: can't allocate memory: "
                           "you tried to allocate 85899345920 bytes. Error code 12 (Cannot allocate memory)")


def build_ram_exhausted_pipeline():
    return RamExhaustedPipeline(**_ltx_components())


def build_cpu_allocator_full_pipeline():
    return CpuAllocatorFullPipeline(**_ltx_components())


class BuggyPipeline(LTXPipeline):
    """A bug in a library: not the user's to fix, but theirs to report."""

    def __call__(self, *args, **kwargs):
        raise ValueError("shapes (2,17) and (3,) not aligned")


def build_buggy_pipeline():
    return BuggyPipeline(**_ltx_components())


class LongDecodePipeline(LTXPipeline):
    """A large model decoding a long clip: minutes of device work with no step callbacks."""

    def __call__(self, *args, **kwargs):
        import time

        time.sleep(120)
        raise AssertionError("the test kills the worker long before this")


def build_long_decode_pipeline():
    return LongDecodePipeline(**_ltx_components())


class RelayClient(EngineClient):
    """A real engine client seen through a boundary the test controls: every event the engine
    sends passes through `on_event`, which may change what the disk holds or what the event says,
    as a failing disk or a cluster machine would. The engine itself runs unchanged."""

    def __init__(self, client, on_event):
        self.client, self.on_event = client, on_event

    @property
    def capacity(self):
        return self.client.capacity

    def submit(self, request):
        self.client.submit(request)

    def cancel(self, job_id):
        self.client.cancel(job_id)

    def shutdown(self):
        pass  # the session's worker outlives the test

    @property
    def busy(self):
        return self.client.busy

    def poll_events(self, timeout=0.0):
        return [self.on_event(e) for e in self.client.poll_events(timeout)]


class FailsOnItsSecondCallPipeline(LTXPipeline):
    """A pipeline that makes one clip, then fails the way a library bug does at the end of its
    second (after its denoising): a job's first variant is being written when the second fails."""

    def __call__(self, *args, **kwargs):
        self.calls = getattr(self, "calls", 0) + 1
        out = super().__call__(*args, **kwargs)
        if self.calls == 2:
            raise ValueError("shapes (2,17) and (3,) not aligned")
        return out

    # The worker passes only the arguments a pipeline's signature names: keep LTXPipeline's.
    __call__.__signature__ = inspect.signature(LTXPipeline.__call__)


def build_fails_on_its_second_call_pipeline():
    return FailsOnItsSecondCallPipeline(**_ltx_components())
