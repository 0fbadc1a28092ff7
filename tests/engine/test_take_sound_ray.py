"""A take's own sound crosses from a cluster machine like its picture: the actor reads the stored WAV
out of its scratch store with the take's files, and the app stores it content-addressed, so the
runner records it with the take (before, the take's sound path named a file on the remote node,
and recording the job failed)."""

from __future__ import annotations

import numpy as np

from director.engine.messages import Finished, Meter, TakeWritten
from director.engine.ray_actor import GenerationActor
from director.engine.ray_engine import _store_takes
from director.store.audio_media import write_wav
from director.store.media import MediaStore, sha256_file


def test_a_remote_takes_sound_is_carried_and_stored_by_its_content(tmp_path):
    scratch = MediaStore(tmp_path / "node" / "media")
    wav = scratch.temp_path(".wav")
    write_wav(wav, np.full((960, 2), 0.5, np.float32))
    sound = scratch.adopt(wav, "wav")
    media, thumb = scratch.put_bytes(b"picture", "mp4"), scratch.put_bytes(b"thumb", "jpg")
    actor = object.__new__(GenerationActor)
    actor.scratch = tmp_path / "node"
    event = TakeWritten(7, 0, 3, media, thumb, "video", 32, 32, 9, 24, 1, {}, sound_path=sound, sound_samples=960)
    remote = actor._collect(event)
    assert remote.event.sound_path == "" and remote.sound == scratch.path(sound).read_bytes()
    app = tmp_path / "app" / "media"
    (stored, finished) = _store_takes(app, [remote], Finished(7, Meter()))
    assert isinstance(finished, Finished)
    assert stored.sound_path == sound and stored.sound_samples == 960  # the same content, the same name
    assert sha256_file(MediaStore(app).path(stored.sound_path)) == sound.split(".")[0].replace("/", "")
    silent = actor._collect(TakeWritten(8, 0, 3, media, thumb, "video", 32, 32, 9, 24, 1, {}))
    (kept, _) = _store_takes(app, [silent], Finished(8, Meter()))
    assert silent.sound == b"" and kept.sound_path == ""
