"""Tiny twins: small random-weight pipelines with the real model's class and component layout,
written to disk the way a download lands, so the real loader (`loading.load_pipeline`) is what
tests and the demo exercise.

Each family's twin is built offline (in-memory tokenizers, small configs of the same transformers
and diffusers classes), from a fixed torch seed, and saved in diffusers format: `model_index.json`,
one subfolder per component, safetensors. The LTX-Video 0.9.8 twin is a single `.safetensors` with
the original checkpoint's key names (`model.diffusion_model.*`, `vae.*`) beside its config folder,
as Lightricks publishes it. A twin is built into a temporary folder and renamed into place, so a
half-built twin is never loaded. Torch is imported inside the functions (engine only).
"""

from __future__ import annotations

import json
import os
import shutil
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

WEIGHTS_SEED = 0
REVISION = "twin-v2"  # bump when a builder changes: twins built by an older version are rebuilt
MARKER = "director-twin.json"


def twins_dir() -> Path:
    """Where built twins live: DIRECTOR_TWINS_DIR, else the user's cache folder (rebuildable)."""
    env = os.environ.get("DIRECTOR_TWINS_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "director" / "twins"


# -- in-memory tokenizers -----------------------------------------------------------------------

_CHARS = string.ascii_lowercase + string.digits + ",.-'"


def _t5_tokenizer():
    """A character-level unigram T5 tokenizer: every prompt tokenises, different words differ."""
    from transformers import T5Tokenizer

    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    pieces += [("▁" + c, -1.0) for c in string.ascii_lowercase]
    pieces += [(c, -2.0) for c in _CHARS]
    return T5Tokenizer(vocab=pieces, extra_ids=0), len(pieces)


def _byte_bpe_vocab(specials: list[str]) -> tuple[dict, list]:
    """A byte-level BPE vocabulary with no merges (one token per byte) after `specials`."""
    from tokenizers.pre_tokenizers import ByteLevel

    vocab = {s: i for i, s in enumerate(specials)}
    for ch in sorted(ByteLevel.alphabet()):
        vocab.setdefault(ch, len(vocab))
    return vocab, []


def _gemma_tokenizer():
    from transformers import GemmaTokenizer

    specials = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>"]
    vocab = {s: i for i, s in enumerate(specials)}
    for c in "▁" + _CHARS + string.ascii_uppercase + " ":
        vocab.setdefault(c, len(vocab))
    tok = GemmaTokenizer(vocab=vocab, merges=[])
    return tok, len(vocab)


_QWEN_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def _qwen_tokenizer():
    from transformers import Qwen2Tokenizer

    vocab, merges = _byte_bpe_vocab(["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    tok = Qwen2Tokenizer(vocab=vocab, merges=merges)
    tok.chat_template = _QWEN_TEMPLATE
    return tok, len(vocab)


# -- families -----------------------------------------------------------------------------------


def _seed():
    import torch

    torch.manual_seed(WEIGHTS_SEED)


def _ltx2(pipeline: str):
    """LTX-2: Gemma 3 text encoder, text connectors, the audio-video transformer, video and
    audio VAEs and a vocoder — picture and sound from one model."""
    import diffusers
    from diffusers import AutoencoderKLLTX2Audio, AutoencoderKLLTX2Video, FlowMatchEulerDiscreteScheduler, LTX2VideoTransformer3DModel
    from diffusers.pipelines.ltx2 import LTX2TextConnectors
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    _seed()
    tokenizer, vocab = _gemma_tokenizer()
    text_config = dict(vocab_size=vocab, hidden_size=32, intermediate_size=32, num_hidden_layers=2,
                       num_attention_heads=2, num_key_value_heads=1, head_dim=16, max_position_embeddings=256,
                       sliding_window=64, pad_token_id=0, eos_token_id=1, bos_token_id=2)
    vision_config = dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                         image_size=28, patch_size=14)
    text_encoder = Gemma3ForConditionalGeneration(Gemma3Config(
        text_config=text_config, vision_config=vision_config, mm_tokens_per_image=4, image_token_index=3,
        boi_token_index=2, eoi_token_index=1))
    transformer = LTX2VideoTransformer3DModel(
        in_channels=4, out_channels=4, patch_size=1, patch_size_t=1, num_attention_heads=2, attention_head_dim=8,
        cross_attention_dim=16, audio_in_channels=4, audio_out_channels=4, audio_num_attention_heads=2,
        audio_attention_head_dim=4, audio_cross_attention_dim=8, num_layers=2, qk_norm="rms_norm_across_heads",
        caption_channels=32, rope_double_precision=False, rope_type="split",
    )
    connectors = LTX2TextConnectors(
        caption_channels=32, text_proj_in_factor=3, video_connector_num_attention_heads=4,
        video_connector_attention_head_dim=8, video_connector_num_layers=1, video_connector_num_learnable_registers=None,
        audio_connector_num_attention_heads=4, audio_connector_attention_head_dim=8, audio_connector_num_layers=1,
        audio_connector_num_learnable_registers=None, connector_rope_base_seq_len=32, rope_theta=10000.0,
        rope_double_precision=False, causal_temporal_positioning=False, rope_type="split",
    )
    vae = AutoencoderKLLTX2Video(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8,), decoder_block_out_channels=(8,),
        layers_per_block=(1,), decoder_layers_per_block=(1, 1), spatio_temporal_scaling=(True,),
        decoder_spatio_temporal_scaling=(True,), decoder_inject_noise=(False, False), downsample_type=("spatial",),
        upsample_residual=(False,), upsample_factor=(1,), timestep_conditioning=False, patch_size=1, patch_size_t=1,
        encoder_causal=True, decoder_causal=False,
    )
    audio_vae = AutoencoderKLLTX2Audio(
        base_channels=4, output_channels=2, ch_mult=(1, 2, 4), num_res_blocks=1, attn_resolutions=None, in_channels=2,
        resolution=32, latent_channels=2, norm_type="pixel", causality_axis="height", dropout=0.0,
        mid_block_add_attention=False, sample_rate=16000, mel_hop_length=160, is_causal=True, mel_bins=8,
    )
    vocoder = LTX2Vocoder(
        in_channels=16, hidden_channels=32, out_channels=2, upsample_kernel_sizes=[4, 4], upsample_factors=[2, 2],
        resnet_kernel_sizes=[3], resnet_dilations=[[1, 3, 5]], leaky_relu_negative_slope=0.1, output_sampling_rate=16000,
    )
    cls = getattr(diffusers, pipeline)
    return cls(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, audio_vae=audio_vae, text_encoder=text_encoder,
               tokenizer=tokenizer, connectors=connectors, transformer=transformer, vocoder=vocoder)


def _wan_vae(ti2v: bool = False):
    from diffusers import AutoencoderKLWan

    if ti2v:  # Wan 2.2's high-compression VAE (16× spatial, 48 latent channels, patchified)
        return AutoencoderKLWan(
            base_dim=3, z_dim=48, in_channels=12, out_channels=12, is_residual=True, patch_size=2,
            latents_mean=[0.0] * 48, latents_std=[1.0] * 48, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
            scale_factor_spatial=16, scale_factor_temporal=4, temperal_downsample=[False, True, True],
        )
    return AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                            temperal_downsample=[False, True, True])


