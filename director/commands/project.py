"""Project verbs: new, info, settings, check (and --repair), purge."""

from __future__ import annotations

import argparse
from decimal import Decimal

from director.commands.common import (
    add_json_arg,
    add_project_arg,
    open_project,
    print_json,
)
from director.core.cost import format_money, money_text
from director.core.errors import InvalidInput
from director.store import check, summary, takes
from director.store.project import Project

def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="create a project file", description="Create NAME.director and its media folder.")
    p.add_argument("project", metavar="PATH")
    p.add_argument("--name", help="project name (default: the file name)")
    p.add_argument("--fps", default="24", help="frame rate: 24, 25, 23.976, 30000/1001 (default 24)")
    p.add_argument("--size", default="768x512", help="default frame size WxH (default 768x512)")
    p.add_argument("--currency", default="USD")
    p.add_argument("--gpu-price", default="2.50", help="price per GPU hour (default 2.50)")
    add_json_arg(p)
    p.set_defaults(func=cmd_new)
    p = sub.add_parser("info", help="summary of a project")
    add_project_arg(p)
    add_json_arg(p)
    p.set_defaults(func=cmd_info)
    p = sub.add_parser("settings", help="change project settings")
    add_project_arg(p)
    for opt in ("name", "fps", "currency", "gpu-price", "energy-price", "budget", "budget-gpu-minutes", "idle-cutoff"):
        p.add_argument(f"--{opt}")
    p.set_defaults(func=cmd_settings)
    p = sub.add_parser(
        "check",
        help="integrity check and media verify (--repair rebuilds a damaged file)",
        description="Check the project file with SQLite's own integrity check (file and journal) and verify every "
        "take's media. Exit 1 lists what is wrong. --repair keeps a copy of a damaged file with its journal in "
        "NAME.director-backups, then rebuilds it from every row SQLite can still read and says how many it kept.",
    )
    add_project_arg(p)
    add_json_arg(p)
    p.add_argument("--repair", action="store_true", help="rebuild a damaged project file (a copy is kept first)")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("purge", help="empty the bin and delete media no take uses")
    add_project_arg(p)
    p.add_argument("--keep-bin", action="store_true", help="only remove unreferenced media; keep the bin")
    p.set_defaults(func=cmd_purge)


def cmd_new(args) -> int:
    from director.commands.common import parse_size

    width, height = parse_size(args.size)
    project = Project.create(args.project, name=args.name, fps=args.fps, width=width, height=height, currency=args.currency, gpu_price_per_hour=args.gpu_price)
    try:
        if args.json:
            print_json({"path": str(project.path), "media": str(project.media.root)})
        else:
            print(f"created {project.path}")
    finally:
        project.close()
    return 0


def project_summary(project: Project) -> dict:
    s = project.settings()
    c = summary.project_counts(project)
    return {
        "name": s.name,
        "path": str(project.path),
        "fps": str(s.rate),
        "size": f"{s.width}x{s.height}",
        "currency": s.currency,
        "gpu_price_per_hour": str(s.gpu_price_per_hour),
        "scenes": c.scenes,
        "shots": c.shots,
        "cameras": c.cameras,
        "prompt_versions": c.prompt_versions,
        "takes": c.takes,
        "jobs": c.jobs,
        "gpu_seconds": c.gpu_seconds,
        "money": money_text(c.money),
        "human_seconds": c.human_seconds,
        "read_only": project.readonly,
    }


def cmd_info(args) -> int:
    with open_project(args, readonly=True) as project:
        info = project_summary(project)
    if args.json:
        print_json(info)
        return 0
    jobs = ", ".join(f"{n} {state}" for state, n in sorted(info["jobs"].items())) or "none"
    print(f"{info['name']}  ({info['path']})")
    print(f"  {info['fps']} fps, {info['size']}, GPU {info['gpu_price_per_hour']} {info['currency']}/h")
    print(f"  {info['scenes']} scenes, {info['shots']} shots, {info['cameras']} cameras, {info['prompt_versions']} prompt versions")
    print(f"  {info['takes']} takes; jobs: {jobs}")
    print(f"  spent: {info['gpu_seconds']} GPU s = {format_money(Decimal(info['money']), info['currency'])}; human time {info['human_seconds']} s")
    return 0


def cmd_settings(args) -> int:
    values = {}
    mapping = {"name": "name", "fps": "fps", "currency": "currency", "gpu_price": "gpu_price_per_hour", "energy_price": "energy_price_per_kwh", "budget": "budget_money", "idle_cutoff": "idle_cutoff_s"}
    for opt, key in mapping.items():
        if getattr(args, opt) is not None:
            values[key] = getattr(args, opt)
    if args.budget_gpu_minutes is not None:
        values["budget_gpu_s"] = "" if args.budget_gpu_minutes == "" else float(args.budget_gpu_minutes) * 60
    if not values:
        raise InvalidInput("give at least one setting to change (see --help)")
    with open_project(args) as project:
        project.update_settings(**values)
        print("settings updated")
    return 0


def cmd_repair(args) -> int:
    from director.store.repair import repair

    report = repair(args.project)
    if args.json:
        print_json({"repaired": report.was_damaged, "backup": report.backup, "integrity_before": report.integrity_before, "tables": report.tables, "rows_kept": report.kept})
        return 0
    if not report.was_damaged:
        print(f"{report.path.name} is intact (SQLite's integrity check: ok); nothing was changed")
        return 0
    print(f"{report.path.name} was damaged ({report.integrity_before[:200]})")
    print(f"  the damaged file and its journal were kept in {report.backup.parent}")
    for t in report.tables:
        lost = f", {t.unreadable_spans} unreadable stretch(es) skipped" if t.unreadable_spans else ""
        print(f"  {t.name}: {t.kept} rows kept{lost}")
    print(f"rebuilt with {report.kept} rows; run 'director check {report.path}' to verify its media")
    return 0


def cmd_check(args) -> int:
    if args.repair:
        return cmd_repair(args)
    with open_project(args, readonly=True) as project:
        report = check.check_project(project)
        root = project.media.root
    if args.json:
        print_json({"ok": report.ok, "integrity": report.integrity, "foreign_key_errors": report.foreign_key_errors, "media_checked": report.media.checked, "missing": report.media.missing, "altered": report.media.altered, "tampered": report.media.tampered, "takes": report.takes})
    else:
        print(f"database: {report.integrity}" + (f", {len(report.foreign_key_errors)} broken references" if report.foreign_key_errors else ""))
        m = report.media
        print(f"media: {m.checked} files checked, {len(m.missing)} missing, {len(m.altered)} damaged, {len(m.tampered)} outside the media folder")
        for problem in report.takes:
            print(f"  {problem.describe(root)}")
    return 0 if report.ok else 1


def cmd_purge(args) -> int:
    with open_project(args) as project:
        emptied = 0
        if not args.keep_bin:
            emptied, _ = takes.empty_bin(project)
        files, freed = check.purge_media(project)
    print(f"emptied {emptied} takes from the bin; removed {files} media files ({freed / 1e6:.1f} MB)")
    return 0
