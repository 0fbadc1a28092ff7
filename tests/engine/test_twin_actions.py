"""Every video family's twin, through the real worker, for the actions a director takes on a take:
extend it (the family's own image-to-video twin starts from its last frame) and promote it (the
same seed and text at twice the size and steps). Text to video, image to video, keyframes,
control and LoRAs have their own files."""

from __future__ import annotations

import pytest

from director.core.enums import JobState
from director.core.prompt import PromptFields
from director.engine import actions
from director.engine.presets import get_preset
from director.engine.runner import JobRunner, wait_for
from director.store import jobs as store_jobs
from director.store.project import Project
from director.store.prompts import write_prompt
from director.store.shots import add_shot
from director.store.takes import takes_of_job
from tests.engine.twin_cache import built

FAMILIES = ["tiny-ltx2-t2v", "tiny-wan22-a14b-t2v", "tiny-wan22-ti2v-t2v", "tiny-hunyuan15-t2v"]


def _run(project, runner, queued):
    wait_for(runner, set(queued.job_ids), 240)
    job = store_jobs.get_job(project, queued.job_ids[0])
    assert job.state is JobState.DONE, job.error
    [take] = takes_of_job(project, job.id)
    return job, take


@pytest.mark.parametrize("twin", FAMILIES)
def test_a_twin_take_extends_in_its_own_family_and_promotes(twin, tmp_path, engine):
    i2v = actions.I2V_OF[twin]
    built(twin)
    built(i2v)
    project = Project.create(tmp_path / "film.director", fps="12")
    shot, _ = add_shot(project, "1", "Harbour")
    write_prompt(project, shot.id, PromptFields(subject="a trawler leaves the harbour"))
    runner = JobRunner(project, engine)
    _job, take = _run(project, runner, actions.queue_generation(project, "1", twin, seed_mode="list", seeds=[3]))

    job, extended = _run(project, runner, actions.extend_take(project, take.id, seed_mode="list", seeds=[3]))
    assert job.preset == i2v and get_preset(i2v).family == get_preset(twin).family
    assert job.params["init_frame"] == "last" and extended.frames > 1

    job, promoted = _run(project, runner, actions.promote_take(project, take.id))
    assert job.preset == twin and promoted.seed == take.seed
    assert (promoted.width, promoted.height) == (take.width * 2, take.height * 2)
    assert job.params["steps"] == store_jobs.get_job(project, take.job_id).params["steps"] * 2
    project.close()


def test_every_family_extends_into_an_image_to_video_preset_of_its_own():
    for source, target in actions.I2V_OF.items():
        s, t = get_preset(source), get_preset(target)
        assert (s.kind, t.kind) == ("t2v", "i2v") and not t.retired, (source, target)
        assert s.family == t.family and s.tiny == t.tiny, (source, target)
