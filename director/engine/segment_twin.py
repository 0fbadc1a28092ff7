"""The tiny SAM 2 twin: a random-weight `Sam2VideoModel` from a small `Sam2VideoConfig`, written in
the layout a `facebook/sam2.1-hiera-*` download has (config.json, model.safetensors and the
processor's JSON files), so `director models pull tiny-sam2` and the segment path in the worker
load it exactly as they load the real checkpoint. Registered in `engine.twins.TWINS`, whose
`build_twin` writes it into a temporary folder and renames it into place. Torch is imported
inside the functions (engine only).
"""

from __future__ import annotations


SIZE = 64  # the model's square input; real SAM 2 checkpoints use 1024
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def tiny_config():
    """A Sam2VideoConfig whose every part is small but consistent: a four-stage Hiera backbone on
    64×64 inputs (global attention in stage three's second block: a pooling block cannot be
    global), FPN width 128 (the object pointer must split into 64-channel memory tokens, and the
    memory attention hard-codes 64 as its key width), one memory-attention layer, three memory slots."""
    from transformers import Sam2VideoConfig

    cells = [[SIZE // 4, SIZE // 4], [SIZE // 8, SIZE // 8], [SIZE // 16, SIZE // 16]]
    backbone = dict(model_type="sam2_hiera_det_model", hidden_size=8, num_attention_heads=1, image_size=[SIZE, SIZE],
                    blocks_per_stage=[1, 1, 2, 1], embed_dim_per_stage=[8, 16, 32, 64],
                    num_attention_heads_per_stage=[1, 1, 1, 1], window_size_per_stage=[4, 4, 2, 2],
                    global_attention_blocks=[3], window_positional_embedding_background_size=[2, 2])
    vision = dict(model_type="sam2_vision_model", backbone_config=backbone, backbone_channel_list=[64, 32, 16, 8],
                  backbone_feature_sizes=cells, fpn_hidden_size=128)
    return Sam2VideoConfig(
        vision_config=vision,
        prompt_encoder_config=dict(hidden_size=128, image_size=SIZE, patch_size=16, mask_input_channels=4),
        mask_decoder_config=dict(hidden_size=128, mlp_dim=64, num_attention_heads=2, iou_head_hidden_dim=32),
        image_size=SIZE, num_maskmem=3, memory_attention_hidden_size=128, memory_attention_num_layers=1,
        memory_attention_feed_forward_hidden_size=64, memory_attention_rope_feat_sizes=[SIZE // 16, SIZE // 16],
        memory_encoder_hidden_size=128, memory_encoder_output_channels=64, mask_downsampler_embed_dim=128,
        memory_fuser_embed_dim=128, memory_fuser_intermediate_dim=64, max_object_pointers_in_encoder=4,
        # Wider than the default 0.02, so the random masks answer each click: at 0.02 every mask
        # logit sits near 0 and a negative click moves no pixel of the uint8 matte.
        initializer_range=0.2,
    )


def processor_files(size: int) -> dict[str, dict]:
    """The processor's JSON files as a SAM 2.1 checkpoint ships them (image and video processor
    settings and the processor class), for an input of `size`×`size`."""
    square = {"height": size, "width": size}
    common = {"do_resize": True, "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
              "do_convert_rgb": True, "image_mean": IMAGENET_MEAN, "image_std": IMAGENET_STD, "size": square,
              "resample": 2, "processor_class": "Sam2VideoProcessor"}
    return {
        "preprocessor_config.json": {**common, "image_processor_type": "Sam2ImageProcessorFast",
                                     "mask_size": {"height": size // 4, "width": size // 4}},
        "video_preprocessor_config.json": {**common, "video_processor_type": "Sam2VideoVideoProcessor"},
        "processor_config.json": {"processor_class": "Sam2VideoProcessor", "target_size": size, "point_pad_value": -10},
    }


def build(_pipeline: str = "Sam2VideoModel"):
    """The twin in memory, from the twins' fixed seed."""
    import torch
    from transformers import Sam2VideoModel

    from director.engine.twins import WEIGHTS_SEED, ModelDownload

    torch.manual_seed(WEIGHTS_SEED)
    model = Sam2VideoModel(tiny_config()).eval()
    return ModelDownload(model, processor_files(model.config.image_size))
