"""A segment job on a Ray cluster (#19 part B), without a cluster: the client sends the take's bytes
(the node cannot see the app's disk), the actor hands its worker a request naming its own copy,
and a matte's files come back and are stored by their content, like a take's."""

from __future__ import annotations

import threading

from director.engine.messages import Finished, MatteWritten, Meter
from director.engine.ray_actor import GenerationActor
from director.engine.ray_engine import _store_takes
from director.store.media import MediaStore, sha256_file


class _Worker:
    def __init__(self):
        self.seen = None

    def run(self, request):
        self.seen = (request, open(request.segment["video"], "rb").read())


def test_the_actor_cuts_mattes_of_its_own_copy_of_the_take(tmp_path):
    from director.engine.messages import JobRequest
    from director.engine.presets import get_preset

    actor = object.__new__(GenerationActor)
    actor.scratch, actor.worker, actor._cond = tmp_path / "node", _Worker(), threading.Condition()
    actor.scratch.mkdir()
    request = JobRequest(9, get_preset("tiny-sam2"), "", {}, (0,), str(tmp_path / "app"),
                         segment={"video": "/app/only/take.mp4", "objects": [{"id": 1, "name": "car", "prompts": []}]})
    actor.run(request, b"the take's bytes")
    seen, data = actor.worker.seen
    assert data == b"the take's bytes" and seen.segment["video"].startswith(str(actor.scratch))
    assert seen.segment["objects"] == request.segment["objects"] and seen.init_image is None
    assert not list(actor.scratch.glob("init-*"))  # the copy is gone when the job ends


def test_a_remote_matte_is_carried_and_stored_by_its_content(tmp_path):
    scratch = MediaStore(tmp_path / "node" / "media")
    matte, thumb = scratch.put_bytes(b"matte bytes", "npz"), scratch.put_bytes(b"thumb", "jpg")
    actor = object.__new__(GenerationActor)
    actor.scratch = tmp_path / "node"
    remote = actor._collect(MatteWritten(7, 3, "car", matte, thumb, 9, 80, 48, {"coverage": 0.1}))
    assert remote.event.media_path == "" and remote.media == b"matte bytes" and remote.media_ext == "npz"
    app = tmp_path / "app" / "media"
    (stored, finished) = _store_takes(app, [remote], Finished(7, Meter()))
    assert isinstance(stored, MatteWritten) and isinstance(finished, Finished)
    assert stored.media_path == matte and stored.name == "car" and stored.extra == {"coverage": 0.1}
    assert sha256_file(MediaStore(app).path(stored.media_path)) == matte.split(".")[0].replace("/", "")
