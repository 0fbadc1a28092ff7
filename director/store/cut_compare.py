"""Two cuts side by side: how long each runs, which shots and takes it uses, and what those takes
cost, read from the flattened cut every export reads (`store.timeline.build_cut`) and priced by
the ledger's rules (`ledger.take_money` per take shown, `ledger.spend_by_shot` per shot used).

`director timeline compare` and the cut bar's Compare Cuts dialog both print this.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from director.core.cost import format_money
from director.store import ledger
from director.store.cuts import find_timeline
from director.store.project import Project
from director.store.rows import rows, scalar
from director.store.timeline import build_cut


@dataclass(frozen=True)
class CutSide:
    timeline_id: int
    name: str
    frames: int
    seconds: Fraction
    timecode: str
    shots: tuple[str, ...]  # shot codes in the order the cut first shows them
    takes: tuple[int, ...]  # take ids shown, in order of first appearance
    takes_money: Decimal  # what the takes shown cost (each its share of its job)
    shots_spend: Decimal  # everything spent on the shots used (every take, kept or not, and expenses)
    takes_by_shot: tuple[tuple[str, tuple[int, ...]], ...] = ()

    def takes_of(self, shot: str) -> tuple[int, ...]:
        return dict(self.takes_by_shot).get(shot, ())


@dataclass(frozen=True)
class CutComparison:
    a: CutSide
    b: CutSide
    currency: str

    @property
    def only_in_a(self) -> tuple[str, ...]:
        return tuple(s for s in self.a.shots if s not in self.b.shots)

    @property
    def only_in_b(self) -> tuple[str, ...]:
        return tuple(s for s in self.b.shots if s not in self.a.shots)

    @property
    def in_both(self) -> tuple[str, ...]:
        return tuple(s for s in self.a.shots if s in self.b.shots)

    @property
    def different_takes(self) -> tuple[str, ...]:
        """Shots both cuts use but showing different takes."""
        return tuple(s for s in self.in_both if self.a.takes_of(s) != self.b.takes_of(s))

    def money(self, value: Decimal) -> str:
        return format_money(value, self.currency)

    def table(self) -> list[tuple[str, str, str]]:
        """(what, cut A, cut B): the table both the CLI and the dialog show."""
        a, b = self.a, self.b
        return [
            ("Cut", a.name, b.name),
            ("Length", f"{a.timecode} ({a.frames} fr, {float(a.seconds):.1f} s)", f"{b.timecode} ({b.frames} fr, {float(b.seconds):.1f} s)"),
            ("Shots used", str(len(a.shots)), str(len(b.shots))),
            ("Takes shown", str(len(a.takes)), str(len(b.takes))),
            ("Cost of the takes shown", self.money(a.takes_money), self.money(b.takes_money)),
            ("Spent on the shots used", self.money(a.shots_spend), self.money(b.shots_spend)),
            ("Shots", ", ".join(a.shots) or "—", ", ".join(b.shots) or "—"),
            ("Only in this cut", ", ".join(self.only_in_a) or "—", ", ".join(self.only_in_b) or "—"),
        ]

    def to_json(self) -> dict:
        def side(s: CutSide) -> dict:
            return {"id": s.timeline_id, "name": s.name, "frames": s.frames, "seconds": float(s.seconds), "timecode": s.timecode,
                    "shots": list(s.shots), "takes": list(s.takes), "takes_money": str(s.takes_money), "shots_spend": str(s.shots_spend)}

        return {"a": side(self.a), "b": side(self.b), "currency": self.currency, "only_in_a": list(self.only_in_a),
                "only_in_b": list(self.only_in_b), "in_both": list(self.in_both), "different_takes": list(self.different_takes),
                "frames_difference": self.b.frames - self.a.frames, "takes_money_difference": str(self.b.takes_money - self.a.takes_money)}


def _side(project: Project, timeline_id: int) -> CutSide:
    cut = build_cut(project, timeline_id)
    rate = project.settings().rate
    shots: dict[str, None] = {}
    takes: dict[int, None] = {}
    by_shot: dict[str, dict[int, None]] = {}
    for seg in cut.segments:
        if seg.take_id is None or not seg.shot_code:
            continue
        shots.setdefault(seg.shot_code)
        takes.setdefault(seg.take_id)
        by_shot.setdefault(seg.shot_code, {}).setdefault(seg.take_id)
    money = ledger.take_money(project, takes)
    marks = ", ".join("?" * len(takes)) or "NULL"
    shot_ids = [r["shot_id"] for r in rows(project.db, f"SELECT DISTINCT shot_id FROM takes WHERE id IN ({marks})", list(takes))]
    spend = ledger.spend_by_shot(project, shot_ids)
    name = scalar(project.db, "SELECT name FROM timelines WHERE id = ?", [timeline_id])
    side = CutSide(
        timeline_id, name, cut.duration, rate.seconds(cut.duration), rate.timecode(cut.duration), tuple(shots), tuple(takes),
        sum(money.values(), Decimal(0)), sum(spend.values(), Decimal(0)), tuple((k, tuple(v)) for k, v in by_shot.items()),
    )
    return side


def compare_cuts(project: Project, cut_a: str | int | None, cut_b: str | int | None) -> CutComparison:
    """Compare two cuts named by name or id (None: the current one)."""
    return CutComparison(_side(project, find_timeline(project, cut_a)), _side(project, find_timeline(project, cut_b)), project.settings().currency)
