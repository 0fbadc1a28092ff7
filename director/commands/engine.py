"""Engine verbs: `engine check` (can Director reach this engine, is a cluster authenticated and
encrypted, which machines does it have, and what each job sends there and gets back),
`engine prices PROJECT` and `engine price PROJECT GPU_TYPE PRICE` (the price per GPU hour by type
that the cost log charges cluster jobs at)."""

from __future__ import annotations

import argparse
import sys
import time

from director.commands.common import add_json_arg, add_project_arg, open_project, print_json, print_table
from director.engine.engine_choice import add_engine_arg, engine_args, engine_spec, make_engine_client, parse_engine
from director.engine.ray_traffic import KEPT_ON_CLUSTER, RETURNED, sent_lines
from director.store.gpu_prices import gpu_prices, set_gpu_price


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("engine", help="where jobs run, and GPU prices by type",
                       description="Check the engine (the local worker or a Ray cluster) and keep the price per GPU hour of each GPU type.")
    verbs = p.add_subparsers(dest="engine_verb", metavar="SUBVERB", required=True)

    c = verbs.add_parser("check", help="connect to the engine, check its authentication and list its machines")
    add_engine_arg(c)
    c.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the cluster (default 60)")
    add_json_arg(c)
    c.set_defaults(func=cmd_check)

    ps = verbs.add_parser("prices", help="the price per GPU hour of each GPU type")
    add_project_arg(ps)
    add_json_arg(ps)
    ps.set_defaults(func=cmd_prices)

    pr = verbs.add_parser("price", help="set a GPU type's price per hour (or --remove it)")
    add_project_arg(pr)
    pr.add_argument("gpu_type", metavar="GPU_TYPE", help='e.g. "H100", "L40S" or "cpu"; matches a reported GPU name that contains it')
    pr.add_argument("price", metavar="PRICE", nargs="?", help="price per GPU hour in the project's currency")
    pr.add_argument("--remove", action="store_true", help="remove the type (its jobs cost the project's GPU price)")
    pr.set_defaults(func=cmd_price)


def cmd_check(args: argparse.Namespace) -> int:
    choice = parse_engine(engine_spec(args.engine))
    if choice.kind == "local":
        print_json({"engine": "local", "sent": [], "returned": []}) if args.json else print(
            "engine: the local worker on this machine; nothing leaves this machine")
        return 0
    client = make_engine_client(**engine_args(args))
    try:
        client.wait_ready(args.timeout)  # ClusterRefused / ClusterUnreachable: exit 1 with the reason
        deadline = time.monotonic() + args.timeout
        while client.capacity < client.planned and time.monotonic() < deadline:
            client.poll_events(0.2)
        machines = client.machines()
        check = client.check
    finally:
        client.shutdown()
    if args.json:
        print_json({
            "engine": str(choice), "actors": machines, "cluster": check.facts(), "token_source": check.token_source,
            "loopback": check.loopback, "warnings": list(check.warnings),
            "sent": sent_lines(), "returned": list(RETURNED), "kept_on_cluster": KEPT_ON_CLUSTER,
        })
        return 0
    print(f"engine: {choice}, {len(machines)} actor(s)")
    for line in check.lines():
        print(line)
    print_table(["node", "device", "gpu type"], [[m["node"], m["device"], m["gpu_type"]] for m in machines])
    print("sent to the cluster for each job:")
    for line in sent_lines():
        print(f"  - {line}")
    print("comes back:")
    for line in RETURNED:
        print(f"  - {line}")
    print(f"kept on the cluster after a job: {KEPT_ON_CLUSTER}")
    return 0


def cmd_prices(args: argparse.Namespace) -> int:
    with open_project(args, readonly=True) as project:
        prices = gpu_prices(project)
        currency = project.settings().currency
        default = project.settings().gpu_price_per_hour
    if args.json:
        print_json({"currency": currency, "default": default, "prices": prices})
    else:
        print_table(["gpu type", f"{currency}/hour"], [[k, v] for k, v in prices.items()] + [["(any other)", default]])
    return 0


def cmd_price(args: argparse.Namespace) -> int:
    if args.remove == (args.price is not None):
        print("director engine price: give a PRICE or --remove, not both or neither", file=sys.stderr)
        return 2
    with open_project(args) as project:
        set_gpu_price(project, args.gpu_type, None if args.remove else args.price)
    return 0
