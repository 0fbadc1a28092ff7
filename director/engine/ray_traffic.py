"""What a job on a Ray cluster sends off this machine, what comes back, and what stays there.

One table, read by `director engine check` and mirrored in docs/ray.md. It is keyed by the
fields of `messages.JobRequest` (what `RayEngineClient._start` hands the actor, pickled by Ray,
plus the bytes of `init_image`), so a new request field without a line here fails
tests/engine/test_ray_auth.py rather than leaving the list silently incomplete.
"""

from __future__ import annotations

# JobRequest field → what leaves this machine for it.
SENT: dict[str, str] = {
    "prompt": "the prompt text sent to the model (the shot prompt composed with the camera's setup)",
    "negative": "the negative prompt",
    "params": "every generation parameter: size, frames, fps, steps, guidance, strength and the like",
    "seeds": "the seeds",
    "preset": "the preset: model id or the path of local weights on this machine (the weights themselves are never sent; "
              "each cluster machine loads or downloads its own), pipeline class, defaults and memory options",
    "init_image": "the input image or clip of an image-to-video or extend job: the whole file's bytes, and its file name",
    "init_frame": "which frame of that clip to start from",
    "keyframes": "keyframes: the frame numbers and the stills' paths on this machine (the stills' files are not sent)",
    "loras": "LoRAs: adapter names, strengths and the .safetensors paths on this machine (the LoRA files are not sent)",
    "control": "control: the guide video's and reference images' paths on this machine (the files are not sent), and the depth model preset that makes its depth there",
    "audio": "audio to video: the driving sound's name, its path on this machine and where the clip starts in it "
             "(the sound's file is not sent)",
    "speed": "the speed options asked for",
    "quality": "the encoder quality (draft or final)",
    "allow_download": "whether the cluster machine may download weights from the model hub",
    "job_id": "the job's number",
    "media_root": "the path of this project's media folder (text only; the actor writes into its own scratch folder)",
    "segment": "a roto (SAM 2) job: the take's whole video file as bytes, and its roto objects' names, points, boxes and frames",
    "scene": "a previz job: the blocking scene as its recipe recorded it (the prompt's subjects and setting, placements, "
             "the camera's shot size, angle, lens and movement)",
}

SENT_ALSO = (
    "the worker settings: memory budget and torch threads",
    "Director's code is not sent: every cluster machine runs its own installed Director",
)

RETURNED = (
    "progress events: step counts, elapsed and device seconds",
    "each take's file (video or image) and its JPEG thumbnail, as bytes, written into this project's media folder here",
    "a previz take's depth and layout videos, and a roto job's mattes, as bytes, written into the media folder here",
    "each take's facts: variant, seed, size, frames, frame rate and the worker's extra notes",
    "run facts: device, dtype, pipeline and scheduler, weights fingerprint, options, library versions, encoder",
    "metering: the machine's host name, Ray node id, GPU type, actor process id, seconds, peak memory, energy",
    "on failure: the error's kind and message",
)

KEPT_ON_CLUSTER = (
    "nothing: an actor writes a job's files into its own scratch folder and deletes them when the job ends; an actor "
    "that was killed mid-job leaves its folder to the next actor started on that machine, which deletes it. Ray's "
    "object store holds the bytes in memory only until this machine has read them. So purging a take has no copy "
    "on the cluster to remove."
)


def sent_lines() -> list[str]:
    return list(SENT.values()) + list(SENT_ALSO)
