"""Getting a pipeline: build it in-process, or load weights safely from disk.

Safe by default: safetensors only (no pickle), no remote code, single files only with a local
config. Offline unless asked: finding weights in the Hugging Face cache reads the cache folder
and never calls the hub client (whose calls may reach the network even with
`local_files_only=True`); only `allow_download=True` (`director models pull`) talks to the hub.
A missing model fails with exactly how to get it. Torch and diffusers are imported inside the
functions (worker only).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from director.core.recipe import Option, RunFacts
from director.engine.presets import REFUSED_SUFFIXES, Preset, _is_single_file, _looks_like_path, check_source, config_dir

WEIGHT_SUFFIXES = (".safetensors", ".gguf")
HUB_PATTERNS = ["*.json", "*.txt", "*.model", "*.safetensors", "*.tiktoken", "*.jinja"]


class MissingWeights(Exception):
    """The preset's weights are not on this machine; the message says how to get them."""


class UnsafeWeights(Exception):
    """Weights in a format that can run code when loaded (pickle); refused."""


def _missing(preset: Preset, detail: str) -> MissingWeights:
    return MissingWeights(f"{preset.label} ({preset.id}): {detail}. Get it with: {preset.pull_command()}")


# -- the Hugging Face cache, read without the hub client ----------------------------------------

_TRUE = {"1", "ON", "YES", "TRUE"}
_offline_forced = False  # stay_offline() ran in this process
_user_offline: str | None = None  # HF_HUB_OFFLINE as it was before stay_offline()


def hub_cache_dir() -> Path:
    """The hub's cache folder, by the hub client's own rules (HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE,
    HF_HOME, XDG_CACHE_HOME, ~/.cache), read from the environment now."""
    env = os.environ
    home = env.get("HF_HOME") or os.path.join(env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "huggingface")
    home = os.path.expandvars(os.path.expanduser(home))
    folder = env.get("HF_HUB_CACHE") or env.get("HUGGINGFACE_HUB_CACHE") or os.path.join(home, "hub")
    return Path(os.path.expandvars(os.path.expanduser(folder)))


def cached_snapshot(repo: str) -> Path | None:
    """The cached snapshot of a hub repo's main branch (what `snapshot_download(repo,
    local_files_only=True)` returns), found by reading the cache folder: no network, no hub client."""
    folder = hub_cache_dir() / ("models--" + repo.replace("/", "--"))
    try:
        commit = (folder / "refs" / "main").read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None
    snapshot = folder / "snapshots" / commit
    return snapshot if commit and snapshot.is_dir() else None


def stay_offline() -> None:
    """This process never reaches the hub on its own: the hub client, transformers and diffusers
    read HF_HUB_OFFLINE (set before they are imported; the hub client's flag too if it already
    was). The engine worker calls this first thing; a request that asks to download lifts it for
    that download only (`_downloads_allowed`)."""
    global _offline_forced, _user_offline
    if not _offline_forced:
        _user_offline = os.environ.get("HF_HUB_OFFLINE")
        _offline_forced = True
    os.environ["HF_HUB_OFFLINE"] = "1"
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:
        constants.HF_HUB_OFFLINE = True


@contextmanager
def _downloads_allowed():
    """Lift stay_offline() for one download the user asked for (never the user's own HF_HUB_OFFLINE)."""
    if not _offline_forced or (_user_offline or "").upper() in _TRUE:
        yield
        return
    from huggingface_hub import constants

    before = constants.HF_HUB_OFFLINE
    constants.HF_HUB_OFFLINE = False
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = before


def _hub_snapshot(repo: str, preset: Preset, allow_download: bool) -> Path:
    if not allow_download:
        snapshot = cached_snapshot(repo)
        if snapshot is None:
            raise _missing(preset, f"the weights of {repo} are not in the Hugging Face cache")
        return snapshot
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        with _downloads_allowed():
            return Path(snapshot_download(repo, allow_patterns=HUB_PATTERNS))
    except LocalEntryNotFoundError:
        raise _missing(preset, f"the weights of {repo} are not in the Hugging Face cache") from None


def _hub_file(repo: str, filename: str, preset: Preset, allow_download: bool) -> Path:
    if not allow_download:
        snapshot = cached_snapshot(repo)
        if snapshot is None or not (snapshot / filename).is_file():
            raise _missing(preset, f"{filename} from {repo} is not in the Hugging Face cache")
        return snapshot / filename
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        with _downloads_allowed():
            return Path(hf_hub_download(repo, filename))
    except LocalEntryNotFoundError:
        raise _missing(preset, f"{filename} from {repo} is not in the Hugging Face cache") from None