def _wan_text():
    from transformers import UMT5Config, UMT5EncoderModel

    tokenizer, vocab = _t5_tokenizer()
    encoder = UMT5EncoderModel(UMT5Config(d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4, vocab_size=vocab,
                                          relative_attention_num_buckets=8))
    return tokenizer, encoder


def _wan_transformer(in_channels: int, out_channels: int = 16, **extra):
    from diffusers import WanTransformer3DModel

    return WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=in_channels,
        out_channels=out_channels, text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True,
        qk_norm="rms_norm_across_heads", rope_max_seq_len=32, **extra,
    )


def _wan_scheduler():
    from diffusers import UniPCMultistepScheduler

    return UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)


def _wan21(pipeline: str):
    """Wan 2.1 T2V: one transformer on the 16-channel VAE."""
    import diffusers

    _seed()
    tokenizer, text_encoder = _wan_text()
    return getattr(diffusers, pipeline)(tokenizer=tokenizer, text_encoder=text_encoder, vae=_wan_vae(),
                                        scheduler=_wan_scheduler(), transformer=_wan_transformer(16))


def _wan22_a14b(pipeline: str):
    """Wan 2.2 A14B: two experts, `transformer` (high noise) and `transformer_2` (low noise),
    switched at `boundary_ratio`; the I2V expert takes the image latents as 20 more channels."""
    import diffusers

    _seed()
    tokenizer, text_encoder = _wan_text()
    i2v = pipeline == "WanImageToVideoPipeline"
    channels = 36 if i2v else 16
    transformer, transformer_2 = _wan_transformer(channels), _wan_transformer(channels)
    parts = dict(tokenizer=tokenizer, text_encoder=text_encoder, vae=_wan_vae(), scheduler=_wan_scheduler(),
                 transformer=transformer, transformer_2=transformer_2, boundary_ratio=0.9 if i2v else 0.875)
    if i2v:
        parts.update(image_encoder=None, image_processor=None)
    return getattr(diffusers, pipeline)(**parts)


