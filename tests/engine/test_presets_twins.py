"""Today's presets, their twins and the retired ones, as the registry and `models list` show them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from director.core.errors import InvalidInput
from director.engine.presets import BUILTIN, RETIRED, all_presets, get_preset, validate_params


def test_every_video_preset_names_a_twin_of_its_own_pipeline_class_or_says_why_not():
    presets = {p.id: p for p in all_presets()}
    for p in BUILTIN:
        if p.tiny:
            continue
        if p.twin is None:
            assert p.no_twin, f"{p.id} has neither a twin nor a reason"
            continue
        twin = presets[p.twin]
        assert twin.tiny and twin.id.startswith("tiny-") and twin.pipeline == p.pipeline, p.id
        assert twin.constraints.frame_step == p.constraints.frame_step, p.id


def test_the_families_issue_14_asks_for_are_there_with_their_pipeline_classes():
    wanted = {
        "ltx2": "LTX2Pipeline", "ltx2-i2v": "LTX2ImageToVideoPipeline", "ltx2-distilled": "LTX2Pipeline",
        "ltx-2b-distilled": "LTXPipeline", "wan22-a14b-t2v": "WanPipeline", "wan22-a14b-i2v": "WanImageToVideoPipeline",
        "wan22-ti2v-5b": "WanPipeline", "wan21-flf2v": "WanImageToVideoPipeline", "wan21-vace-14b": "WanVACEPipeline",
        "hunyuan15-t2v": "HunyuanVideo15Pipeline", "hunyuan15-i2v": "HunyuanVideo15ImageToVideoPipeline",
    }
    for pid, pipeline in wanted.items():
        p = get_preset(pid)
        assert p.pipeline == pipeline and p.notes, pid
        validate_params(p, {"init_image": "x.png"} if p.kind == "i2v" else {})  # its defaults follow its rules


def test_every_named_pipeline_class_exists_in_the_installed_diffusers():
    import diffusers

    for p in (*BUILTIN, *RETIRED):
        if p.kind == "previz":  # numpy draws it (engine.previz): no diffusers class
            continue
        if p.kind in ("segment", "depth"):  # SAM 2 and Depth Anything are transformers models
            import transformers

            assert hasattr(transformers, p.pipeline), p.pipeline
            continue
        assert hasattr(diffusers, p.pipeline), p.pipeline


def test_a_retired_preset_still_resolves_for_old_takes_but_takes_no_new_job():
    old = get_preset("ltx-condition")
    assert old.retired and old.label
    assert "ltx-condition" not in {p.id for p in all_presets()}
    with pytest.raises(InvalidInput, match=r"ltx-condition is retired .*use ltx2-i2v"):
        validate_params(old, {"init_image": "x.png"})


def test_a_twin_not_built_yet_says_how_to_get_it(tmp_path, monkeypatch):
    from director.engine.loading import MissingWeights, resolve

    monkeypatch.setenv("DIRECTOR_TWINS_DIR", str(tmp_path / "none"))
    preset = get_preset("tiny-wan21-vace")
    with pytest.raises(MissingWeights, match=r"director models pull tiny-wan21-vace .*nothing is downloaded"):
        resolve(preset)
    real = get_preset("wan21-vace-14b")
    with pytest.raises(MissingWeights, match=r"not in the Hugging Face cache.*director models pull wan21-vace-14b"):
        resolve(real)


def test_models_list_json_flags_twins_names_classes_and_says_which_have_no_twin(tmp_path):
    out = subprocess.run([sys.executable, "-m", "director", "models", "list", "--json"], capture_output=True, text=True,
                         check=True, env={**os.environ, "DIRECTOR_TWINS_DIR": str(tmp_path)})
    rows = {r["id"]: r for r in json.loads(out.stdout)}
    assert rows["tiny-ltx2-t2v"]["tiny"] and rows["tiny-ltx2-t2v"]["pipeline"] == "LTX2Pipeline"
    assert rows["tiny-ltx2-t2v"]["twin_of"] == "ltx2" and rows["ltx2"]["twin"] == "tiny-ltx2-t2v"
    assert rows["tiny-ltx2-t2v"]["weights_present"] is False  # not built in this folder
    assert rows["flux-schnell"]["twin"] is None and "still-image" in rows["flux-schnell"]["no_twin"]
    assert rows["cogvideox-2b"]["retired"] and rows["cogvideox-2b"]["get"] is None