def file_of(source: str, preset: Preset, allow_download: bool, what: str = "weights file") -> Path:
    """One file a preset names: a local path, or `repo::path/in/repo` in the Hugging Face cache
    (downloaded when allowed); MissingWeights saying how to get it otherwise."""
    if _looks_like_path(source):
        path = Path(source).expanduser()
        if not path.is_file():
            raise _missing(preset, f"no {what} at {path}")
        return path
    repo, _, filename = source.partition("::")
    return _hub_file(repo, filename, preset, allow_download)


def resolve(preset: Preset, allow_download: bool = False) -> tuple[str, Path, Path | None]:
    """(how, weights path, config path) for a preset; raises MissingWeights or UnsafeWeights."""
    try:
        check_source(preset)
    except Exception as exc:
        raise UnsafeWeights(str(exc)) from None
    source = preset.source
    if _is_single_file(source):
        weights = file_of(source, preset, allow_download)
        config = preset.config or ""
        if _looks_like_path(config):
            config_path = Path(config).expanduser()
            if not config_path.is_dir():
                raise _missing(preset, f"no config folder at {config_path}")
        else:
            config_path = _hub_snapshot(config, preset, allow_download)
        return "single_file", weights, config_path
    if _looks_like_path(source):
        folder = Path(source).expanduser()
        transformers = preset.kind in ("segment", "depth")  # SAM 2, Depth Anything: transformers folders
        index = "config.json" if transformers else "model_index.json"
        if not (folder / index).is_file():
            kind = "transformers" if transformers else "diffusers"
            raise _missing(preset, f"no {kind} folder ({index}) at {folder}")
        if not any(folder.rglob("*.safetensors")):
            bad = sorted(p.name for p in folder.rglob("*") if p.suffix.lower() in REFUSED_SUFFIXES)
            if bad:
                raise UnsafeWeights(
                    f"{folder} holds only pickle-based weights ({', '.join(bad[:3])}), which can run code when "
                    "loaded; Director loads safetensors only. Convert them to safetensors first."
                )
            raise _missing(preset, f"no .safetensors weights in {folder}")
        return "folder", folder, None
    return "folder", _hub_snapshot(source, preset, allow_download), None


def weights_present(preset: Preset) -> bool:
    """Whether a load would find everything locally (for `models list` and the Generate panel):
    reads folders only; no torch, no hub client, no network."""
    if preset.builder:
        return True
    from director.engine.step_loras import resolve_step_loras

    try:
        resolve(preset, allow_download=False)
        resolve_step_loras(preset, allow_download=False)
        return True
    except (MissingWeights, UnsafeWeights):
        return False


def pull(preset: Preset) -> str:
    """Download a preset's weights (safetensors and configs only) into the Hugging Face cache."""
    if preset.builder:
        return f"{preset.id} is built in-process; nothing to download"
    if preset.twin_of:
        from director.engine.twins import build_twin

        return f"{preset.id}: tiny twin built at {build_twin(preset.id)} (random weights, nothing downloaded)"
    if _looks_like_path(preset.source) and not _is_single_file(preset.source):
        raise MissingWeights(f"{preset.id} loads from the local folder {preset.source}; copy a diffusers folder there")
    from director.engine.step_loras import resolve_step_loras

    how, weights, config = resolve(preset, allow_download=True)
    loras = resolve_step_loras(preset, allow_download=True)
    return (f"{preset.id}: weights at {weights}" + (f", config at {config}" if config else "")
            + "".join(f", step LoRA at {path}" for path, _component in loras))


# -- revision / hashes -------------------------------------------------------------------------


def _hash_cache() -> dict:
    path = config_dir() / "hashes.json"
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def file_sha256(path: Path) -> str:
    """SHA-256 of a weights file, cached by (path, size, mtime) so multi-GB files hash once."""
    st = path.stat()
    key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    cache = _hash_cache()
    if key in cache:
        return cache[key]
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    cache[key] = h.hexdigest()
    try:
        config_dir().mkdir(parents=True, exist_ok=True)
        tmp = config_dir() / "hashes.json.tmp"
        tmp.write_text(json.dumps(cache))
        os.replace(tmp, config_dir() / "hashes.json")
    except OSError:
        pass  # a read-only settings folder only costs a re-hash next time
    return cache[key]


def revision_of(how: str, weights: Path) -> str:
    """A hub snapshot's commit, or the SHA-256 of the weight files (combined for a folder)."""
    if how == "single_file":
        return f"sha256:{file_sha256(weights)}"
    if weights.parent.name == "snapshots":
        return f"{weights.parent.parent.name.removeprefix('models--').replace('--', '/')}@{weights.name}"
    files = sorted(p for p in weights.rglob("*") if p.suffix in WEIGHT_SUFFIXES)
    h = hashlib.sha256()
    for p in files:
        h.update(f"{p.relative_to(weights)}={file_sha256(p)}\n".encode())
    return f"sha256:{h.hexdigest()}"


