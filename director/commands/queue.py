"""`director queue list|cancel|retry|reorder|pause|resume|run`: the durable job queue in the
project file, with the window's queue panel's actions (store.jobs and store.queue_state rules)."""

from __future__ import annotations

import argparse
import sys
import time

from director.commands.common import add_json_arg, add_project_arg, open_project, print_json, print_table, to_jsonable
from director.core.errors import InvalidInput, Refused
from director.core.eta import format_duration, job_elapsed, job_eta_text
from director.engine.engine_choice import add_engine_arg
from director.store import jobs as store_jobs
from director.store import queue_state
from director.store.panels import job_labels


def register(sub: argparse._SubParsersAction) -> None:
    queue = sub.add_parser("queue", help="the generation queue").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    p = queue.add_parser("list", help="running, queued and recent jobs")
    add_project_arg(p)
    p.add_argument("--all", action="store_true", help="every job, not only the last 50")
    add_json_arg(p)
    p.set_defaults(func=cmd_list)
    p = queue.add_parser("cancel", help="cancel a queued job")
    add_project_arg(p)
    p.add_argument("job_id", type=int, metavar="JOB_ID")
    p.set_defaults(func=cmd_cancel)
    p = queue.add_parser("retry", help="queue a failed or cancelled job again")
    add_project_arg(p)
    p.add_argument("job_id", type=int, metavar="JOB_ID")
    p.set_defaults(func=cmd_retry)
    p = queue.add_parser("reorder", help="move a waiting job to a place in the queue (1 = next to run)")
    add_project_arg(p)
    p.add_argument("job_id", type=int, metavar="JOB_ID")
    p.add_argument("position", type=int, metavar="POSITION", help="1-based place among the waiting jobs")
    p.set_defaults(func=cmd_reorder)
    p = queue.add_parser("pause", help="start no new job (the running one finishes); the window and 'queue run' obey it")
    add_project_arg(p)
    p.set_defaults(func=cmd_pause, paused=True)
    p = queue.add_parser("resume", help="let a paused queue start jobs again")
    add_project_arg(p)
    p.set_defaults(func=cmd_pause, paused=False)
    p = queue.add_parser("run", help="run every queued job here (or on --engine), then exit")
    add_project_arg(p)
    add_engine_arg(p)
    add_json_arg(p)
    p.set_defaults(func=cmd_run)


def cmd_list(args: argparse.Namespace) -> int:
    with open_project(args, readonly=True) as project:
        jobs = store_jobs.list_jobs(project, limit=None if args.all else 50)
        labels = job_labels(project, [j.id for j in jobs])  # '12A/B': the queue panel's name for a job
        code = {j.id: labels[j.id].label if j.id in labels else str(j.shot_id) for j in jobs}
        paused = queue_state.is_paused(project)
        if args.json:
            print_json([{**to_jsonable(j), "shot_code": code[j.id]} for j in jobs])
            return 0
        now = time.monotonic()  # elapsed and ETA: core.eta, the queue panel's own model
        print_table(
            ["JOB", "STATE", "SHOT", "PRESET", "SEEDS", "ELAPSED", "ETA", "GPU S", "ERROR"],
            [[j.id, j.state.value, code[j.id], j.preset, len(j.seeds), format_duration(job_elapsed(j, now)), job_eta_text(j, now),
              f"{j.gpu_s:.1f}" if j.gpu_s else "", j.error or ""] for j in jobs],
        )
    if paused:
        print(f"the queue is paused; resume it with: director queue resume {args.project}", file=sys.stderr)
    return 0


def cmd_reorder(args: argparse.Namespace) -> int:
    if args.position < 1:
        raise InvalidInput(f"POSITION is a place in the queue from 1 (next to run), got {args.position}")
    with open_project(args) as project:
        store_jobs.move_queued(project, args.job_id, args.position)
        order = [j.id for j in store_jobs.list_jobs(project, states=(store_jobs.JobState.QUEUED,))]
    print(f"job {args.job_id} is number {order.index(args.job_id) + 1} of {len(order)} waiting")
    return 0


def cmd_pause(args: argparse.Namespace) -> int:
    # Read-only on purpose: the process running the queue (the window, 'queue run') holds the
    # project for writing and reads the pause marker before it starts each job.
    with open_project(args, readonly=True) as project:
        queue_state.set_paused(project, args.paused)
    print("queue paused: the running job finishes, no new one starts" if args.paused else "queue resumed")
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    # A job running in another process (the window) is cancelled there; here only queued ones.
    with open_project(args) as project:
        store_jobs.cancel_queued(project, args.job_id)
        print(f"job {args.job_id} cancelled")
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    with open_project(args) as project:
        new_id, _ = store_jobs.retry_job(project, args.job_id)
        print(f"job {args.job_id} queued again as job {new_id}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from director.commands.generate import engine_for, run_jobs

    with open_project(args) as project:
        if store_jobs.next_queued(project) is None:
            print("the queue is empty")
            return 0
        if queue_state.is_paused(project):
            raise Refused(f"the queue is paused; resume it with: director queue resume {args.project}")
        with engine_for(args) as client:
            return run_jobs(project, None, as_json=args.json, client=client)
