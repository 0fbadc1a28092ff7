"""`director models list|pull`: the presets, whether their weights are here, and getting them."""

from __future__ import annotations

import argparse

from director.commands.common import add_json_arg, print_json, print_table
from director.core.errors import DirectorError
from director.engine.presets import RETIRED, TINY_NOTE, all_presets, broken_presets, get_preset


def register(sub: argparse._SubParsersAction) -> None:
    models = sub.add_parser("models", help="model presets and their weights").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    p = models.add_parser("list", help="presets, their kind, and whether the weights are on this machine")
    add_json_arg(p)
    p.set_defaults(func=cmd_list)
    p = models.add_parser("pull", help="download a preset's weights (safetensors only) from the Hugging Face hub")
    p.add_argument("preset", metavar="ID")
    p.set_defaults(func=cmd_pull)
    p = models.add_parser("twin", help="build tiny twins: each family's pipeline class and layout with random weights, on disk")
    p.add_argument("twins", nargs="*", metavar="ID", help="twin ids (tiny-…), or a real preset's id for its twin")
    p.add_argument("--all", action="store_true", help="every twin")
    p.add_argument("--force", action="store_true", help="rebuild even when built")
    p.set_defaults(func=cmd_twin)


def cmd_list(args: argparse.Namespace) -> int:
    from director.engine.loading import weights_present

    rows = []
    for p in (*all_presets(), *RETIRED):
        rows.append({
            "id": p.id, "kind": p.kind, "label": p.listing_label, "pipeline": p.pipeline, "source": p.source,
            "family": p.family, "tiny": p.tiny, "weights_present": False if p.retired else weights_present(p),
            "user": p.user, "broken": False, "error": None, "retired": p.retired or None,
            "twin": p.twin, "twin_of": p.twin_of, "no_twin": p.no_twin or None,
            "defaults": p.defaults, "frame_rule": p.constraints.frame_rule, "size_multiple": p.constraints.size_multiple,
            "max_frames": p.constraints.max_frames, "notes": p.notes,
            "get": None if p.builder or p.retired else p.pull_command(),
        })
    # A user preset file that cannot be read is listed with its error, and blocks nothing else.
    broken = broken_presets()
    for b in broken:
        rows.append({"id": b.id, "kind": None, "label": None, "pipeline": None, "source": None, "family": None,
                     "tiny": False, "weights_present": False, "user": True, "broken": True, "error": b.error,
                     "file": str(b.path), "retired": None, "twin": None, "twin_of": None, "no_twin": None,
                     "defaults": None, "frame_rule": None, "size_multiple": None, "max_frames": None, "notes": "",
                     "get": None})
    if args.json:
        print_json(rows)
        return 0

    def weights(r: dict) -> str:
        if r["broken"]:
            return "BROKEN"
        if r["retired"]:
            return "RETIRED"
        if r["twin_of"]:
            return "twin" if r["weights_present"] else "twin (not built)"
        return "built-in" if r["tiny"] else ("yes" if r["weights_present"] else "missing")

    print_table(
        ["ID", "KIND", "WEIGHTS", "SIZE", "FRAMES", "STEPS", "MODEL"],
        [[r["id"], r["kind"] or "", weights(r),
          f"{r['defaults'].width}x{r['defaults'].height}" if r["defaults"] else "",
          r["defaults"].frames if r["defaults"] else "", r["defaults"].steps if r["defaults"] else "",
          r["label"] or f"(user preset {r['file']})"] for r in rows],
    )
    print(f"\ntiny presets: {TINY_NOTE}. Get missing weights (or build a twin) with: director models pull ID")
    without = [r for r in rows if r["no_twin"]]
    if without:
        print("\nno tiny twin:")
        for r in without:
            print(f"  {r['id']}: {r['no_twin']}")
    retired = [r for r in rows if r["retired"]]
    if retired:
        print("\nretired (old takes still show them; new jobs are refused):")
        for r in retired:
            print(f"  {r['id']}: {r['retired']}")
    if broken:
        print(f"\n{len(broken)} user preset file(s) cannot be used until fixed or deleted (the other presets work):")
        for b in broken:
            print(f"  {b.id}: {b.error}")
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    from director.engine.loading import MissingWeights, UnsafeWeights, pull

    preset = get_preset(args.preset)
    try:
        import huggingface_hub  # noqa: F401
    except ImportError:
        raise DirectorError("downloading needs huggingface_hub: pip install 'director[download]'") from None
    try:
        print(pull(preset))
    except (MissingWeights, UnsafeWeights) as exc:
        raise DirectorError(str(exc)) from None
    except Exception as exc:  # offline, hub down, gated repo: say what happened and what to try
        raise DirectorError(
            f"could not download {preset.id} from the Hugging Face hub ({type(exc).__name__}: {exc}). "
            "Check the network (and that HF_HUB_OFFLINE is not set), log in with 'hf auth login' for gated models, "
            f"or fetch it yourself: {preset.pull_command()}"
        ) from None
    return 0


def cmd_twin(args: argparse.Namespace) -> int:
    from director.engine.twins import TWINS, build_twin

    if args.all:
        ids = list(TWINS)
    else:
        ids = []
        for name in args.twins:
            preset = get_preset(name)
            twin = name if name in TWINS else preset.twin
            if not twin:
                raise DirectorError(f"{name} has no tiny twin: {preset.no_twin or preset.retired or 'none defined'}")
            ids.append(twin)
    if not ids:
        raise DirectorError("name the twins to build (or --all); 'director models list' shows each preset's twin")
    for twin in ids:
        print(f"{twin}: {build_twin(twin, force=args.force)}")
    return 0