# -- loading (worker only) ---------------------------------------------------------------------


def torch_dtype(name: str, device: str):
    import torch

    dtype = getattr(torch, name)
    # Half precision on a CPU is slow or unsupported for many kernels; compute in float32 there.
    if device == "cpu" and dtype in (torch.float16, torch.bfloat16):
        return torch.float32
    return dtype


def load_pipeline(preset: Preset, device: str, allow_download: bool = False):
    """(pipeline, model revision). Raises MissingWeights / UnsafeWeights with a user's message."""
    if preset.builder:
        module, _, func = preset.builder.partition(":")
        pipe = getattr(importlib.import_module(module), func)()
        revision = getattr(importlib.import_module(module), "REVISION", preset.builder)
        # Modules built from configs start in training mode (dropout on); from_pretrained would
        # have called eval(). Without this, one seed gives different frames on every run.
        for component in pipe.components.values():
            if hasattr(component, "eval") and hasattr(component, "training"):
                component.eval()
        dtype = torch_dtype(preset.dtype, device)
        if pipe.dtype != dtype:  # builders make float32 modules; cast only when asked otherwise
            pipe = pipe.to(dtype)
        return pipe, revision
    import diffusers

    cls = getattr(diffusers, preset.pipeline, None)
    if cls is None:
        raise ValueError(f"diffusers {diffusers.__version__} has no pipeline class {preset.pipeline}")
    from director.engine.step_loras import fuse_step_loras, resolve_step_loras, scheduler_for, step_revision

    how, weights, config = resolve(preset, allow_download)
    step_files = resolve_step_loras(preset, allow_download)  # before any weight loads: a missing one is said at once
    dtype = torch_dtype(preset.dtype, device)
    try:
        if how == "single_file":
            extra = _config_folder_models(config, dtype)
            pipe = cls.from_single_file(str(weights), config=str(config), torch_dtype=dtype, local_files_only=True, **extra)
        else:
            pipe = cls.from_pretrained(str(weights), torch_dtype=dtype, local_files_only=True, use_safetensors=True)
    except OSError as exc:
        # diffusers says OSError when a component's safetensors (or a config) is absent.
        raise _missing(preset, f"loading {weights} failed ({exc})") from exc
    fuse_step_loras(pipe, step_files)
    pipe.scheduler = scheduler_for(pipe, preset)
    return pipe, revision_of(how, weights) + step_revision(step_files)


def load_transformers_model(preset: Preset, cls, device: str, allow_download: bool = False):
    """(model on the device in eval mode, its folder, weights revision) of a preset that is one
    transformers checkpoint (SAM 2, Depth Anything). Raises MissingWeights or UnsafeWeights."""
    how, folder, _config = resolve(preset, allow_download)
    if how != "folder":
        raise _missing(preset, f"{preset.family} loads from a checkpoint folder (config.json + model.safetensors), not a single file")
    try:
        model = cls.from_pretrained(str(folder), dtype=torch_dtype(preset.dtype, device), local_files_only=True,
                                    use_safetensors=True)
    except OSError as exc:
        raise _missing(preset, f"loading {folder} failed ({exc})") from exc
    return model.eval().to(device), folder, revision_of(how, folder)


def _config_folder_models(config: Path, dtype) -> dict:
    """The transformers models (text encoders) a single-file checkpoint leaves to its config folder,
    loaded from there. A single file holds the denoiser and VAE only, and diffusers looks for a
    transformers model's weights in the config folder under its own file name
    (diffusion_pytorch_model.*), never transformers' model*.safetensors, so without this every
    single-file preset failed with "Weights for this component appear to be missing"."""
    import transformers

    try:
        index = json.loads((config / "model_index.json").read_text())
    except (OSError, ValueError):
        return {}
    models = {}
    for name, spec in index.items():
        if not (isinstance(spec, list) and len(spec) == 2 and spec[0] == "transformers"):
            continue
        cls = getattr(transformers, spec[1], None)
        if cls is None or not hasattr(cls, "from_pretrained") or not any((config / name).glob("*.safetensors")):
            continue  # tokenizers and processors load through diffusers from the config folder itself
        if issubclass(cls, transformers.PreTrainedModel):
            models[name] = cls.from_pretrained(str(config / name), dtype=dtype, local_files_only=True,
                                               use_safetensors=True)
    return models


