"""User LoRAs: recorded in a job's recipe when it is queued, attached to the pipeline for that job.

App side (`recipe_loras`, `request_loras`): the preset's LoRAs from the project (`store.loras`)
with each file's SHA-256, and at run time the same files checked against those hashes, so a
LoRA file changed on disk never makes a take whose recipe names another.

Worker side (`attach`): the state dict is read with safetensors (never pickle) and given to
diffusers' `load_lora_weights`, strengths through `set_adapters`; the adapters are removed again
after the job, so a warm pipeline is the same for the next job whatever this one used.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from director.core.errors import InvalidInput, NotFound
from director.store.loras import check_file, list_loras
from director.store.media import sha256_file_cached
from director.store.project import Project

log = logging.getLogger("director.engine.lora")


# diffusers pipelines with load_lora_weights and set_adapters (what `attach` needs), as of 0.42;
# AutoPipelineForText2Image loads SD-Turbo's and SDXL-Turbo's StableDiffusion(XL)Pipeline, which have them.
# tests/ui/test_lora_list.py checks this against diffusers for every preset.
LORA_PIPELINES = frozenset({
    "StableDiffusionPipeline", "AutoPipelineForText2Image", "FluxPipeline", "LTXPipeline", "LTXConditionPipeline",
    "LTX2Pipeline", "LTX2ImageToVideoPipeline", "WanPipeline", "WanImageToVideoPipeline", "WanVACEPipeline",
    "CogVideoXPipeline",
})


def takes_loras(preset) -> str:
    """'' when the preset's pipeline takes LoRAs, else why not (said before a LoRA is added or a job queued)."""
    if preset.pipeline in LORA_PIPELINES:
        return ""
    return f"{preset.label} ({preset.pipeline}) takes no LoRAs"


def recipe_loras(project: Project, preset_id: str) -> tuple[dict, ...]:
    """The preset's LoRAs as a recipe records them: name, path, strength and the file's SHA-256."""
    out = []
    for lora in list_loras(project, preset_id):
        try:
            path = check_file(lora.path)
        except NotFound:
            raise NotFound(f"LoRA {lora.name} of preset {preset_id} is missing ({lora.path}); put the file back "
                           f"or remove it with 'director lora remove PROJECT {preset_id} {lora.name}'") from None
        out.append({"name": lora.name, "path": str(path), "strength": lora.strength, "sha256": sha256_file_cached(path)})
    return tuple(out)


def request_loras(recipe_loras_: tuple[dict, ...]) -> tuple[tuple[str, str, float], ...]:
    """(name, path, strength) per LoRA a recipe names, each file checked against its recorded hash."""
    out = []
    for entry in recipe_loras_:
        path = Path(entry["path"])
        if not path.is_file():
            raise NotFound(f"the LoRA file {path} the job was queued with is missing")
        if entry.get("sha256") and sha256_file_cached(path) != entry["sha256"]:
            raise NotFound(f"the LoRA file {path} is not the file the job was queued with (its SHA-256 differs)")
        out.append((str(entry["name"]), str(path), float(entry["strength"])))
    return tuple(out)


# -- in the worker -----------------------------------------------------------------------------


def attach(pipe, loras) -> Callable[[], None]:
    """Load each (name, path, strength) into the pipeline and set the strengths; returns the
    function that removes them again. A pipeline without LoRA support is refused by name."""
    if not loras:
        return lambda: None
    if not hasattr(pipe, "load_lora_weights") or not hasattr(pipe, "set_adapters"):
        raise InvalidInput(f"{type(pipe).__name__} takes no LoRAs in diffusers; remove this preset's LoRAs")
    from safetensors.torch import load_file

    names: list[str] = []

    def detach() -> None:
        if names:
            try:
                pipe.delete_adapters(names)
            except Exception:  # a half-loaded adapter: unload everything rather than leave a changed pipeline
                log.warning("removing LoRA adapters failed; unloading all LoRA weights", exc_info=True)
                pipe.unload_lora_weights()

    try:
        for name, path, _strength in loras:
            if not str(path).lower().endswith(".safetensors"):
                raise InvalidInput(f"{Path(path).name}: LoRAs load from .safetensors files only")
            pipe.load_lora_weights(load_file(str(path)), adapter_name=name)
            names.append(name)
        pipe.set_adapters(names, [float(s) for _n, _p, s in loras])
    except Exception:
        detach()
        raise
    return detach
