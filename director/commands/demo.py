"""`director demo`: a small film made headlessly, end to end, with the tiny presets.

It writes scenes, shots, prompts and cameras; generates takes for every camera through the real
engine worker; reviews them (ratings, selects, a reject); cuts the shots on the timeline with angle
changes; scores it with a sound made here (a foghorn over the sea, imported like any WAV); and
exports the cut (MP4 with an AAC mix), a storyboard (PDF and PNG contact sheet), an OpenTimelineIO
edit, an EDL and the cost log. CI and a new user run exactly this.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from director.commands.common import ProgressBar, print_json
from director.commands.project import project_summary
from director.core.errors import Refused
from director.core.prompt import CameraSetup, PromptFields
from director.store import cameras, prompts, scenes, shots
from director.store.errors import ProjectLocked
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
DEMO_SEEDS = [1234, 5678]
# The previz of every camera (engine.previz): small, so the demo stays quick on a laptop's CPU.
PREVIZ_PARAMS = {"width": 384, "height": 256, "frames": 48, "fps": 24}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="make a demo film headlessly: shots, tiny-model takes, a multicam cut and its exports",
        description="Build demo.director in --out, generate takes with the tiny random-weight presets, "
        "review them, cut them with angle changes, and export the cut, storyboard, edit and cost log.",
    )
    p.add_argument("--out", default="demo-out", help="folder for the demo project and its exports (default demo-out)")
    p.add_argument("--variants", type=int, default=2, help="takes per camera (default 2)")
    p.add_argument("--no-generate", action="store_true", help="only write the shots, prompts and cameras")
    p.add_argument("--force", action="store_true", help="replace an earlier demo in --out (refused while it is open anywhere)")
    p.add_argument("--open", action="store_true", help="then open the window on the demo project (when there is a display)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_demo)


def build_demo_project(out: Path, *, force: bool = False) -> Project:
    """A fresh demo project in `out`. An existing one is replaced only with `force`, and only
    when no Director has it open (its lock is taken first), so a window's project never vanishes."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "demo.director"
    if path.exists():
        if not force:
            raise Refused(
                f"{path} already exists (it may hold your edits). Open it with 'director {path}', choose another "
                f"--out, or give --force to replace it."
            )
        _remove_closed_project(path)
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


def _remove_closed_project(path: Path) -> None:
    """Delete a project's file and journal while holding its lock: refused if it is open anywhere."""
    from director.store.lock import ProjectLock

    lock = ProjectLock(path)
    try:
        lock.acquire()
    except ProjectLocked as exc:
        raise Refused(f"{path} is open in another Director (pid {exc.pid}); close it there before replacing the demo") from None
    try:
        for old in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"), path):
            old.unlink(missing_ok=True)
    finally:
        lock.release()


def generate_takes(project: Project, variants: int, say) -> None:
    """Every camera of every shot, the same seeds for all cameras so their takes cut together."""
    from director.engine.actions import queue_generation
    from director.engine.runner import JobRunner

    job_ids: list[int] = []
    for shot in shots.list_shots(project):
        queued = queue_generation(project, shot.code, "tiny-t2v", all_cameras=True, variants=variants, seed_mode="list", seeds=DEMO_SEEDS[:variants] or [1])
        job_ids += queued.job_ids
    for shot in shots.list_shots(project):  # and the previz of every camera: framing a newcomer can see
        job_ids += queue_generation(project, shot.code, "previz", all_cameras=True, seed_mode="list", seeds=DEMO_SEEDS[:1],
                                    params=PREVIZ_PARAMS).job_ids
    bar = ProgressBar("Generating")
    done = [0]
    runner = JobRunner(project)
    try:
        say(f"generating {len(job_ids)} jobs in the engine worker: {variants} variant(s) per camera with tiny-t2v (random weights) "
            "and a previz (blocking render) of every camera…")

        def on_event(event) -> None:
            if type(event).__name__ in ("Finished", "Failed"):
                done[0] += 1
            bar.update(done[0], len(job_ids), f"job {event.job_id}")

        runner.run_until_idle(on_event)
    finally:
        bar.close()
        runner.close()


