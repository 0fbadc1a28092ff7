"""User LoRAs: safetensors only, recorded in the recipe with their hash, applied through diffusers'
load_lora_weights/set_adapters and removed after the job; strength 0 gives the frames of no LoRA."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from director.cli import main
from director.core.enums import JobState
from director.core.errors import InvalidInput, NotFound
from director.engine.messages import Failed, Finished, TakeWritten
from director.store import jobs as store_jobs
from director.store.loras import add_lora, list_loras, remove_lora
from director.store.project import Project

from .conftest import request_for, run_to_end


def tiny_lora(path, seed=3):
    """A rank-4 LoRA on the tiny LTX transformer's attention, with random (non-zero) B so it
    changes the picture, saved as a diffusers-format safetensors file."""
    import torch
    from peft import LoraConfig, get_peft_model_state_dict
    from safetensors.torch import save_file

    from director.engine.tiny import build_t2v

    transformer = build_t2v().transformer
    torch.manual_seed(seed)
    transformer.add_adapter(LoraConfig(r=4, lora_alpha=4, init_lora_weights=False,
                                       target_modules=["to_q", "to_k", "to_v", "to_out.0"]))
    state = get_peft_model_state_dict(transformer)
    save_file({f"transformer.{k}": v.contiguous() * 4 for k, v in state.items()}, str(path))
    return path


_ids = iter(range(150000, 160000))


def _frames(engine, tmp_path, loras=()):
    request = replace(request_for("tiny-t2v", next(_ids), tmp_path / "m", seeds=(5,), steps=2), loras=tuple(loras))
    events = run_to_end(engine, request)
    assert isinstance(events[-1], Finished), events[-1]
    return next(e for e in events if isinstance(e, TakeWritten)).extra["frames_sha256"]


def test_a_lora_at_strength_0_gives_the_frames_of_no_lora_and_at_1_changes_them(engine, tmp_path):
    path = str(tiny_lora(tmp_path / "style.safetensors"))
    plain = _frames(engine, tmp_path)
    assert _frames(engine, tmp_path, [("style", path, 0.0)]) == plain
    at_one = _frames(engine, tmp_path, [("style", path, 1.0)])
    assert at_one != plain
    assert _frames(engine, tmp_path, [("style", path, 0.5)]) not in (plain, at_one)
    # The adapters are gone after the job: the warm pipeline makes the plain frames again.
    assert _frames(engine, tmp_path) == plain


def test_a_pipeline_without_lora_support_is_refused_by_name():
    from director.engine import lora

    class NoLoras:
        pass

    assert lora.attach(NoLoras(), ())() is None  # no LoRAs: nothing to refuse
    with pytest.raises(InvalidInput, match="NoLoras takes no LoRAs in diffusers"):
        lora.attach(NoLoras(), (("style", "/x/style.safetensors", 1.0),))


def test_only_local_safetensors_files_and_sane_strengths_are_accepted(project, tmp_path):
    bad = tmp_path / "style.ckpt"
    bad.write_bytes(b"not a lora")
    with pytest.raises(InvalidInput, match="only as .safetensors"):
        add_lora(project, "tiny-t2v", bad)
    with pytest.raises(NotFound, match="no LoRA file"):
        add_lora(project, "tiny-t2v", tmp_path / "gone.safetensors")
    good = tmp_path / "style.safetensors"
    good.write_bytes(b"x")
    with pytest.raises(InvalidInput, match=r"out of range \(-4 to 4\); nearest valid: 4"):
        add_lora(project, "tiny-t2v", good, 9)
    with pytest.raises(InvalidInput, match="strength"):
        add_lora(project, "tiny-t2v", good, float("nan"))
    lora, _ = add_lora(project, "tiny-t2v", good, 0.7)
    again, _ = add_lora(project, "tiny-t2v", good, 0.4)  # the same name: its strength changes
    assert again.id == lora.id and [x.strength for x in list_loras(project, "tiny-t2v")] == [0.4]
    remove_lora(project, "tiny-t2v", "style")
    with pytest.raises(NotFound, match="has no LoRA 'style'"):
        remove_lora(project, "tiny-t2v", "style")


def test_cli_records_the_lora_in_the_recipe_and_refuses_a_changed_file(shot_project, tmp_path, capsys):
    film = str(shot_project.path)
    shot_project.close()
    path = tiny_lora(tmp_path / "style.safetensors")
    assert main(["lora", "add", film, "tiny-t2v", str(path), "--strength", "0.8"]) == 0
    assert main(["lora", "list", film, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert [(x["name"], x["strength"]) for x in listed] == [("style", 0.8)]
    assert main(["generate", film, "--shot", "12A", "--preset", "tiny-t2v", "--seed", "3", "--steps", "2", "--json"]) == 0
    job = json.loads(capsys.readouterr().out)[0]
    assert job["state"] == "done"
    with Project.open(film) as project:
        recipe = store_jobs.job_recipe(project, job["job"])
    assert [(x["name"], x["strength"], x["path"]) for x in recipe.loras] == [("style", 0.8, str(path.resolve()))]
    assert len(recipe.loras[0]["sha256"]) == 64
    # Queued, then the file changes on disk: the job refuses to run rather than record another LoRA.
    assert main(["generate", film, "--shot", "12A", "--preset", "tiny-t2v", "--seed", "3", "--steps", "2", "--no-wait", "--json"]) == 0
    queued = json.loads(capsys.readouterr().out)["queued"][0]
    tiny_lora(path, seed=4)
    main(["queue", "run", film])
    with Project.open(film) as project:
        failed = store_jobs.get_job(project, queued)
    assert failed.state is JobState.FAILED and "not the file the job was queued with" in failed.error
