"""Files a job names by SHA-256 (LoRAs, driving sounds) are read once per process while they stay
the same, so queueing from the window does not re-read a multi-GB LoRA on every Generate; a file
that changes is read again and gets its new hash."""

from __future__ import annotations

import os

from director.store import media


def test_an_unchanged_file_is_read_once_and_a_changed_one_again(tmp_path, monkeypatch):
    reads = []
    real = media.sha256_file
    monkeypatch.setattr(media, "sha256_file", lambda p: reads.append(p) or real(p))
    path = tmp_path / "look.safetensors"
    path.write_bytes(b"weights one")
    first = media.sha256_file_cached(path)
    assert media.sha256_file_cached(path) == first == real(path)
    assert len(reads) == 1
    path.write_bytes(b"weights two")  # same length, new content
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # however coarse the clock
    second = media.sha256_file_cached(path)
    assert second != first and second == real(path)
    assert len(reads) == 2
