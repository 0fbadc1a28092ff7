"""`director demo`: build a small film project headlessly, for trying Director and for CI."""

from __future__ import annotations

import argparse
from pathlib import Path

from director.commands.common import print_json
from director.commands.project import project_summary
from director.core.prompt import CameraSetup, PromptFields
from director.store import cameras, prompts, scenes, shots
from director.store.project import Project

DEMO_SHOTS = [
    ("1", "EXT. LIGHTHOUSE - DUSK", [
        ("1A", "Keeper climbs", PromptFields(subject="an old lighthouse keeper in a yellow oilskin", action="climbs the spiral stairs", setting="inside a stone lighthouse at dusk", lighting="warm lantern light", look="35mm film, fine grain")),
        ("1B", "The lamp", PromptFields(subject="a huge fresnel lighthouse lamp", action="starts to turn", setting="lamp room above a stormy sea", lighting="blue dusk, lamp flare", look="35mm film, fine grain")),
    ]),
    ("2", "EXT. CLIFF - NIGHT", [
        ("2A", "The ship", PromptFields(subject="a small fishing boat", action="fights through high waves", setting="stormy sea at night", lighting="lightning, sweeping lighthouse beam", look="35mm film, fine grain", negative="text, watermark")),
    ]),
]
CAMERAS = {
    "A": CameraSetup(shot_size="wide shot", angle="eye level", movement="slow push in", lens="35mm"),
    "B": CameraSetup(shot_size="close-up", angle="low angle", movement="static", lens="85mm"),
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="build a demo project headlessly (scenes, shots, prompts, cameras…)")
    p.add_argument("--out", default="demo-out", help="folder for the demo project and its exports (default demo-out)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_demo)


def build_demo_project(out: Path) -> Project:
    """A fresh demo project in `out` (replacing an earlier demo there)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "demo.director"
    for old in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if old.exists():
            old.unlink()
    project = Project.create(path, name="The Lighthouse (demo)", fps="24", width=768, height=512)
    for scene_code, scene_title, shot_defs in DEMO_SHOTS:
        scene, _ = scenes.add_scene(project, scene_code, scene_title)
        for code, title, fields in shot_defs:
            shot, _ = shots.add_shot(project, code, title, scene_id=scene.id, target_frames=48)
            prompts.write_prompt(project, shot.id, fields)
            a = cameras.find_camera(project, shot.id, "A")
            cameras.update_camera(project, a.id, setup=CAMERAS["A"])
            cameras.add_camera(project, shot.id, "B", CAMERAS["B"])
    return project


def cmd_demo(args) -> int:
    project = build_demo_project(Path(args.out))
    try:
        summary = project_summary(project)
    finally:
        project.close()
    if args.json:
        print_json(summary)
    else:
        print(f"demo project: {summary['path']}")
        print(f"  {summary['scenes']} scenes, {summary['shots']} shots, {summary['cameras']} cameras, {summary['prompt_versions']} prompts")
    return 0
