"""`director generate` and `director take promote|extend|rerender|i2v`: queue generation and,
unless --no-wait, run it here with a progress bar (Ctrl-C cancels and records the job cancelled).

`--engine` (or DIRECTOR_ENGINE) runs the jobs on a Ray cluster instead of this machine's worker;
the cluster is connected before anything is queued, so an unreachable one exits 1 with nothing
queued. A cluster runs as many jobs at once as it has actors."""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import contextmanager
from typing import Iterator

from director.commands.common import ProgressBar, add_json_arg, add_project_arg, open_project, parse_size, print_json
from director.core.errors import DirectorError
from director.core.eta import JobClock
from director.engine import actions
from director.engine.client import EngineClient
from director.engine.engine_choice import add_engine_arg, engine_args, make_engine_client
from director.engine.messages import Progress, Started
from director.store import jobs as store_jobs
from director.store import takes as store_takes
from director.store.budget import preview_job

CONNECT_TIMEOUT_S = 60.0


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--steps", type=int)
    p.add_argument("--guidance", type=float)
    p.add_argument("--size", help="WxH, e.g. 768x512")
    p.add_argument("--frames", type=int)
    p.add_argument("--fps", type=float)
    p.add_argument("--negative", help="negative prompt (default: the shot prompt's)")
    p.add_argument("--no-wait", action="store_true", help="queue only; run later with 'director queue run'")
    add_engine_arg(p)
    add_json_arg(p)


def _add_seed_options(p: argparse.ArgumentParser, variants: int = 1) -> None:
    p.add_argument("--variants", type=int, default=variants, help="takes per camera, one seed each")
    p.add_argument("--seed", type=int, action="append", default=[], help="a seed (repeat for a list)")
    p.add_argument("--seed-mode", choices=["random", "fixed", "list"], help="default: random, or fixed/list when --seed is given")


