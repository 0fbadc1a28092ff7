"""The SAM 2 processor the worker uses (#19 part B): with torchvision it is transformers' own
Sam2VideoProcessor; without it (no CPU build for every torch), frames are resized and normalised
with the checkpoint's settings and prompts go through Sam2VideoProcessor's own methods. Both are
checked against what the checkpoint's files say, and against each other where torchvision imports."""

from __future__ import annotations


import numpy as np
import pytest
import torch


from tests.engine.roto_fixtures import moving_square  # noqa: E402
from tests.engine.twin_cache import built  # noqa: E402

from director.engine.segment import processor_settings, torch_processor  # noqa: E402
from director.engine.segment_twin import IMAGENET_MEAN, IMAGENET_STD, SIZE  # noqa: E402


@pytest.fixture
def folder():
    from director.engine.twins import twin_path

    built("tiny-sam2")
    return twin_path("tiny-sam2")


def test_the_checkpoints_processor_files_set_size_mean_and_std(folder):
    s = processor_settings(folder)
    assert s["size"] == (SIZE, SIZE) and s["target_size"] == SIZE and s["point_pad_value"] == -10
    assert s["mean"] == IMAGENET_MEAN and s["std"] == IMAGENET_STD


def test_frames_are_normalised_and_prompts_scaled_to_the_model_size(folder):
    proc = torch_processor(folder)
    video = np.full((3, 48, 80, 3), 128, np.uint8)
    session = proc.init_video_session(video=video, inference_device="cpu", dtype=torch.float32)
    assert (session.num_frames, session.video_height, session.video_width) == (3, 48, 80)
    pixels = session.get_frame(1)
    assert tuple(pixels.shape) == (3, SIZE, SIZE)
    want = (128 / 255 - torch.tensor(IMAGENET_MEAN)) / torch.tensor(IMAGENET_STD)
    assert torch.allclose(pixels.mean(dim=(1, 2)), want, atol=1e-4)
    proc.add_inputs_to_inference_session(inference_session=session, frame_idx=1, obj_ids=5,
                                         input_points=[[[[40.0, 24.0], [80.0, 0.0]]]], input_labels=[[[1, 0]]])
    point = session.point_inputs_per_obj[session.obj_id_to_idx(5)][1]
    assert point["point_coords"].reshape(-1, 2).tolist() == [[32.0, 32.0], [64.0, 0.0]]  # ×64/80, ×64/48
    assert point["point_labels"].reshape(-1).tolist() == [1, 0]
    masks = proc.post_process_masks([torch.zeros(1, 1, 16, 16)], original_sizes=[[48, 80]], binarize=False)
    assert tuple(masks[0].shape) == (1, 1, 48, 80)


def test_the_torch_processor_matches_transformers_own_where_torchvision_imports(folder):
    try:
        import torchvision  # noqa: F401
    except Exception as exc:  # a machine limit: no torchvision build for this torch
        pytest.skip(f"torchvision cannot be imported here ({type(exc).__name__}); transformers' processor needs it")
    from transformers import Sam2VideoProcessor

    real = Sam2VideoProcessor.from_pretrained(str(folder), local_files_only=True)
    ours = torch_processor(folder)
    video = moving_square()
    a = real.init_video_session(video=video, inference_device="cpu", dtype=torch.float32)
    b = ours.init_video_session(video=video, inference_device="cpu", dtype=torch.float32)
    assert (a.video_height, a.video_width) == (b.video_height, b.video_width)
    assert torch.allclose(a.get_frame(4), b.get_frame(4), atol=0.05)


def test_a_prompt_past_the_files_last_frame_is_refused_before_sam2_runs(folder):
    from transformers import Sam2VideoModel

    from director.core.errors import InvalidInput
    from director.engine.segment import segment

    model = Sam2VideoModel.from_pretrained(str(folder), local_files_only=True, use_safetensors=True).eval()
    objects = [{"id": 1, "name": "car", "prompts": [{"kind": "positive", "frame": 5, "x0": 3.0, "y0": 4.0}]}]
    with pytest.raises(InvalidInput, match="frame 5, but the take's file has 3 frames"):
        segment(model, torch_processor(folder), moving_square(3), objects, "cpu")
