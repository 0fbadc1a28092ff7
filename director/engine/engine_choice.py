"""Which engine runs jobs (this machine's worker or a Ray cluster), and what each GPU type costs.

The choice is a string so it fits a settings file, an environment variable and a command-line
option alike: "local" (the default), `ray://HOST:PORT` (Ray Client, from any machine that can
reach the head), `ray:HOST:PORT` or `HOST:PORT` (a Ray address, from a machine inside the cluster
network), or `ray:auto` (the cluster this machine already belongs to). The command line wins
over DIRECTOR_ENGINE, which wins over the app settings' "engine" key.

The price table that charges each job at its GPU type's price lives in the project: see
`director.store.gpu_prices`.
"""

from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass

from director.core.errors import InvalidInput
from director.engine.client import EngineClient, LocalEngineClient
from director.engine.ray_auth import ALLOW_FLAG, SETTINGS_KEY

ENGINE_ENV = "DIRECTOR_ENGINE"
_HOST_PORT = re.compile(r"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")


@dataclass(frozen=True)
class EngineChoice:
    kind: str  # "local" or "ray"
    address: str = ""  # what ray.init gets: "ray://h:p", "h:p" or "auto"

    def __str__(self) -> str:
        return "local" if self.kind == "local" else f"Ray cluster at {self.address}"


def parse_engine(spec: str | None) -> EngineChoice:
    """A user's engine string → EngineChoice; InvalidInput names the accepted forms."""
    text = (spec or "local").strip()
    if text.lower() in ("", "local"):
        return EngineChoice("local")
    if text.lower() in ("ray", "ray:auto", "auto"):
        return EngineChoice("ray", "auto")
    if text.lower().startswith("ray://"):
        if _HOST_PORT.match(text[6:]):
            return EngineChoice("ray", "ray://" + text[6:])
    else:
        rest = text[4:] if text.lower().startswith("ray:") else text
        if _HOST_PORT.match(rest):
            return EngineChoice("ray", rest)
    raise InvalidInput(
        f"unknown engine {spec!r}: use 'local', 'ray://HOST:PORT' (Ray Client, port 10001 by default), "
        "'ray:HOST:PORT' (a Ray address inside the cluster network, port 6379 by default) or 'ray:auto'"
    )


def engine_spec(cli_value: str | None = None, settings: dict | None = None) -> str:
    """The engine string in force: command line, then DIRECTOR_ENGINE, then settings, then local."""
    return cli_value or os.environ.get(ENGINE_ENV) or (settings or {}).get("engine") or "local"


def make_engine_client(
    spec: str | None = None, *, settings: dict | None = None, worker_settings: dict | None = None,
    allow_unauthenticated: bool = False, **ray_options
) -> EngineClient:
    """The EngineClient the UI and CLI hold. A Ray client starts connecting in the background
    and returns at once; its `state`/`error` (or `wait_ready()`) report how that went.

    settings: the app settings ("engine", "ray_retries", "ray_allow_unauthenticated");
    worker_settings: what each worker or actor gets (memory_budget_gb, torch_threads);
    allow_unauthenticated: the command line's --allow-unauthenticated (either it or the setting
    accepts a cluster without token authentication); ray_options: RayEngineClient keywords.
    """
    choice = parse_engine(engine_spec(spec, settings))
    if choice.kind == "local":
        return LocalEngineClient(worker_settings)
    from director.engine.ray_engine import RayEngineClient  # Ray itself is imported on connect

    ray_options.setdefault("retries", int((settings or {}).get("ray_retries", 1)))
    allow = allow_unauthenticated or bool((settings or {}).get(SETTINGS_KEY, False))
    return RayEngineClient(choice.address, worker_settings, allow_unauthenticated=allow, **ray_options)


def add_engine_arg(parser: argparse.ArgumentParser) -> None:
    """--engine and --allow-unauthenticated, on every verb that runs jobs (and `engine check`)."""
    parser.add_argument(
        "--engine", metavar="ENGINE", default=None,
        help=f"where jobs run: local (default), ray://HOST:PORT or a Ray address HOST:PORT (also {ENGINE_ENV})",
    )
    parser.add_argument(
        ALLOW_FLAG, dest="allow_unauthenticated", action="store_true",
        help="use a Ray cluster that does not require token authentication (refused by default: anyone who "
             "can reach it can run code there); each job records it",
    )


def engine_args(args: argparse.Namespace) -> dict:
    """make_engine_client's keywords from a verb's parsed --engine/--allow-unauthenticated."""
    return {"spec": getattr(args, "engine", None), "allow_unauthenticated": bool(getattr(args, "allow_unauthenticated", False))}

