"""This machine's engine set-up, shared by the window's Settings ▸ Engine and `director engine
settings`: the device, the memory budget for warm models, and per preset a local model folder and
memory options. All of it lives in the engine's settings file (`engine.json` in the config folder,
read by `presets.all_presets`), so the window and the command line load the same weights on the
same device. Where jobs run (this machine or a Ray cluster) stays in the window's app settings;
the command line has `--engine` and DIRECTOR_ENGINE for that.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from director.core.errors import InvalidInput, NotFound
from director.engine import speed as speed_options
from director.engine.presets import (
    BUILTIN,
    MEMORY_KEYS,
    Memory,
    config_dir,
    get_preset,
    load_settings,
)

DEVICES = ("auto", "cuda", "mps", "cpu")
DEVICE_ENV = "DIRECTOR_DEVICE"
MAX_MEMORY_BUDGET_GB = 4096.0


@dataclass(frozen=True)
class MachineSettings:
    device: str  # one of DEVICES; "auto" picks CUDA, then MPS, then the CPU
    memory_budget_gb: float | None  # None: automatic (90 % of the GPU)
    model_folders: dict[str, str]  # preset id → a local diffusers folder
    memory: dict[str, dict]  # preset id → memory options that differ from the preset's own


def settings_path() -> Path:
    return config_dir() / "engine.json"


def read() -> MachineSettings:
    """The settings as saved; a malformed file raises InvalidInput naming it."""
    data = load_settings()
    budget = data.get("memory_budget_gb")
    return MachineSettings(
        device=str(data.get("device") or "auto"),
        memory_budget_gb=float(budget) if budget else None,
        model_folders=dict(data.get("local_paths") or {}),
        memory={k: dict(v) for k, v in (data.get("memory") or {}).items()},
    )


def save(data: dict) -> None:
    """Write engine.json atomically (a crash leaves the old file, never half a file)."""
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True))
    os.replace(tmp, path)


def check_device(device: str) -> str:
    value = str(device).strip().lower()
    if value not in DEVICES:
        raise InvalidInput(f"device must be one of {', '.join(DEVICES)}, got {device!r}")
    return value


def check_memory_budget(gb) -> float | None:
    """0 or empty: automatic. Otherwise a number of GB above 0 and at most 4096."""
    if gb in (None, ""):
        return None
    try:
        value = float(gb)
    except (TypeError, ValueError):
        raise InvalidInput(f"memory budget is a number of GB (0 for automatic), got {gb!r}") from None
    if not 0 <= value <= MAX_MEMORY_BUDGET_GB or value != value:
        raise InvalidInput(f"memory budget is 0 (automatic) to {MAX_MEMORY_BUDGET_GB:g} GB, got {gb!r}")
    return value or None


def model_preset(preset_id: str):
    """A built-in, weight-backed preset (the ones Settings ▸ Model preset lists)."""
    found = next((p for p in BUILTIN if p.id == preset_id and not p.tiny), None)
    if found is None:
        known = ", ".join(p.id for p in BUILTIN if not p.tiny)
        raise NotFound(f"no model preset {preset_id!r} with weights to place; known: {known}")
    return found


def update(data: dict, *, device: str | None = None, memory_budget_gb=None, clear_memory_budget: bool = False,
           folders: dict[str, str | None] | None = None, memory: dict[str, dict] | None = None,
           speed: dict[str, list[str]] | None = None) -> dict:
    """A copy of engine.json's `data` with these changes, every value checked first. A folder of
    None removes it; memory options equal to the preset's own are dropped (only differences are
    kept, as the window writes them); a preset's speed options replace its old ones (none: removed)."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    if device is not None:  # "auto" is kept too: it overrides a device an older Director saved
        out["device"] = check_device(device)
    if clear_memory_budget:
        out.pop("memory_budget_gb", None)
    elif memory_budget_gb is not None:
        value = check_memory_budget(memory_budget_gb)
        if value is None:
            out.pop("memory_budget_gb", None)
        else:
            out["memory_budget_gb"] = value
    for preset_id, folder in (folders or {}).items():
        model_preset(preset_id)
        paths = out.setdefault("local_paths", {})
        if folder is None or not str(folder).strip():
            paths.pop(preset_id, None)
        else:
            path = Path(str(folder).strip()).expanduser()
            if not path.is_dir():
                raise InvalidInput(f"model folder {path} is not a folder on this machine")
            paths[preset_id] = str(path.absolute())
    for preset_id, options in (memory or {}).items():
        preset = model_preset(preset_id)
        unknown = set(options) - set(MEMORY_KEYS)
        if unknown:
            raise InvalidInput(f"unknown memory option(s) {', '.join(sorted(unknown))}; known: {', '.join(MEMORY_KEYS)}")
        current = {**asdict(preset.memory), **out.setdefault("memory", {}).get(preset_id, {}), **options}
        Memory(**current)  # the preset's own type: a wrong key never reaches the worker
        if current == asdict(preset.memory):
            out["memory"].pop(preset_id, None)
        else:
            out["memory"][preset_id] = current
    for preset_id in memory or {}:  # a first-block cache switched on under a speed step cache is refused too
        if preset_id not in (speed or {}) and preset_id in out.get("speed", {}):
            check_speed(preset_id, out["speed"][preset_id], out)
    for preset_id, names in (speed or {}).items():
        chosen = check_speed(preset_id, names, out)
        if chosen:
            out.setdefault("speed", {})[preset_id] = list(chosen)
        else:
            out.setdefault("speed", {}).pop(preset_id, None)
    return {k: v for k, v in out.items() if v not in ({}, None)}


def check_speed(preset_id: str, names, data: dict) -> tuple[str, ...]:
    """A preset's speed options as `engine.speed.check` orders them, refused with the reason:
    unknown names, two step caches, MagCache without the family's ratios, or a step cache on a
    preset whose memory options already switch on the first-block cache (the worker would refuse it)."""
    if not names:  # none asked: nothing to check (a deleted preset's options can still be cleared)
        return ()
    preset = get_preset(preset_id)
    try:
        chosen = speed_options.check(names, preset.family)
    except InvalidInput as exc:
        raise InvalidInput(f"{preset_id}: {exc}") from None
    memory = {**asdict(preset.memory), **((data.get("memory") or {}).get(preset_id) or {})}
    caches = [n for n in chosen if speed_options.OPTIONS[n].cache]
    if caches and memory.get("first_block_cache"):
        raise InvalidInput(f"{preset_id}'s memory options already switch on the first-block cache "
                           f"(threshold {memory['first_block_cache']:g}); {caches[0]} would be a second step cache: "
                           "turn one off")
    return chosen


def speed_line(names) -> str:
    """What the options on do, as the Generate panel and `director engine speed` say it:
    'first_block_cache (changes pixels), group_offload_streams (CUDA only)'."""
    out = []
    for name in names:
        marks = speed_options.marks(speed_options.OPTIONS.get(name))
        out.append(f"{name} ({marks})" if marks else name)
    return ", ".join(out)


def apply_device(*, override_environment: bool) -> str:
    """Point the worker at the saved device: the worker reads DIRECTOR_DEVICE and a spawned worker
    inherits it. The window's setting wins (override_environment=True); on the command line a
    DIRECTOR_DEVICE already set for one run wins. Returns the device in force."""
    if not override_environment and os.environ.get(DEVICE_ENV):
        return os.environ[DEVICE_ENV]
    device = read().device
    if device == "auto":
        os.environ.pop(DEVICE_ENV, None)
    else:
        os.environ[DEVICE_ENV] = device
    return device
