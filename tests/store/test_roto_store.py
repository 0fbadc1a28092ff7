"""Mattes are artifacts of their take (#19 part B): purge keeps a live (or binned) take's matte
files, emptying the bin forgets a take's roto rows and the next purge its matte files; a matte
whose file is missing is refused before any row names it."""

from __future__ import annotations

import pytest

from director.core.errors import NotFound
from director.core.roto import parse_point
from director.store import jobs, shots, takes
from director.store.check import purge_media, referenced_media
from director.store.roto import AddRotoPrompt, complete_roto_job, list_mattes, list_objects


def _take(p, shot_id, seed):
    job, _ = jobs.create_job(p, shot_id=shot_id, camera_id=None, prompt_id=None, preset="tiny-t2v", params={}, seeds=[seed])
    media, thumb = p.media.put_bytes(f"clip {seed}".encode(), "mp4"), p.media.put_bytes(f"thumb {seed}".encode(), "jpg")
    return takes.insert_take(p, job, {"seed": seed, "kind": "video", "media_path": media, "thumb_path": thumb,
                                      "width": 64, "height": 48, "frames": 9, "fps_num": 12, "fps_den": 1})


def _matte(p, shot_id, take, content: bytes):
    AddRotoPrompt(take, "car", parse_point("10,10@0")).apply(p)
    seg, _ = jobs.create_job(p, shot_id=shot_id, camera_id=None, prompt_id=None, preset="tiny-sam2",
                             params={"take_id": take}, seeds=[0], parent_take_id=take)
    jobs.mark_running(p, seg)
    media, thumb = p.media.put_bytes(content, "npz"), p.media.put_bytes(content + b" thumb", "jpg")
    obj = list_objects(p, take)[0]
    complete_roto_job(p, seg, {"gpu_s": 1.0}, [{"object_id": obj.id, "name": "car", "media_path": media,
                                                "thumb_path": thumb, "frames": 9, "width": 64, "height": 48}])
    return media, thumb


def test_purge_keeps_mattes_of_kept_takes_and_emptying_the_bin_lets_them_go(project):
    shot, _ = shots.add_shot(project, "1", "roof")
    live, binned = _take(project, shot.id, 1), _take(project, shot.id, 2)
    kept = _matte(project, shot.id, live, b"live matte")
    going = _matte(project, shot.id, binned, b"binned matte")
    takes.set_take_deleted(project, binned, True)
    assert set(kept) | set(going) <= referenced_media(project)
    purge_media(project)
    assert all(project.media.path(r).is_file() for r in (*kept, *going))  # the bin still keeps its files
    takes.empty_bin(project)
    assert list_mattes(project, binned) == [] and list_objects(project, binned) == []
    purge_media(project)
    assert all(project.media.path(r).is_file() for r in kept)
    assert not any(project.media.path(r).exists() for r in going)
    assert len(list_mattes(project, live)) == 1


def test_a_matte_whose_file_is_missing_is_refused_and_the_job_stays_running(project):
    shot, _ = shots.add_shot(project, "1", "roof")
    take = _take(project, shot.id, 1)
    seg, _ = jobs.create_job(project, shot_id=shot.id, camera_id=None, prompt_id=None, preset="tiny-sam2",
                             params={"take_id": take}, seeds=[0])
    jobs.mark_running(project, seg)
    with pytest.raises(NotFound, match="missing from the media store"):
        complete_roto_job(project, seg, {"gpu_s": 1.0}, [{"object_id": None, "name": "car", "media_path": "ab/" + "c" * 62 + ".npz",
                                                          "thumb_path": "ab/" + "d" * 62 + ".jpg", "frames": 9, "width": 64, "height": 48}])
    assert list_mattes(project, take) == [] and jobs.get_job(project, seg).state is jobs.JobState.RUNNING