def _wan22_ti2v(pipeline: str):
    """Wan 2.2 TI2V 5B: one transformer on the 48-channel VAE; `expand_timesteps` conditions the
    first frame for image to video with the same weights."""
    import diffusers

    _seed()
    tokenizer, text_encoder = _wan_text()
    parts = dict(tokenizer=tokenizer, text_encoder=text_encoder, vae=_wan_vae(ti2v=True), scheduler=_wan_scheduler(),
                 transformer=_wan_transformer(48, 48), transformer_2=None, boundary_ratio=None, expand_timesteps=True)
    if pipeline == "WanImageToVideoPipeline":
        parts.update(image_encoder=None, image_processor=None)
    return getattr(diffusers, pipeline)(**parts)


def _wan21_flf2v(pipeline: str):
    """Wan 2.1 FLF2V 14B: first and last frame, a CLIP vision encoder and image cross-attention."""
    import diffusers
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

    _seed()
    tokenizer, text_encoder = _wan_text()
    image_encoder = CLIPVisionModel(CLIPVisionConfig(hidden_size=4, projection_dim=4, num_hidden_layers=2,
                                                     num_attention_heads=2, image_size=32, intermediate_size=16,
                                                     patch_size=4))
    # FLF2V's transformer adds a learned position embedding over both frames' image tokens.
    transformer = _wan_transformer(36, image_dim=4, added_kv_proj_dim=24, pos_embed_seq_len=2 * 65)
    return getattr(diffusers, pipeline)(
        tokenizer=tokenizer, text_encoder=text_encoder, vae=_wan_vae(), scheduler=_wan_scheduler(),
        image_processor=CLIPImageProcessor(crop_size=32, size=32), image_encoder=image_encoder, transformer=transformer,
    )


def _wan21_vace(pipeline: str):
    """Wan 2.1 VACE: control blocks beside the main ones read a control video, masks and references."""
    import diffusers
    from diffusers import WanVACETransformer3DModel

    _seed()
    tokenizer, text_encoder = _wan_text()
    transformer = WanVACETransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=16, out_channels=16,
        text_dim=32, freq_dim=256, ffn_dim=32, num_layers=3, cross_attn_norm=True, qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32, vace_layers=[0, 2], vace_in_channels=96,
    )
    return getattr(diffusers, pipeline)(tokenizer=tokenizer, text_encoder=text_encoder, vae=_wan_vae(),
                                        scheduler=_wan_scheduler(), transformer=transformer)


def _hunyuan15(pipeline: str):
    """HunyuanVideo 1.5: a Qwen2.5-VL text model with a chat template, ByT5 for glyphs, a guider
    instead of a guidance argument; image to video adds a SigLIP vision encoder."""
    import diffusers
    from diffusers import AutoencoderKLHunyuanVideo15, FlowMatchEulerDiscreteScheduler, HunyuanVideo15Transformer3DModel
    from diffusers.guiders import ClassifierFreeGuidance
    from transformers import ByT5Tokenizer, Qwen2_5_VLTextConfig, Qwen2_5_VLTextModel, T5Config, T5EncoderModel

    _seed()
    i2v = pipeline == "HunyuanVideo15ImageToVideoPipeline"
    transformer = HunyuanVideo15Transformer3DModel(
        in_channels=9, out_channels=4, num_attention_heads=2, attention_head_dim=8, num_layers=1,
        num_refiner_layers=1, mlp_ratio=2.0, patch_size=1, patch_size_t=1, text_embed_dim=16, text_embed_2_dim=32,
        image_embed_dim=12, rope_axes_dim=(2, 2, 4), target_size=32, task_type="i2v" if i2v else "t2v",
    )
    vae = AutoencoderKLHunyuanVideo15(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(16, 16), layers_per_block=1,
        spatial_compression_ratio=4, temporal_compression_ratio=2, downsample_match_channel=False,
        upsample_match_channel=False,
    )
    tokenizer, vocab = _qwen_tokenizer()
    text_encoder = Qwen2_5_VLTextModel(Qwen2_5_VLTextConfig(
        vocab_size=vocab, hidden_size=16, intermediate_size=16, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=2, rope_scaling={"mrope_section": [1, 1, 2], "rope_type": "default", "type": "default"},
        rope_theta=1000000.0,
    ))
    tokenizer_2 = ByT5Tokenizer()
    text_encoder_2 = T5EncoderModel(T5Config(d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
                                             vocab_size=tokenizer_2.vocab_size + 3))
    parts = dict(text_encoder=text_encoder, tokenizer=tokenizer, transformer=transformer, vae=vae,
                 scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0), text_encoder_2=text_encoder_2,
                 tokenizer_2=tokenizer_2, guider=ClassifierFreeGuidance(guidance_scale=1.0))
    if i2v:
        from transformers import SiglipImageProcessor, SiglipVisionConfig, SiglipVisionModel

        parts["image_encoder"] = SiglipVisionModel(SiglipVisionConfig(
            hidden_size=12, intermediate_size=16, num_hidden_layers=1, num_attention_heads=2, image_size=32,
            patch_size=8))
        parts["feature_extractor"] = SiglipImageProcessor(size={"height": 32, "width": 32})
    return getattr(diffusers, pipeline)(**parts)


