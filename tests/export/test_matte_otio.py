"""OTIO clips name their take's current roto mattes in metadata (#19 part B): object, content
address, the job (recipe) that made it, frames and size; clips without mattes carry none."""

from __future__ import annotations

import numpy as np
import opentimelineio as otio

from director.core.roto import parse_point
from director.export.interchange import export_interchange
from director.export.takeinfo import take_infos
from director.store import jobs
from director.store.matte_file import encode_matte
from director.store.roto import AddRotoPrompt, complete_roto_job, list_objects


def test_an_otio_clip_references_its_mattes(film, simple_cut, out_dir):
    p, red = film.project, film.take_ids["red"]
    AddRotoPrompt(red, "sun", parse_point("100,50@3")).apply(p)
    take = film.takes["red"]
    seg, _ = jobs.create_job(p, shot_id=take.shot_id, camera_id=take.camera_id, prompt_id=None, preset="tiny-sam2",
                             params={"take_id": red}, seeds=[0], parent_take_id=red)
    jobs.mark_running(p, seg)
    alpha = np.zeros((take.frames, take.height, take.width), np.uint8)
    alpha[:, 40:80, 90:130] = 255
    media, thumb = p.media.put_bytes(encode_matte(alpha), "npz"), p.media.put_bytes(b"thumb", "jpg")
    obj = list_objects(p, red)[0]
    complete_roto_job(p, seg, {"gpu_s": 1.5}, [{"object_id": obj.id, "name": "sun", "media_path": media,
                                                "thumb_path": thumb, "frames": take.frames, "width": take.width,
                                                "height": take.height, "extra": {"alpha_sha256": "ab" * 32}}])
    infos = take_infos(p, [s.take_id for s in simple_cut.segments])
    export_interchange(simple_cut, infos, p.media, out_dir / "cut.otio")
    clips = otio.adapters.read_from_file(str(out_dir / "cut.otio")).find_clips()
    (matte,) = clips[0].metadata["director"]["mattes"]
    assert matte == {"name": "sun", "media_path": media, "job_id": seg, "frames": take.frames,
                     "width": take.width, "height": take.height, "alpha_sha256": "ab" * 32}
    assert all("mattes" not in c.metadata["director"] for c in clips[1:])
