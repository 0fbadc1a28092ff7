"""PNG text chunks, written by hand: opencv cannot, and Pillow is not a dependency.

Latin-1 values go in tEXt (every viewer shows them); anything else (a prompt with "über" or
"東京") goes in uncompressed iTXt, whose text is UTF-8. Chunks are inserted straight after IHDR,
where readers that stop early still see them.
"""

from __future__ import annotations

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _keyword(key: str) -> bytes:
    raw = key.encode("latin-1")
    if not 1 <= len(raw) <= 79 or b"\x00" in raw:
        raise ValueError(f"a PNG text keyword must be 1 to 79 Latin-1 characters: {key!r}")
    return raw


def text_chunk(key: str, value: str) -> bytes:
    try:
        return _chunk(b"tEXt", _keyword(key) + b"\x00" + value.encode("latin-1"))
    except UnicodeEncodeError:
        # keyword, compression flag 0, method 0, empty language tag, empty translated keyword, text
        return _chunk(b"iTXt", _keyword(key) + b"\x00\x00\x00\x00\x00" + value.encode("utf-8"))


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk; raises ValueError on a file that is not a whole PNG."""
    if not png.startswith(SIGNATURE):
        raise ValueError("not a PNG file")
    out, pos = [], len(SIGNATURE)
    while pos < len(png):
        if pos + 12 > len(png):
            raise ValueError("truncated PNG")
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        data = png[pos + 8 : pos + 8 + length]
        if len(data) != length:
            raise ValueError("truncated PNG")
        out.append((kind, data))
        pos += 12 + length
    return out


def add_text(png: bytes, values: dict[str, str]) -> bytes:
    """The same image with `values` as text chunks after IHDR."""
    parts = chunks(png)
    if not parts or parts[0][0] != b"IHDR":
        raise ValueError("PNG does not start with IHDR")
    ihdr_end = len(SIGNATURE) + 12 + len(parts[0][1])
    extra = b"".join(text_chunk(k, str(v)) for k, v in values.items())
    return png[:ihdr_end] + extra + png[ihdr_end:]


def read_text(png: bytes) -> dict[str, str]:
    """tEXt, zTXt and iTXt values by keyword (the reader the round-trip tests use)."""
    out: dict[str, str] = {}
    for kind, data in chunks(png):
        if kind == b"tEXt":
            key, _, value = data.partition(b"\x00")
            out[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = data.partition(b"\x00")
            out[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = data.partition(b"\x00")
            flag, _method, rest = rest[0], rest[1], rest[2:]
            _lang, _, rest = rest.partition(b"\x00")
            _tkey, _, text = rest.partition(b"\x00")
            out[key.decode("latin-1")] = (zlib.decompress(text) if flag else text).decode("utf-8")
    return out
