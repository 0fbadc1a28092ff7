"""Which engine runs jobs (this machine's worker or a Ray cluster), and what each GPU type costs.

The choice is a string so it fits a settings file, an environment variable and a command-line
option alike: "local" (the default), `ray://HOST:PORT` (Ray Client, from any machine that can
reach the head), `ray:HOST:PORT` or `HOST:PORT` (a Ray address, from a machine inside the cluster
network), or `ray:auto` (the cluster this machine already belongs to). The command line wins
over DIRECTOR_ENGINE, which wins over the app settings' "engine" key.

The price table lives in the project (`gpu_prices`, migration 0005): a cluster mixes machines
with different prices, and the ledger must charge each job at the price of the GPU it ran on.
"""

from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from director.core.changes import Changes
from director.core.errors import InvalidInput
from director.engine.client import EngineClient, LocalEngineClient

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
    spec: str | None = None, *, settings: dict | None = None, worker_settings: dict | None = None, **ray_options
) -> EngineClient:
    """The EngineClient the UI and CLI hold. A Ray client starts connecting in the background
    and returns at once; its `state`/`error` (or `wait_ready()`) report how that went.

    settings: the app settings ("engine", "ray_retries"); worker_settings: what each worker or
    actor gets (memory_budget_gb, torch_threads); ray_options: RayEngineClient keywords.
    """
    choice = parse_engine(engine_spec(spec, settings))
    if choice.kind == "local":
        return LocalEngineClient(worker_settings)
    from director.engine.ray_engine import RayEngineClient  # Ray itself is imported on connect

    ray_options.setdefault("retries", int((settings or {}).get("ray_retries", 1)))
    return RayEngineClient(choice.address, worker_settings, **ray_options)


def add_engine_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine", metavar="ENGINE", default=None,
        help=f"where jobs run: local (default), ray://HOST:PORT or a Ray address HOST:PORT (also {ENGINE_ENV})",
    )


# -- the price table ----------------------------------------------------------------------------


def gpu_prices(project) -> dict[str, Decimal]:
    """GPU type → price per GPU hour in the project's currency."""
    return {r[0]: Decimal(r[1]) for r in project.db.execute("SELECT gpu_type, price_per_hour FROM gpu_prices ORDER BY gpu_type")}


def set_gpu_price(project, gpu_type: str, price) -> Changes:
    """Set (or with price None, remove) the price of one GPU type, e.g. "H100" or "cpu". A key
    matches a reported type exactly or as a part of it ("H100" prices "NVIDIA H100 80GB HBM3")."""
    name = str(gpu_type).strip()
    if not name:
        raise InvalidInput("a GPU price needs a GPU type, e.g. 'H100' or 'cpu'")
    with project.atomic() as db:
        if price in (None, ""):
            db.execute("DELETE FROM gpu_prices WHERE gpu_type = ?", [name])
        else:
            try:
                value = Decimal(str(price).strip())
            except InvalidOperation:
                raise InvalidInput(f"the price of {name} must be a number, got {price!r}") from None
            if not value.is_finite() or value < 0:
                raise InvalidInput(f"the price of {name} must be zero or more, got {price}")
            db.execute(
                "INSERT INTO gpu_prices (gpu_type, price_per_hour) VALUES (?, ?) "
                "ON CONFLICT (gpu_type) DO UPDATE SET price_per_hour = excluded.price_per_hour",
                [name, str(value)],
            )
    return Changes(project=True, costs=True)


def match_price(prices: dict[str, Decimal], gpu_type: str | None) -> Decimal | None:
    """The table's price for a reported GPU type: an exact key, else the longest key contained in
    it (case-insensitive); None when the table has no entry (the project's one price applies)."""
    if not gpu_type:
        return None
    wanted = gpu_type.lower()
    for key, price in prices.items():
        if key.lower() == wanted:
            return price
    contained = [k for k in prices if k.lower() in wanted]
    return prices[max(contained, key=len)] if contained else None


def price_for(project, meter: dict) -> Decimal | None:
    """What `finish_job(..., price_per_hour=…)` needs for a job whose meter names its GPU type."""
    return match_price(gpu_prices(project), meter.get("gpu_type"))
