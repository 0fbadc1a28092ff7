"""The project's price per GPU hour by GPU type (migration 0005_gpu_prices).

A cluster mixes machines with different prices, so the ledger charges each job at the price of
the GPU it ran on: the runner passes `price_for(project, meter)` to `jobs.finish_job`. A job on a
GPU type without an entry (or with no type at all: the local worker) costs the project's single
GPU price.
"""

from __future__ import annotations

from decimal import Decimal

from director.core.changes import Changes
from director.core.cost import parse_price
from director.core.errors import InvalidInput
from director.store.project import Project


def gpu_prices(project: Project) -> dict[str, Decimal]:
    """GPU type → price per GPU hour in the project's currency."""
    return {r[0]: Decimal(r[1]) for r in project.db.execute("SELECT gpu_type, price_per_hour FROM gpu_prices ORDER BY gpu_type")}


def set_gpu_price(project: Project, gpu_type: str, price) -> Changes:
    """Set (or with price None, remove) the price of one GPU type, e.g. "H100" or "cpu". A key
    matches a reported type exactly or as a part of it ("H100" prices "NVIDIA H100 80GB HBM3")."""
    name = str(gpu_type).strip()
    if not name:
        raise InvalidInput("a GPU price needs a GPU type, e.g. 'H100' or 'cpu'")
    with project.atomic() as db:
        if price in (None, ""):
            db.execute("DELETE FROM gpu_prices WHERE gpu_type = ?", [name])
        else:
            value = parse_price(price, f"the price of {name} per GPU hour")
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


def price_for(project: Project, meter: dict | None) -> Decimal | None:
    """What `finish_job(..., price_per_hour=…)` needs for a job whose meter names its GPU type;
    None (the project's price) for a meter without one, e.g. the local worker's."""
    gpu_type = (meter or {}).get("gpu_type")
    if not gpu_type:
        return None  # no table read for local jobs
    return match_price(gpu_prices(project), gpu_type)
