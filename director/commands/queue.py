"""`director queue list|cancel|retry|run`: the durable job queue in the project file."""

from __future__ import annotations

import argparse

from director.commands.common import add_json_arg, add_project_arg, open_project, print_json, print_table
from director.engine.engine_choice import add_engine_arg
from director.store import jobs as store_jobs


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
    p = queue.add_parser("run", help="run every queued job here (or on --engine), then exit")
    add_project_arg(p)
    add_engine_arg(p)
    add_json_arg(p)
    p.set_defaults(func=cmd_run)


def cmd_list(args: argparse.Namespace) -> int:
    with open_project(args, readonly=True) as project:
        jobs = store_jobs.list_jobs(project, limit=None if args.all else 50)
        if args.json:
            print_json(jobs)
            return 0
        print_table(
            ["JOB", "STATE", "SHOT", "PRESET", "SEEDS", "GPU S", "ERROR"],
            [[j.id, j.state.value, j.shot_id, j.preset, len(j.seeds), f"{j.gpu_s:.1f}" if j.gpu_s else "", j.error or ""] for j in jobs],
        )
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
        with engine_for(args) as client:
            return run_jobs(project, None, as_json=args.json, client=client)