def _ltxv(pipeline: str):
    """LTX-Video 0.9.x: T5 text encoder, the LTX transformer and video VAE (the 2B's layout)."""
    import diffusers
    from diffusers import AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler, LTXVideoTransformer3DModel
    from transformers import T5Config, T5EncoderModel

    _seed()
    tokenizer, vocab = _t5_tokenizer()
    text_encoder = T5EncoderModel(T5Config(d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4, vocab_size=vocab))
    transformer = LTXVideoTransformer3DModel(
        in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4, attention_head_dim=8,
        cross_attention_dim=32, num_layers=2, caption_channels=32,
    )
    vae = AutoencoderKLLTXVideo(
        in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8), layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1), spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False), decoder_inject_noise=(False,) * 5,
        upsample_residual=(False,) * 4, upsample_factor=(1,) * 4, timestep_conditioning=False, patch_size=1,
        patch_size_t=1, encoder_causal=True, decoder_causal=False,
    )
    return getattr(diffusers, pipeline)(transformer=transformer, vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(),
                                        text_encoder=text_encoder, tokenizer=tokenizer)


class ModelDownload:
    """A transformers model written as its hub download is laid out: the model's config.json and
    model.safetensors, plus the processor's JSON files (`files`: name → content). What
    `build_twin` writes for the SAM 2 and Depth Anything twins."""

    def __init__(self, model, files: dict[str, dict]):
        self.model = model
        self.files = files
        self.components = {"model": model}

    def save_pretrained(self, folder, safe_serialization: bool = True) -> None:
        folder = Path(folder)
        self.model.save_pretrained(folder, safe_serialization=safe_serialization)
        for name, data in self.files.items():
            (folder / name).write_text(json.dumps(data, indent=2))


def _sam2(pipeline: str):
    from director.engine.segment_twin import build  # SAM 2 (a transformers model, not a pipeline)

    return build(pipeline)


def _depth(pipeline: str):
    from director.engine.depth_twin import build  # Depth Anything (a transformers model, not a pipeline)

    return build(pipeline)


def _lightning_loras(pipe, folder: Path) -> None:
    """Random rank-4 LoRAs for both experts in lightx2v's layout and key names (the
    `diffusion_model.blocks.N.<layer>.lora_down/lora_up/alpha` of its Wan 2.2 Lightning files):
    lightning/high_noise_model.safetensors for `transformer`, low_noise_model.safetensors for
    `transformer_2`, so loading them goes through diffusers' own conversion of those names."""
    import torch
    from safetensors.torch import save_file

    generator = torch.Generator().manual_seed(WEIGHTS_SEED + 7)
    (folder / "lightning").mkdir()
    for name, expert in (("high_noise_model", pipe.transformer), ("low_noise_model", pipe.transformer_2)):
        dim, ffn, rank = expert.config.num_attention_heads * expert.config.attention_head_dim, expert.config.ffn_dim, 4
        layers = {f"{a}.{x}": (dim, dim) for a in ("self_attn", "cross_attn") for x in "qkvo"}
        layers.update({"ffn.0": (dim, ffn), "ffn.2": (ffn, dim)})
        tensors = {}
        for block in range(expert.config.num_layers):
            for layer, (fan_in, fan_out) in layers.items():
                key = f"diffusion_model.blocks.{block}.{layer}"
                tensors[f"{key}.lora_down.weight"] = torch.randn(rank, fan_in, generator=generator) * 0.5
                tensors[f"{key}.lora_up.weight"] = torch.randn(fan_out, rank, generator=generator) * 0.5
                tensors[f"{key}.alpha"] = torch.tensor(float(rank))
        save_file(tensors, str(folder / "lightning" / f"{name}.safetensors"))


