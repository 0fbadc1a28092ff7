"""The read-ahead thread behind the MP4 writer: order kept, errors surface, cancel closes the reader."""

from __future__ import annotations

import threading

import pytest

from director.export.frames import Prefetch


def test_prefetch_yields_everything_in_order():
    with Prefetch(iter(range(100)), depth=3) as frames:
        assert list(frames) == list(range(100))


def test_a_reader_error_is_raised_on_the_consumers_thread():
    def broken():
        yield 1
        raise OSError("disk gone")

    with Prefetch(broken()) as frames:
        it = iter(frames)
        assert next(it) == 1
        with pytest.raises(OSError, match="disk gone"):
            next(it)


def test_stopping_early_closes_the_reader_and_its_files():
    closed = threading.Event()

    def endless():
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.set()

    prefetch = Prefetch(endless(), depth=2)
    with prefetch as frames:
        for n in frames:
            if n == 5:
                break
    assert closed.is_set() and not prefetch._thread.is_alive()
