"""The file a roto matte is stored as: one `.npz` holding `alpha`, frames × height × width uint8
(0 outside the object, 255 inside), written byte for byte the same for the same matte (a fixed
zip timestamp), so its content address depends on the pixels alone. The engine writes it; the
viewer's overlay and the matte exports read it.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np

MEMBER = "alpha.npy"
EXT = "npz"
_EPOCH = (1980, 1, 1, 0, 0, 0)


def encode_matte(alpha: np.ndarray) -> bytes:
    if alpha.dtype != np.uint8 or alpha.ndim != 3:
        raise ValueError(f"a matte is frames × height × width uint8, got {alpha.dtype} {alpha.shape}")
    array = io.BytesIO()
    np.save(array, np.ascontiguousarray(alpha), allow_pickle=False)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(MEMBER, date_time=_EPOCH)
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, array.getvalue())
    return out.getvalue()


def decode_matte(path: Path) -> np.ndarray:
    """The matte's alpha (frames × height × width uint8); ValueError when the file is not one."""
    try:
        with np.load(str(path), allow_pickle=False) as data:
            alpha = data[MEMBER.removesuffix(".npy")]
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{Path(path).name} is not a Director matte ({exc})") from None
    if alpha.dtype != np.uint8 or alpha.ndim != 3:
        raise ValueError(f"{Path(path).name} is not a Director matte (alpha is {alpha.dtype} {alpha.shape})")
    return alpha