def review_takes(project: Project) -> None:
    """What a director would do: best take per camera selected and rated, a weak one rejected. The
    previz is picked where there is one: random weights draw noise, the previz each camera's framing,
    so the cut, the storyboard and the contact sheet show the blocking."""
    from director.core.enums import TakeFlag
    from director.store import takes

    for shot in shots.list_shots(project):
        for cam in cameras.list_cameras(project, shot.id):
            ts = takes.list_takes(project, shot.id, camera_id=cam.id, sort="oldest")
            if not ts:
                continue
            pick = next((t for t in ts if t.preset == "previz"), ts[0])
            takes.set_take_fields(project, pick.id, rating=4, flag=TakeFlag.SELECTED, notes="demo pick")
            rest = [t for t in ts if t.id != pick.id]
            for n, other in enumerate(rest):
                if n == 0 and pick.preset == "previz":
                    takes.set_take_fields(project, other.id, rating=3)  # the model's take, kept beside it
                else:
                    takes.set_take_fields(project, other.id, rating=2, flag=TakeFlag.REJECTED)


def cut_demo(project: Project) -> None:
    """Every shot on the timeline in order, cutting from camera A to B halfway through each."""
    from director.store import timeline

    for shot in shots.list_shots(project):
        timeline.insert_shot(project, shot.id).apply(project)
    for clip_start, clip_len in timeline_clip_spans(project):
        timeline.cut_to_camera(project, clip_start + clip_len // 2, name="B").apply(project)


def write_demo_sound(path: Path, seconds: float) -> Path:
    """A foghorn over the sea, made from code: seeded noise with a slow swell, and a low horn."""
    import numpy as np

    from director.store.audio_media import write_wav

    n = int(seconds * 48000)
    t = np.arange(n) / 48000
    rng = np.random.default_rng(1234)
    sea = np.convolve(rng.standard_normal(n), np.ones(48) / 48, mode="same") * (0.5 + 0.5 * np.sin(2 * np.pi * t / 3.0)) * 0.5
    horn = 0.25 * np.sin(2 * np.pi * 110 * t) * np.clip(np.sin(np.pi * t / max(seconds, 1e-3)), 0, 1)
    left, right = sea + horn, np.roll(sea, 480) + horn
    write_wav(path, np.stack([left, right], axis=1).astype(np.float32))
    return path


def score_demo(project: Project, out: Path) -> None:
    """The demo's sound: a WAV written here, imported into the bin and placed under the whole cut."""
    from director.core.audio import frame_to_sample
    from director.store import audio
    from director.store import timeline

    tl = timeline.load_timeline(project)
    seconds = float(tl.rate.seconds(tl.duration)) or 1.0
    source = write_demo_sound(out / "foghorn.wav", seconds)
    sound, _ = audio.import_audio(project, source, "Foghorn and sea")
    audio.add_clip(project, tl.id, sound, frame_to_sample(0, tl.rate), gain_db=-3).apply(project)


def timeline_clip_spans(project: Project) -> list[tuple[int, int]]:
    """(start, duration) of each clip on the first track."""
    from director.core.timeline import Clip
    from director.store import timeline

    track = timeline.load_timeline(project).tracks[0]
    return [(start, item.duration) for start, item in zip(track.starts(), track.items) if isinstance(item, Clip)]


def export_all(project: Project, out: Path, say) -> dict[str, str]:
    from director.commands.export import project_cut
    from director.export.contact_sheet import render_contact_sheet
    from director.export.costs import build_report
    from director.export.interchange import export_interchange
    from director.export.mp4 import Mp4Options, export_cut_mp4
    from director.export.storyboard import build_storyboard
    from director.export.storyboard_pdf import render_storyboard_pdf
    from director.export.takeinfo import take_infos

    from director.export.audio_mix import render_mix
    from director.store import audio
    from director.store.timeline import default_timeline_id

    exports = out / "exports"
    exports.mkdir(exist_ok=True)
    cut = project_cut(project)
    written: dict[str, str] = {}
    say("exporting the cut, storyboard, edit and cost log…")
    plan = audio.mix_plan(project, default_timeline_id(project), cut)
    sound_takes = frozenset(audio.take_sound(project, [s.take_id for s in cut.segments]))
    result = export_cut_mp4(cut, project.media, exports / "cut.mp4", Mp4Options(burn_in=True, sound_takes=sound_takes), audio=render_mix(plan, project.media))
    written["cut"] = str(result.path)
    board = build_storyboard(project, "cut", cut)
    render_storyboard_pdf(board, project.media, exports / "storyboard.pdf", panels_per_page=6)
    written["storyboard"] = str(exports / "storyboard.pdf")
    render_contact_sheet(board, project.media, exports / "contact_sheet.png", sound_takes=sound_takes)
    written["contact_sheet"] = str(exports / "contact_sheet.png")
    infos = take_infos(project, [s.take_id for s in cut.segments if s.take_id is not None])
    for fmt, name in (("otio", "cut.otio"), ("edl", "cut.edl")):
        export_interchange(cut, infos, project.media, exports / name, fmt, name=project.settings().name, sound=plan)
        written[fmt] = str(exports / name)
    build_report(project, "costs").write(exports / "costs.csv", "csv")
    written["costs"] = str(exports / "costs.csv")
    return written


def cmd_demo(args) -> int:
    quiet = args.json
    say = (lambda text: None) if quiet else (lambda text: print(text, flush=True))
    out = Path(args.out).absolute()
    screen = args.open and has_display()  # decided before anything sets a Qt platform
    started = time.perf_counter()
    existing = out / "demo.director"
    if args.open and existing.exists() and not args.force:
        # Running the README's command again opens the demo you already have (and your edits to it).
        print(f"{existing} already exists: opening it (give --force to build a fresh demo)")
        if not screen:
            print("no display here (headless): the window was not opened")
            return 0
        from director.ui.app import run_app

        return run_app(str(existing))
    project = build_demo_project(out, force=args.force)
    try:
        say(f"demo project: {project.path}")
        written: dict[str, str] = {}
        if not args.no_generate:
            generate_takes(project, max(1, args.variants), say)
            review_takes(project)
            cut_demo(project)
            score_demo(project, out)
            written = export_all(project, out, say)
        summary = project_summary(project) | {"exports": written, "seconds": round(time.perf_counter() - started, 1)}
    finally:
        project.close()
    if args.json:
        print_json(summary)
        return 0
    jobs = ", ".join(f"{n} {s}" for s, n in sorted(summary["jobs"].items())) or "none"
    print(f"  {summary['scenes']} scenes, {summary['shots']} shots, {summary['cameras']} cameras, {summary['prompt_versions']} prompts")
    print(f"  {summary['takes']} takes; jobs: {jobs}; {summary['gpu_seconds']} GPU s = {summary['money']} {summary['currency']}")
    for kind, path in written.items():
        print(f"  {kind:<13} {path}")
    print(f"done in {summary['seconds']} s. Open it in the window: director {project.path}")
    code = 0 if "failed" not in summary["jobs"] else 1
    if args.open:
        if not screen:
            print("no display here (headless): the window was not opened")
            return code
        from director.ui.app import run_app

        return run_app(str(project.path)) or code
    return code


def has_display() -> bool:
    """A screen the window can appear on. Qt's offscreen and minimal platforms are not one: a window
    there is invisible and would wait forever for a user to close it."""
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform in ("offscreen", "minimal"):
        return False
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
