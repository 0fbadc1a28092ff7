"""`director engine settings`: show or set this machine's engine set-up, the same settings the
window's Settings ▸ Engine writes (`engine.machine_settings`): the device, the memory budget for
warm models, and per model preset a local weights folder and memory options.

`director engine speed PRESET [--on NAME …] [--off NAME …] [--clear]`: a preset's speed options
(`engine.speed.OPTIONS`), written through the same `machine_settings.update` as the window's
Settings ▸ Engine ▸ Speed options, so a refused combination is refused alike in both."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from director.commands.common import add_json_arg, print_json, print_table
from director.core.errors import InvalidInput
from director.engine import machine_settings
from director.engine import speed as speed_options
from director.engine.machine_settings import DEVICES
from director.engine.presets import BUILTIN, MEMORY_KEYS, get_preset, load_settings

ON = ("on", "true", "yes", "1")
OFF = ("off", "false", "no", "0")


def _engine_subparsers(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The `engine` verb's subcommands, registered by director.commands.engine."""
    parser = sub.choices["engine"]
    # argparse has no public way to reach an existing parser's subcommands.
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def register(sub: argparse._SubParsersAction) -> None:
    p = _engine_subparsers(sub).add_parser(
        "settings", help="show or set the device, memory budget, model folders and memory options",
        description="This machine's engine settings, shared with the window's Settings ▸ Engine. Without options, "
                    "show them. They apply to the next engine start (the window's next project, the next command).")
    p.add_argument("--device", choices=DEVICES, help="auto picks CUDA, then Apple MPS, then the CPU (DIRECTOR_DEVICE overrides it for one run)")
    p.add_argument("--memory-budget", metavar="GB", help="memory warm models may keep, in GB; 0 for automatic (90%% of the GPU)")
    p.add_argument("--model-folder", nargs=2, action="append", default=[], metavar=("PRESET", "FOLDER"),
                   help="load a preset's weights from a local diffusers folder (repeat for more presets)")
    p.add_argument("--clear-model-folder", action="append", default=[], metavar="PRESET",
                   help="load the preset from the hub cache again")
    p.add_argument("--memory", nargs=2, action="append", default=[], metavar=("PRESET", "OPTION=VALUE"),
                   help=f"a memory option of a preset: {', '.join(MEMORY_KEYS)}; on/off, or a threshold for first_block_cache")
    add_json_arg(p)
    p.set_defaults(func=cmd_settings)

    p = _engine_subparsers(sub).add_parser(
        "speed", help="show or set a preset's speed options (step caches, compile, FP8, …)",
        description="A preset's speed options, shared with the window's Settings ▸ Engine. Without options, show "
                    f"them. Known: {', '.join(speed_options.OPTIONS)}. Two step caches, or MagCache for a family "
                    "without calibrated ratios, are refused and nothing is saved.")
    p.add_argument("preset", help="preset id (see: director models list)")
    p.add_argument("--on", nargs="+", action="extend", default=[], metavar="NAME", help="switch these options on")
    p.add_argument("--off", nargs="+", action="extend", default=[], metavar="NAME", help="switch these options off")
    p.add_argument("--clear", action="store_true", help="switch every option off first")
    add_json_arg(p)
    p.set_defaults(func=cmd_speed)


def _option(preset_id: str, text: str) -> tuple[str, dict]:
    key, sep, value = text.partition("=")
    key, value = key.strip().replace("-", "_"), value.strip().lower()
    if not sep or key not in MEMORY_KEYS:
        raise InvalidInput(f"a memory option looks like vae_tiling=on; known options: {', '.join(MEMORY_KEYS)}; got {text!r}")
    if key == "first_block_cache":
        if value in OFF:
            return preset_id, {key: None}
        try:
            threshold = float(value)
        except ValueError:
            raise InvalidInput(f"first_block_cache is a threshold above 0 and at most 1 (0.1 is usual) or off, got {value!r}") from None
        if not 0 < threshold <= 1:
            raise InvalidInput(f"first_block_cache is a threshold above 0 and at most 1 (0.1 is usual) or off, got {value!r}")
        return preset_id, {key: threshold}
    if value not in ON + OFF:
        raise InvalidInput(f"{key} is on or off, got {value!r}")
    return preset_id, {key: value in ON}


def cmd_settings(args: argparse.Namespace) -> int:
    folders: dict[str, str | None] = {preset: folder for preset, folder in args.model_folder}
    folders.update({preset: None for preset in args.clear_model_folder})
    memory: dict[str, dict] = {}
    for preset_id, text in args.memory:
        preset_id, values = _option(preset_id, text)
        memory.setdefault(preset_id, {}).update(values)
    changing = args.device is not None or args.memory_budget is not None or folders or memory
    if changing:
        data = machine_settings.update(load_settings(), device=args.device, memory_budget_gb=args.memory_budget,
                                       folders=folders, memory=memory)
        machine_settings.save(data)
    _show(machine_settings.read(), args.json, saved=bool(changing))
    return 0


def _show(s: machine_settings.MachineSettings, as_json: bool, *, saved: bool) -> None:
    presets = [p for p in BUILTIN if not p.tiny]
    rows = []
    for p in presets:
        options = {**asdict(p.memory), **s.memory.get(p.id, {})}
        rows.append({"preset": p.id, "folder": s.model_folders.get(p.id), "memory": options,
                     "memory_changed": p.id in s.memory})
    if as_json:
        print_json({"settings_file": str(machine_settings.settings_path()), "device": s.device,
                    "memory_budget_gb": s.memory_budget_gb, "presets": rows})
        return
    if saved:
        print(f"saved to {machine_settings.settings_path()}; the next engine start uses it")
    print(f"device: {s.device}")
    print(f"memory budget: {f'{s.memory_budget_gb:g} GB' if s.memory_budget_gb else 'automatic'}")
    print_table(["preset", "model folder", "memory options"],
                [[r["preset"], r["folder"] or "(hub cache)",
                  ", ".join(k if v is True else f"{k}={v}" for k, v in r["memory"].items() if v) or "-"] for r in rows])


def cmd_speed(args: argparse.Namespace) -> int:
    data = load_settings()
    changing = bool(args.on or args.off or args.clear)
    if args.on or args.off or not args.clear:
        get_preset(args.preset)  # an unknown preset is named (a deleted one's options can still be cleared)
    if changing:
        unknown = [n for n in args.off if n not in speed_options.OPTIONS]
        if unknown:
            speed_options.check(unknown)  # refused by name, with the known options
        current = () if args.clear else speed_options.settings_for(args.preset, data)
        names = [n for n in (*current, *args.on) if n not in args.off]
        machine_settings.save(machine_settings.update(data, speed={args.preset: names}))
        data = load_settings()
    on = speed_options.settings_for(args.preset, data)
    rows = [{"name": o.name, "on": o.name in on, "changes_pixels": o.changes_pixels, "cuda_only": o.cuda_only,
             "what": o.what} for o in speed_options.OPTIONS.values()]
    if args.json:
        print_json({"settings_file": str(machine_settings.settings_path()), "preset": args.preset, "on": list(on),
                    "options": rows})
        return 0
    if changing:
        print(f"saved to {machine_settings.settings_path()}; the next job of {args.preset} uses it")
    print(f"{args.preset}: {machine_settings.speed_line(on) or 'no speed options'}")
    print_table(["option", "on", "changes pixels", "CUDA only", "what"],
                [[r["name"], "on" if r["on"] else "-", "yes" if r["changes_pixels"] else "no",
                  "yes" if r["cuda_only"] else "no", r["what"]] for r in rows])
    return 0

