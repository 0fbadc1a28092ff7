"""The tiny Depth Anything twin: a random-weight `DepthAnythingForDepthEstimation` with the same
component layout as `depth-anything/Depth-Anything-V2-Small-hf` (a DINOv2 backbone, the DPT neck
and the relative-depth head), written as that download is laid out (config.json,
model.safetensors, preprocessor_config.json for `DPTImageProcessor`), so the depth path loads it
through the same code as the real checkpoint. Torch is imported inside the functions (engine only).
"""

from __future__ import annotations


SIZE = 56  # the processor's target side (a multiple of the 14-pixel patch); the real one is 518


def tiny_config():
    """Small but shaped like V2 Small: four backbone stages read out, reassembled at ×4, ×2, ×1, ×½."""
    from transformers import DepthAnythingConfig

    backbone = dict(model_type="dinov2", hidden_size=32, num_attention_heads=2, num_hidden_layers=4, mlp_ratio=2,
                    image_size=SIZE, patch_size=14, out_features=["stage1", "stage2", "stage3", "stage4"],
                    out_indices=[1, 2, 3, 4], reshape_hidden_states=False)
    return DepthAnythingConfig(backbone_config=backbone, fusion_hidden_size=16, head_hidden_size=8,
                               neck_hidden_sizes=[8, 16, 32, 32], reassemble_hidden_size=32, patch_size=14,
                               reassemble_factors=[4, 2, 1, 0.5])


def processor_settings(size: int) -> dict:
    """`DPTImageProcessor` as Depth Anything V2 ships it: aspect kept, sides multiples of 14,
    bicubic, ImageNet normalisation, no padding."""
    return {"do_resize": True, "size": {"height": size, "width": size}, "keep_aspect_ratio": True,
            "ensure_multiple_of": 14, "resample": 3, "do_rescale": True, "rescale_factor": 1 / 255,
            "do_normalize": True, "image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225],
            "do_pad": False, "image_processor_type": "DPTImageProcessor"}


def build(_pipeline: str = "DepthAnythingForDepthEstimation"):
    """The twin in memory, from the twins' fixed seed."""
    import torch
    from transformers import DepthAnythingForDepthEstimation

    from director.engine.twins import WEIGHTS_SEED, ModelDownload

    torch.manual_seed(WEIGHTS_SEED)
    model = DepthAnythingForDepthEstimation(tiny_config()).eval()
    return ModelDownload(model, {"preprocessor_config.json": processor_settings(SIZE)})