# -- the twins ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Twin:
    """How to build one twin: the family builder, the pipeline class it makes, and its layout
    ("folder": a diffusers folder; "single_file": one original-keys checkpoint + config folder)."""

    id: str
    pipeline: str
    build: Callable
    layout: str = "folder"
    extras: Callable | None = None  # (pipeline, folder): more files a download of this preset has (step LoRAs)


TWINS: dict[str, Twin] = {t.id: t for t in (
    Twin("tiny-ltx2-t2v", "LTX2Pipeline", _ltx2),
    Twin("tiny-ltx2-i2v", "LTX2ImageToVideoPipeline", _ltx2),
    Twin("tiny-wan21-t2v", "WanPipeline", _wan21),
    Twin("tiny-wan22-a14b-t2v", "WanPipeline", _wan22_a14b),
    Twin("tiny-wan22-a14b-i2v", "WanImageToVideoPipeline", _wan22_a14b),
    Twin("tiny-wan22-a14b-t2v-lightning", "WanPipeline", _wan22_a14b, extras=_lightning_loras),
    Twin("tiny-wan22-a14b-i2v-lightning", "WanImageToVideoPipeline", _wan22_a14b, extras=_lightning_loras),
    Twin("tiny-wan22-ti2v-t2v", "WanPipeline", _wan22_ti2v),
    Twin("tiny-wan22-ti2v-i2v", "WanImageToVideoPipeline", _wan22_ti2v),
    Twin("tiny-wan21-flf2v", "WanImageToVideoPipeline", _wan21_flf2v),
    Twin("tiny-wan21-vace", "WanVACEPipeline", _wan21_vace),
    Twin("tiny-hunyuan15-t2v", "HunyuanVideo15Pipeline", _hunyuan15),
    Twin("tiny-hunyuan15-i2v", "HunyuanVideo15ImageToVideoPipeline", _hunyuan15),
    Twin("tiny-ltxv098", "LTXPipeline", _ltxv, layout="single_file"),
    Twin("tiny-sam2", "Sam2VideoModel", _sam2),
    Twin("tiny-depth-anything", "DepthAnythingForDepthEstimation", _depth),
)}

SINGLE_FILE_NAME = "ltxv-tiny-0.9.8-distilled.safetensors"


def twin_path(twin_id: str, root: Path | None = None) -> Path:
    """Where a twin's weights are found: its folder, or its single file inside that folder."""
    folder = (root or twins_dir()) / twin_id
    return folder / SINGLE_FILE_NAME if TWINS[twin_id].layout == "single_file" else folder


def twin_config_path(twin_id: str, root: Path | None = None) -> Path:
    return (root or twins_dir()) / twin_id / "config"


def is_built(twin_id: str, root: Path | None = None) -> bool:
    try:
        marker = json.loads(((root or twins_dir()) / twin_id / MARKER).read_text())
    except (OSError, ValueError):
        return False
    return marker.get("revision") == REVISION


def build_pipeline(twin_id: str):
    """The twin's pipeline in memory (float32, eval mode), before it is written."""
    twin = TWINS[twin_id]
    pipe = twin.build(twin.pipeline)
    for component in pipe.components.values():
        if hasattr(component, "eval") and hasattr(component, "training"):
            component.eval()
    return pipe