def av_output(pipe, out, is_video: bool):
    """(frames, audio, sample_rate) of one pipeline call's first sample: the picture as the
    pipeline returned it, and the sound where the model makes one (LTX-2: `out.audio`, channels ×
    samples at the vocoder's output rate), else (frames, None, None). The one place that knows
    where each family puts its sound, for the take writer and the sound engineer's path."""
    frames = out.frames[0] if is_video else out.images[0]
    audio = getattr(out, "audio", None)
    if audio is None:
        return frames, None, None
    rate = None
    for component, key in (("vocoder", "output_sampling_rate"), ("audio_vae", "sample_rate")):
        config = getattr(getattr(pipe, component, None), "config", None)
        if config is not None and config.get(key):
            rate = int(config[key])
            break
    return frames, audio[0], rate


def apply_memory(pipe, preset: Preset, device: str) -> list[str]:
    """Move to the device and switch on the preset's memory options the device supports."""
    import torch

    m, applied = preset.memory, []
    if m.cpu_offload and device == "cuda":
        pipe.enable_model_cpu_offload()  # raises on CPU-only torch, hence the device guard
        applied.append("cpu_offload")
    elif m.group_offload and device == "cuda" and hasattr(pipe, "enable_group_offload"):
        pipe.enable_group_offload(onload_device=torch.device("cuda"), offload_type="leaf_level", use_stream=True)
        applied.append("group_offload")
    else:
        pipe.to(device)
    vae = getattr(pipe, "vae", None)
    if m.vae_tiling and hasattr(vae, "enable_tiling"):
        vae.enable_tiling()
        applied.append("vae_tiling")
    if m.vae_slicing and hasattr(vae, "enable_slicing"):
        vae.enable_slicing()
        applied.append("vae_slicing")
    denoiser = getattr(pipe, "transformer", None)
    if m.first_block_cache and hasattr(denoiser, "enable_cache"):
        from diffusers import FirstBlockCacheConfig

        denoiser.enable_cache(FirstBlockCacheConfig(threshold=float(m.first_block_cache)))
        applied.append(f"first_block_cache={m.first_block_cache}")
    if m.compile and device == "cuda" and hasattr(denoiser, "compile_repeated_blocks"):
        denoiser.compile_repeated_blocks(fullgraph=True)
        applied.append("compile_repeated_blocks")
    if hasattr(pipe, "set_progress_bar_config"):
        pipe.set_progress_bar_config(disable=True)
    return applied


# Whether each memory or speed option `apply_memory` can switch on may change the pixels. Offload
# moves weights, not arithmetic; slicing decodes a batch one sample at a time. Tiling decodes
# overlapping tiles and blends their seams, the cache skips blocks whose input barely changed, and
# compiled kernels fuse and reorder float arithmetic. An option not listed here counts as changing
# them: saying "may differ" wrongly is cheaper than promising bit-exact re-renders wrongly.
CHANGES_PIXELS = {
    "cpu_offload": False,
    "group_offload": False,
    "vae_slicing": False,
    "vae_tiling": True,
    "first_block_cache": True,
    "compile_repeated_blocks": True,
}


def options_of(applied: list[str]) -> tuple[Option, ...]:
    """The applied options (as `apply_memory` names them) with their changes-pixels flags."""
    return tuple(Option(name, CHANGES_PIXELS.get(name.partition("=")[0], True)) for name in applied)


def library_versions() -> dict:
    """The versions of the libraries that compute the pixels (worker only: imports torch)."""
    import diffusers
    import torch
    import transformers

    # Plain strings: torch.__version__ is a TorchVersion, and unpickling one imports torch in the window.
    return {"diffusers": str(diffusers.__version__), "transformers": str(transformers.__version__), "torch": str(torch.__version__)}


def _plain_config(config) -> dict:
    """A scheduler's config as JSON values; private keys (loading bookkeeping) left out."""
    return json.loads(json.dumps({k: v for k, v in dict(config or {}).items() if not str(k).startswith("_")},
                                 sort_keys=True, default=str))


def run_facts(pipe, device: str, revision: str, applied: list[str]) -> RunFacts:
    """What runs a job (`core.recipe.RunFacts`): device, dtype, pipeline and scheduler classes, the
    scheduler's config, the weights fingerprint (`revision`: a hub commit, the SHA-256 of local
    weights, or a builder's revision), the options applied and the library versions."""
    dtype = str(getattr(pipe, "dtype", "") or "").removeprefix("torch.")
    scheduler = getattr(pipe, "scheduler", None)
    return RunFacts(
        device=device,
        dtype=dtype,
        pipeline_class=type(pipe).__name__,
        scheduler=type(scheduler).__name__ if scheduler is not None else "",
        scheduler_config=_plain_config(getattr(scheduler, "config", None)) if scheduler is not None else {},
        weights=revision,
        options=options_of(applied),
        versions=library_versions(),
    )