def _take_subparsers(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The `take` verb is shared with the review verbs (rate, note…) registered elsewhere."""
    parser = sub.choices.get("take")
    if parser is None:
        return sub.add_parser("take", help="work on a take").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    # argparse has no public way to reach an existing parser's subcommands.
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("generate", help="queue takes of a shot and run them",
                       description="Queue N variants per camera of a shot with a preset, then run them here.")
    add_project_arg(p)
    p.add_argument("--shot", required=True, help="shot code, e.g. 12A")
    p.add_argument("--camera", action="append", help="camera name (repeat; default: the first camera)")
    p.add_argument("--all-cameras", action="store_true", help="one job per camera of the shot, sharing seeds")
    p.add_argument("--preset", required=True, help="model preset (see: director models list)")
    _add_seed_options(p, variants=4)
    p.add_argument("--dry-run", action="store_true", help="validate and print the request; queue nothing")
    p.add_argument("--audio", metavar="SOUND", help="a sound from the bin drives the picture (audio to video; LTX-2 text-to-video presets)")
    p.add_argument("--audio-from", type=float, default=0.0, metavar="SECONDS", help="where in the sound the clip starts (default 0)")
    _add_run_options(p)
    p.set_defaults(func=cmd_generate)

    take = _take_subparsers(sub)
    p = take.add_parser("promote", help="final render of a draft take: same seed and prompt, final size/steps")
    add_project_arg(p)
    p.add_argument("take_id", type=int, metavar="TAKE_ID")
    p.add_argument("--preset", help="final preset (default: the same preset at twice the size and steps)")
    _add_run_options(p)
    p.set_defaults(func=cmd_promote)

    p = take.add_parser("extend", help="a new clip continuing from a clip's last frame")
    add_project_arg(p)
    p.add_argument("take_id", type=int, metavar="TAKE_ID")
    p.add_argument("--preset", help="image-to-video preset (default: tiny-i2v for tiny takes, else ltx-condition)")
    _add_seed_options(p)
    _add_run_options(p)
    p.set_defaults(func=cmd_extend)

    p = take.add_parser("rerender", help="render a take again from its recorded recipe and say whether it is bit-identical",
                        description="Queue the take's recorded recipe again (its prompt text as recorded, never recomposed "
                                    "from the camera as it is now) and, once it ran, say whether the new take is bit-identical "
                                    "or what differs between the two runs (device, dtype, options, library versions).")
    add_project_arg(p)
    p.add_argument("take_id", type=int, metavar="TAKE_ID")
    p.add_argument("--no-wait", action="store_true")
    add_engine_arg(p)
    add_json_arg(p)
    p.set_defaults(func=cmd_rerender)

    p = take.add_parser("more", help="more like this: variations around a take (neighbouring seeds, optional wordings)",
                        description="Replay the take's recorded recipe with neighbouring seeds, once per wording. "
                        "Without --wording the recorded text is used; --suggest prints wordings to edit and pass back.")
    add_project_arg(p)
    p.add_argument("take_id", type=int, metavar="TAKE")
    p.add_argument("--variants", type=int, default=4, help="neighbouring seeds per wording (default 4)")
    p.add_argument("--wording", action="append", default=[], help="a prompt text to try (repeat to add)")
    p.add_argument("--suggest", action="store_true", help="print suggested wordings and queue nothing")
    p.add_argument("--no-wait", action="store_true", help="queue only; run later with 'director queue run'")
    add_engine_arg(p)
    add_json_arg(p)
    p.set_defaults(func=cmd_more)

    p = take.add_parser("i2v", help="animate a still take or an image file")
    add_project_arg(p)
    p.add_argument("take_id", type=int, nargs="?", metavar="TAKE_ID")
    p.add_argument("--image", help="an image file to animate (needs --shot)")
    p.add_argument("--shot")
    p.add_argument("--camera")
    p.add_argument("--preset", help="image-to-video preset")
    _add_seed_options(p)
    _add_run_options(p)
    p.set_defaults(func=cmd_i2v)


def _overrides(args: argparse.Namespace) -> dict:
    out = {"steps": args.steps, "guidance": args.guidance, "frames": args.frames, "fps": args.fps, "negative": args.negative}
    if args.size is not None:  # "--size ''" is refused by parse_size, not ignored
        out["width"], out["height"] = parse_size(args.size)
    return {k: v for k, v in out.items() if v is not None}


def _seed_mode(args: argparse.Namespace) -> str:
    if args.seed_mode:
        return args.seed_mode
    if not args.seed:
        return "random"
    return "fixed" if len(args.seed) == 1 and args.variants != 1 else "list"


def cmd_generate(args: argparse.Namespace) -> int:
    kwargs = dict(cameras=args.camera, all_cameras=args.all_cameras, variants=args.variants,
                  seed_mode=_seed_mode(args), seeds=args.seed, params=_overrides(args))
    with open_project(args, readonly=args.dry_run) as project, engine_for(args) as client:
        if args.dry_run:
            targets, prompt_id, preset, params, seeds = actions.plan_generation(project, args.shot, args.preset, **kwargs)
            estimate, verdict = preview_job(project, targets[0][0], preset.id, params, len(seeds) * len(targets))
            request = {"shot": args.shot, "preset": preset.id, "tiny": preset.tiny, "params": params, "seeds": seeds,
                       "jobs": [{"shot_id": s, "camera_id": c, "prompt_id": prompt_id} for s, c in targets],
                       "estimate": {"gpu_s": estimate.gpu_s, "money": str(estimate.money) if estimate.money is not None else None,
                                    "currency": estimate.currency, "basis_jobs": estimate.basis, "text": estimate.describe()},
                       "budget": verdict.message() or "within budget"}
            if args.json:
                print_json(request)
            else:
                print(f"would queue {len(targets)} job(s) × {len(seeds)} variant(s) with {preset.listing_label}")
                print(f"  params: {params}\n  seeds: {seeds}")
                print(f"  estimate: {estimate.describe()}")
                print(f"  budget: {verdict.message() or 'within budget'}")
            return 0 if not verdict.refused else 1
        queued = actions.queue_generation(project, args.shot, args.preset, audio=_driving_sound(project, args), **kwargs)
        return _run_or_report(args, project, queued, client)


def _driving_sound(project, args) -> dict | None:
    """The recipe's record of `--audio` (engine.audio_drive), or None."""
    if not args.audio:
        return None
    from director.core.audio import seconds_to_samples
    from director.engine.audio_drive import recipe_audio
    from director.store.audio import find_audio

    return recipe_audio(project, find_audio(project, args.audio), seconds_to_samples(args.audio_from))


def cmd_promote(args: argparse.Namespace) -> int:
    with open_project(args) as project, engine_for(args) as client:
        return _run_or_report(args, project, actions.promote_take(project, args.take_id, args.preset, _overrides(args)), client)


def cmd_extend(args: argparse.Namespace) -> int:
    with open_project(args) as project, engine_for(args) as client:
        queued = actions.extend_take(project, args.take_id, args.preset, variants=args.variants,
                                     seed_mode=_seed_mode(args), seeds=args.seed, overrides=_overrides(args))
        return _run_or_report(args, project, queued, client)


def cmd_rerender(args: argparse.Namespace) -> int:
    """Queue the take's recipe again (as recorded, never recomposed) and, once it ran, say whether
    the new take is bit-identical or what differs between the two runs."""
    with open_project(args) as project, engine_for(args) as client:
        queued = actions.rerender_take(project, args.take_id)
        if args.no_wait:
            return _run_or_report(args, project, queued, client)
        job_id = queued.job_ids[0]
        _run(project, {job_id}, as_json=args.json, client=client)
        result = actions.rerender_result(project, args.take_id, job_id)
        job = store_jobs.get_job(project, job_id)
        if args.json:
            print_json({"job": job_id, "state": job.state.value, "error": job.error, "original": args.take_id,
                        "take": result.take_id, "identical": result.identical, "frames_identical": result.frames_identical,
                        "differences": list(result.differences), "message": result.describe()})
        elif result.take_id is not None:
            print(result.describe())
        if result.take_id is None:
            raise DirectorError(result.describe())
        return 0


def cmd_more(args: argparse.Namespace) -> int:
    from director.engine.variations import more_like_this, suggest_wordings

    if args.suggest:
        with open_project(args, readonly=True) as project:
            wordings = suggest_wordings(project, args.take_id)
        if args.json:
            print_json(wordings)
        else:
            for w in wordings:
                print(w)
        return 0
    with open_project(args) as project, engine_for(args) as client:
        return _run_or_report(args, project, more_like_this(project, args.take_id, variants=args.variants, wordings=args.wording), client)


def cmd_i2v(args: argparse.Namespace) -> int:
    with open_project(args) as project, engine_for(args) as client:
        queued = actions.image_to_video(project, take_id=args.take_id, image=args.image, shot_code=args.shot,
                                        camera=args.camera, preset_id=args.preset, variants=args.variants,
                                        seed_mode=_seed_mode(args), seeds=args.seed, overrides=_overrides(args))
        return _run_or_report(args, project, queued, client)


@contextmanager
def engine_for(args: argparse.Namespace) -> Iterator[EngineClient | None]:
    """The engine a verb's jobs run on (`--engine`, else DIRECTOR_ENGINE, else this machine),
    shut down when the verb ends; None with --no-wait or --dry-run, which run nothing. A Ray
    cluster is connected here, so an unreachable one raises ClusterUnreachable (exit 1) before
    anything is queued."""
    if getattr(args, "no_wait", False) or getattr(args, "dry_run", False):
        yield None
        return
    client = make_engine_client(**engine_args(args))
    try:
        wait_ready = getattr(client, "wait_ready", None)
        if wait_ready is not None:  # a cluster: connect now, not silently at the first job
            wait_ready(CONNECT_TIMEOUT_S)
            if not getattr(args, "json", False):
                print(f"director: generating on the Ray cluster at {client.address}", file=sys.stderr)
        yield client
    finally:
        client.shutdown()


def _run_or_report(args, project, queued: actions.Queued, client: EngineClient | None = None) -> int:
    if getattr(args, "no_wait", False):
        if args.json:
            print_json({"queued": list(queued.job_ids), "seeds": list(queued.seeds)})
        else:
            print(f"queued job(s) {', '.join(map(str, queued.job_ids))}; run them with: director queue run {args.project}")
        return 0
    return run_jobs(project, set(queued.job_ids), as_json=args.json, client=client)


def run_jobs(project, job_ids: set[int] | None, *, as_json: bool = False, client: EngineClient | None = None) -> int:
    """Run queued jobs here (only these, or the whole queue) with a progress bar on a terminal,
    on `client` (the caller shuts it down) or on a local worker started and stopped here.
    Ctrl-C cancels the running jobs and the rest of these jobs, and records them cancelled."""
    return _report(project, sorted(_run(project, job_ids, as_json=as_json, client=client)), as_json)


def _run(project, job_ids: set[int] | None, *, as_json: bool = False, client: EngineClient | None = None) -> set[int]:
    """Run the jobs (see run_jobs) and return the ids that were targeted; reports nothing."""
    from director.engine.runner import JobRunner

    runner = JobRunner(project, client)
    bar = ProgressBar("generating", enabled=None if not as_json else False)
    targets = job_ids if job_ids is not None else {j.id for j in store_jobs.list_jobs(project, states=(store_jobs.JobState.QUEUED,))}

    clocks: dict[int, JobClock] = {}  # core.eta: the same elapsed and ETA as the queue panel

    def on_event(event) -> None:
        now = time.monotonic()
        if isinstance(event, Started):
            clock = clocks.setdefault(event.job_id, JobClock(estimate_s=store_jobs.get_job(project, event.job_id).estimate_gpu_s))
            clock.start(now, event.loading)
            bar.update(0, 1, f"job {event.job_id} · {clock.line(now)}")
        elif isinstance(event, Progress):
            clock = clocks.setdefault(event.job_id, JobClock())
            clock.progress(now, event.step, event.total)
            bar.update(event.step, event.total, f"job {event.job_id} · {clock.line(now)}")

    try:
        try:
            runner.run_until_idle(on_event, job_ids=targets)
        except KeyboardInterrupt:
            bar.close()
            print("director: cancelling…", file=sys.stderr)
            for job_id in sorted(targets):
                if store_jobs.get_job(project, job_id).state is store_jobs.JobState.QUEUED:
                    store_jobs.cancel_queued(project, job_id)
            for job_id in runner.running_job_ids:
                runner.cancel(job_id)
            while runner.running_job_ids:
                runner.pump(0.2)
            raise DirectorError("cancelled; the jobs were recorded as cancelled and no takes were written") from None
    finally:
        bar.close()
        runner.close()
    return targets


def _report(project, job_ids: list[int], as_json: bool) -> int:
    results, failed = [], False
    for job_id in job_ids:
        job = store_jobs.get_job(project, job_id)
        takes = store_takes.takes_of_job(project, job_id)
        failed |= job.state is not store_jobs.JobState.DONE
        results.append({"job": job_id, "state": job.state.value, "error_kind": job.error_kind, "error": job.error,
                        "gpu_s": job.gpu_s, "wall_s": job.wall_s, "money": job.money,
                        "takes": [{"id": t.id, "seed": t.seed, "media": t.media_path} for t in takes]})
    if as_json:
        print_json(results)
    else:
        for r in results:
            if r["state"] == "done":
                listed = ", ".join(f"#{t['id']} seed {t['seed']}" for t in r["takes"])
                print(f"job {r['job']}: {len(r['takes'])} take(s) ({listed}) in {r['gpu_s']:.1f} s")
            else:
                print(f"job {r['job']}: {r['state']}: {r['error']}", file=sys.stderr)
    if failed:
        errors = [r for r in results if r["state"] != "done"]
        raise DirectorError(f"{len(errors)} of {len(results)} job(s) did not finish: {errors[0]['error']}")
    return 0
