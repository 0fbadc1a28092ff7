"""Shared pieces of the command line: opening projects, output, progress bars."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Iterator

from director.core.errors import InvalidInput
from director.store.project import Project


def add_project_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", metavar="PROJECT", help="the project file (NAME.director)")


def add_json_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


@contextmanager
def open_project(args: argparse.Namespace, *, readonly: bool = False) -> Iterator[Project]:
    """Open the project named on the command line for the length of one verb."""
    project = Project.open(args.project, readonly=readonly or getattr(args, "read_only", False))
    try:
        yield project
    finally:
        project.close()


def to_jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: to_jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    return value


def print_json(value: Any) -> None:
    json.dump(to_jsonable(value), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    """Plain aligned columns; a header line then one line a row."""
    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    for r in cells:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = text.lower().replace("×", "x").split("x")
        return int(w), int(h)
    except ValueError:
        raise InvalidInput(f"size must look like 768x512, got {text!r}") from None


class ProgressBar:
    """A one-line progress bar on a terminal; silent when output is piped."""

    def __init__(self, label: str = "", stream=None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.label = label
        self._last = ""

    def update(self, done: int, total: int, note: str = "") -> None:
        if not self.enabled or total <= 0:
            return
        width = 30
        filled = int(width * done / total)
        line = f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {note}"
        if line != self._last:
            self.stream.write(line.ljust(len(self._last)))
            self.stream.flush()
            self._last = line

    def close(self) -> None:
        if self.enabled and self._last:
            self.stream.write("\n")
            self.stream.flush()
            self._last = ""


def apply_and_say(project: Project, edit) -> int:
    """Apply a store edit from a command and print what it did (its undo text)."""
    edit.apply(project)
    print(edit.text)
    return 0