def build_twin(twin_id: str, root: Path | None = None, force: bool = False) -> Path:
    """Build a twin on disk (once; `force` rebuilds) and return where its weights are."""
    if twin_id not in TWINS:
        raise KeyError(f"no twin {twin_id!r}; twins: {', '.join(TWINS)}")
    root = root or twins_dir()
    final = root / twin_id
    if is_built(twin_id, root) and not force:
        return twin_path(twin_id, root)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{twin_id}-", dir=root))
    try:
        pipe = build_pipeline(twin_id)
        if TWINS[twin_id].layout == "single_file":
            _write_single_file(pipe, staging)
        else:
            pipe.save_pretrained(staging, safe_serialization=True)
        if TWINS[twin_id].extras:
            TWINS[twin_id].extras(pipe, staging)
        (staging / MARKER).write_text(json.dumps({"revision": REVISION, "pipeline": TWINS[twin_id].pipeline,
                                                   "seed": WEIGHTS_SEED}))
        old = None
        if final.exists():
            old = root / f".{twin_id}-old-{os.getpid()}"
            os.replace(final, old)
        os.replace(staging, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return twin_path(twin_id, root)


# -- LTX-Video's original single-file layout ----------------------------------------------------

# diffusers → original names, the inverse of diffusers' single-file conversion for LTX-Video
# (loaders/single_file_utils.py: convert_ltx_transformer/vae_checkpoint_to_diffusers). For this
# twin's VAE (no timestep conditioning, 0.9.0 block naming, which the converter picks for a VAE
# whose encoder is not 2048 channels wide) the decoder/encoder block renames are listed longest
# first, so "up_blocks.3.conv_in" is not caught by "up_blocks.3".
_TRANSFORMER_TO_ORIGINAL = (("proj_in", "patchify_proj"), ("time_embed", "adaln_single"),
                            ("norm_q", "q_norm"), ("norm_k", "k_norm"))
_VAE_BLOCKS_TO_ORIGINAL = (
    ("decoder.up_blocks.1.upsamplers.0", "decoder.up_blocks.2"), ("decoder.up_blocks.2.upsamplers.0", "decoder.up_blocks.5"),
    ("decoder.up_blocks.3.upsamplers.0", "decoder.up_blocks.8"), ("decoder.up_blocks.2.conv_in", "decoder.up_blocks.4"),
    ("decoder.up_blocks.3.conv_in", "decoder.up_blocks.7"), ("decoder.mid_block", "decoder.up_blocks.0"),
    ("decoder.up_blocks.0", "decoder.up_blocks.1"), ("decoder.up_blocks.1", "decoder.up_blocks.3"),
    ("decoder.up_blocks.2", "decoder.up_blocks.6"), ("decoder.up_blocks.3", "decoder.up_blocks.9"),
    ("encoder.down_blocks.0.downsamplers.0", "encoder.down_blocks.1"), ("encoder.down_blocks.0.conv_out", "encoder.down_blocks.2"),
    ("encoder.down_blocks.1.downsamplers.0", "encoder.down_blocks.4"), ("encoder.down_blocks.1.conv_out", "encoder.down_blocks.5"),
    ("encoder.down_blocks.2.downsamplers.0", "encoder.down_blocks.7"), ("encoder.mid_block", "encoder.down_blocks.9"),
    ("encoder.down_blocks.0", "encoder.down_blocks.0"), ("encoder.down_blocks.1", "encoder.down_blocks.3"),
    ("encoder.down_blocks.2", "encoder.down_blocks.6"), ("encoder.down_blocks.3", "encoder.down_blocks.8"),
)
_VAE_COMMON_TO_ORIGINAL = (("conv_shortcut.conv", "conv_shortcut"), ("resnets", "res_blocks"), ("norm3", "norm3.norm"),
                           ("latents_mean", "per_channel_statistics.mean-of-means"),
                           ("latents_std", "per_channel_statistics.std-of-means"))


def original_transformer_key(key: str) -> str:
    for new, old in _TRANSFORMER_TO_ORIGINAL:
        key = key.replace(new, old)
    return "model.diffusion_model." + key


def original_vae_key(key: str) -> str:
    for new, old in _VAE_BLOCKS_TO_ORIGINAL:
        if key.startswith(new + ".") or key == new:
            key = old + key[len(new):]
            break
    for new, old in _VAE_COMMON_TO_ORIGINAL:
        if new in key and old not in key:
            key = key.replace(new, old)
    return "vae." + key


def _write_single_file(pipe, folder: Path) -> None:
    """One checkpoint with the transformer and VAE under their original names, and the config
    folder (model_index, configs, text encoder and tokenizer) `from_single_file` reads beside it."""
    from safetensors.torch import save_file

    tensors = {original_transformer_key(k): v.contiguous() for k, v in pipe.transformer.state_dict().items()}
    tensors.update({original_vae_key(k): v.contiguous() for k, v in pipe.vae.state_dict().items()})
    save_file(tensors, str(folder / SINGLE_FILE_NAME), metadata={"format": "pt"})
    config = folder / "config"
    pipe.save_pretrained(config, safe_serialization=True)
    for name in ("transformer", "vae"):  # only their configs: their weights live in the single file
        for weights in (config / name).glob("*.safetensors"):
            weights.unlink()
