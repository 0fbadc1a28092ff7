"""Queueing a job guided by a control video, shared by `director control render` and the window's
Generate ▸ With Control Video…, so both record the same recipe.

The work is split where the window needs it: `guide_source` reads the take row or checks the file
(cheap, any thread that owns the connection); `prepare_guide` decodes the source, makes the guide
(`control.make_guide`) and stores it as a content-addressed MP4, writing no row, so the window runs
it on a pool thread; `queue_controlled` then gathers the references and queues the jobs (rows) on
the writer's thread. `control_render` is the whole path as the command line runs it.

With a depth-model preset (`depth_model`) the worker makes the depth from the source frames, so
the guide stored here is the source as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from director.core.errors import InvalidInput
from director.engine import control
from director.engine.actions import Queued
from director.engine.presets import get_preset
from director.store.project import Project

FILE_FPS = Fraction(24)  # a file's guide is stored at 24 fps; VACE reads its frames, not its rate


@dataclass(frozen=True)
class GuideSource:
    """Where a guide's frames come from: a file on disk, its rate, and what the recipe calls it."""

    path: Path
    fps: Fraction
    origin: str  # "take:ID" or "file:NAME"


@dataclass(frozen=True)
class PreparedGuide:
    """A guide in the media store, ready to be named by a recipe."""

    media_path: str
    mode: str
    source: str
    depth_model: str | None = None


def guide_source(project: Project, *, take_id: int | None = None, video: str | Path | None = None) -> GuideSource:
    """The take's media or the video file a guide is made from (a row read or a file check)."""
    from director.store.takes import get_take

    if (take_id is None) == (video is None):
        raise InvalidInput("a control video comes from a take or a video file; give exactly one")
    if take_id is not None:
        take = get_take(project, take_id)
        return GuideSource(project.media.path(take.media_path), Fraction(take.rate.num, take.rate.den), f"take:{take.id}")
    path = Path(video).expanduser()
    if not path.is_file():
        raise InvalidInput(f"no video file at {path}")
    return GuideSource(path, FILE_FPS, f"file:{path.name}")


def check_depth_model(depth_model: str, mode: str, prepared: bool) -> None:
    """A depth-model preset goes with the depth mode and a source that is not already a guide;
    checked before the source is decoded (`control.recipe_control` checks the preset again)."""
    from director.engine.depth_model import depth_preset

    if mode != "depth":
        raise InvalidInput(f"a depth model makes depth guides; it goes with the depth mode, not {mode}")
    if prepared:
        raise InvalidInput("a prepared video already is the depth guide, so no depth model is needed; "
                           "leave out one of the two")
    depth_preset(depth_model)


def prepare_guide(project: Project, source: GuideSource, *, mode: str, prepared: bool = False,
                  depth_model: str | None = None) -> PreparedGuide:
    """Decode the source, make the guide and store it (media only, no rows): safe off the UI thread."""
    from director.engine.media_out import read_frames

    if depth_model is not None:
        check_depth_model(depth_model, mode, prepared)
    frames = read_frames(source.path)
    # With a depth model the worker makes the depth, so the source frames go as they are.
    guide = control.make_guide(frames, mode, prepared or depth_model is not None)
    return PreparedGuide(control.store_guide(project, guide, source.fps), mode, source.origin, depth_model)


def import_references(project: Project, files) -> tuple[str, ...]:
    """Reference image files copied into the media store (media only, no rows); their paths."""
    from director.engine.keyframe_sources import still_from_file

    return tuple(still_from_file(project, f).media_path for f in files)


def cast_references(project: Project, names) -> tuple[str, ...]:
    """Every reference image of the named cast members, in the order named."""
    from director.store.script import list_cast

    cast = {c.name.lower(): c for c in list_cast(project)}
    found: list[str] = []
    for name in names:
        member = cast.get(name.lower())
        if member is None:
            raise InvalidInput(f"no cast member called {name!r}; 'director cast list' shows them")
        if not member.images:
            raise InvalidInput(f"{member.name} has no reference images yet")
        found += list(member.images)
    return tuple(found)


def queue_controlled(project: Project, guide: PreparedGuide, shot_code: str, preset_id: str, *, strength: float = 1.0,
                     references=(), cast=(), with_keyframes: bool = False, **queue_args) -> Queued:
    """Queue the shot's jobs guided by a prepared guide, with `references` (media paths already in
    the store) and then the named `cast` members' images; refused with the reason, and nothing
    queued, when the family takes no control, a member has no images or the budget would be passed."""
    from director.engine.steered_jobs import queue_steered

    why = control.takes_control(get_preset(preset_id))
    if why:
        raise InvalidInput(why)
    control.check_strength(strength)
    chosen = tuple(references) + cast_references(project, cast)
    spec = control.recipe_control(project, video=guide.media_path, mode=guide.mode, strength=strength,
                                  references=chosen, source=guide.source, depth_model=guide.depth_model)
    return queue_steered(project, shot_code, preset_id, keyframes=with_keyframes, control_spec=spec, **queue_args)


def control_render(project: Project, shot_code: str, preset_id: str, *, take_id: int | None = None,
                   video: str | Path | None = None, mode: str, prepared: bool = False, strength: float = 1.0,
                   reference_files=(), cast=(), with_keyframes: bool = False, depth_model: str | None = None,
                   **queue_args) -> Queued:
    """`director control render`: everything in one go. With neither reference files nor cast
    named, the references are the cast the shot uses (Cast panel, 'director cast use')."""
    from director.store.cast import reference_images
    from director.store.shots import find_shot

    why = control.takes_control(get_preset(preset_id))
    if why:  # before any guide is made or stored
        raise InvalidInput(why)
    control.check_strength(strength)
    source = guide_source(project, take_id=take_id, video=video)
    guide = prepare_guide(project, source, mode=mode, prepared=prepared, depth_model=depth_model)
    stored = import_references(project, reference_files)
    if not reference_files and not cast:
        stored = tuple(reference_images(project, find_shot(project, shot_code).id))
    return queue_controlled(project, guide, shot_code, preset_id, strength=strength, references=stored, cast=cast,
                            with_keyframes=with_keyframes, **queue_args)
