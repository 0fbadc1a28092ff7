"""What a previz job renders, recorded in its recipe when it is queued (app side): the shot's
scene and the job's camera as they stand now, and the room that holds every camera of the shot.
A later blocking or prompt edit changes no past previz take; a re-render reads the same spec."""

from __future__ import annotations

import math

from director.core.blocking import CameraPlan, Scene, camera_pose
from director.core.errors import InvalidInput
from director.core.prompt import PromptFields
from director.store.blocking import shot_blocking
from director.store.project import Project

SPEC_VERSION = 1
ROOM_MIN = (10.0, 3.2, 10.0)  # width, height, depth of the smallest room
ROOM_MARGIN = 1.5


def fit_room(scene: Scene, cameras: list[CameraPlan], width: int, height: int) -> tuple[float, float, float, float, float] | None:
    """An interior's walls (x0, x1, z0, z1, ceiling): around every figure and every camera over
    its whole move, so no camera of the shot looks at the back of a wall; None outdoors."""
    if not scene.setting.interior:
        return None
    xs = [f.at.x + s * max(f.stand_in.width, f.stand_in.depth) for f in scene.figures for s in (-1, 1)]
    zs = [f.at.z + s * max(f.stand_in.width, f.stand_in.depth) for f in scene.figures for s in (-1, 1)]
    ys = [f.stand_in.height for f in scene.figures]
    for cam in cameras:
        for t in (0.0, 0.25, 0.5, 0.75, 1.0):
            pose = camera_pose(scene, cam, t, width=width, height=height)
            xs.append(pose.eye[0])
            zs.append(pose.eye[2])
            ys.append(pose.eye[1])
    cx, cz = (min(xs) + max(xs)) / 2, (min(zs) + max(zs)) / 2
    half_w = max(ROOM_MIN[0] / 2, (max(xs) - min(xs)) / 2 + ROOM_MARGIN)
    half_d = max(ROOM_MIN[2] / 2, (max(zs) - min(zs)) / 2 + ROOM_MARGIN)
    top = max(ROOM_MIN[1], max(ys) + 0.8)
    return (round(cx - half_w, 4), round(cx + half_w, 4), round(cz - half_d, 4), round(cz + half_d, 4), round(top, 4))


def previz_spec(project: Project, shot_id: int, fields: PromptFields, camera_name: str | None, width: int, height: int) -> dict:
    """The recipe's `scene`: the shot's scene, this camera (the first when None) and the room."""
    scene, cameras = shot_blocking(project, shot_id, fields)
    if not cameras:
        raise InvalidInput("a previz needs a camera: the shot has none (director camera add …)")
    chosen = next((c for c in cameras if c.name == camera_name), None) if camera_name else cameras[0]
    if chosen is None:
        raise InvalidInput(f"the shot has no camera {camera_name!r}")
    room = fit_room(scene, cameras, width, height)
    return {"version": SPEC_VERSION, "scene": scene.to_dict(), "camera": chosen.to_dict(),
            "cameras": [c.name for c in cameras], "room": list(room) if room else None}


def read_spec(spec: dict) -> tuple[Scene, CameraPlan, tuple | None]:
    """(scene, camera, room) from a recorded spec; refused with the reason when it is not one."""
    if not isinstance(spec, dict) or spec.get("version") != SPEC_VERSION:
        raise InvalidInput("this previz job's recipe has no scene (or one from another Director); queue it again")
    room = spec.get("room")
    if room is not None and (len(room) != 5 or not all(math.isfinite(float(v)) for v in room)):
        raise InvalidInput(f"the previz room {room!r} is not five finite numbers")
    return Scene.from_dict(spec["scene"]), CameraPlan.from_dict(spec["camera"]), tuple(room) if room else None


def scene_for(project: Project, preset, params: dict, prompt_id: int | None, camera_name: str) -> dict:
    """A recipe's `scene` when the preset is the previz ({} for every other preset): the words of
    the job's own prompt version, and the blocking and cameras as they stand now."""
    if getattr(preset, "kind", "") != "previz":
        return {}
    from director.store.prompts import get_prompt

    if prompt_id is None:
        raise InvalidInput("a previz needs the shot's prompt: its subjects, setting and light come from it")
    prompt = get_prompt(project, prompt_id)
    return previz_spec(project, prompt.shot_id, prompt.fields, camera_name or None, int(params["width"]), int(params["height"]))
