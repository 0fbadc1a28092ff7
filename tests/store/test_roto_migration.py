"""Migration 0017 on a file from before it: its takes are kept, and they take roto prompts and
mattes afterwards (ids from store.ids, the matte rows naming their job)."""

from __future__ import annotations

import sqlite3

from director.core.roto import parse_box, parse_point
from director.store import Project, jobs, shots, takes
from director.store.roto import AddRotoPrompt, complete_roto_job, latest_mattes, list_objects
from director.store.schema import SCHEMA_VERSION


def test_an_old_file_gains_roto_tables_and_keeps_its_takes(tmp_path):
    path = tmp_path / "old.director"
    with Project.create(path) as p:
        shot, _ = shots.add_shot(p, "1", "roof")
        job, _ = jobs.create_job(p, shot_id=shot.id, camera_id=None, prompt_id=None, preset="tiny-t2v", params={}, seeds=[3])
        media, thumb = p.media.put_bytes(b"clip", "mp4"), p.media.put_bytes(b"thumb", "jpg")
        take = takes.insert_take(p, job, {"seed": 3, "kind": "video", "media_path": media, "thumb_path": thumb,
                                          "width": 64, "height": 48, "frames": 9, "fps_num": 12, "fps_den": 1})
    conn = sqlite3.connect(path)
    with conn:
        for table in ("mattes", "roto_prompts", "roto_objects"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0017_roto'")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    conn.close()
    with Project.open(path) as p:
        assert takes.get_take(p, take).media_path == media
        AddRotoPrompt(take, "roofer", parse_point("10,12@3")).apply(p)
        AddRotoPrompt(take, "chimney", parse_box("40,2,60,30@0")).apply(p)
        assert [(o.name, [q.describe() for q in o.prompts]) for o in list_objects(p, take)] == [
            ("roofer", ["+10,12@3"]), ("chimney", ["box 40,2,60,30@0"])]
        seg, _ = jobs.create_job(p, shot_id=shot.id, camera_id=None, prompt_id=None, preset="tiny-sam2",
                                 params={"take_id": take}, seeds=[0], parent_take_id=take)
        jobs.mark_running(p, seg)
        matte, mthumb = p.media.put_bytes(b"matte", "npz"), p.media.put_bytes(b"mthumb", "jpg")
        obj = list_objects(p, take)[0]
        complete_roto_job(p, seg, {"gpu_s": 2.0}, [{"object_id": obj.id, "name": obj.name, "media_path": matte,
                                                    "thumb_path": mthumb, "frames": 9, "width": 64, "height": 48}])
        (row,) = latest_mattes(p, take)
        assert (row.job_id, row.object_id, row.media_path) == (seg, obj.id, matte)
        assert jobs.get_job(p, seg).state is jobs.JobState.DONE and jobs.get_job(p, seg).money is not None
    assert list((tmp_path / "old.director-backups").iterdir())
