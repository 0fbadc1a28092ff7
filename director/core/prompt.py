"""Structured shot prompts and their composition into the text a model reads.

A prompt version is immutable: editing a shot's prompt writes a new version, so every take can say
exactly which words made it.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, fields, replace

from director.core.errors import InvalidInput

# Order matters: the model reads the subject first, then how it is framed, then the look.
FIELD_ORDER = (
    "subject",
    "action",
    "setting",
    "shot_size",
    "angle",
    "movement",
    "lens",
    "lighting",
    "look",
    "free_text",
)
CAMERA_FIELDS = ("shot_size", "angle", "movement", "lens")
MAX_PROMPT_CHARS = 4000


@dataclass(frozen=True)
class PromptFields:
    subject: str = ""
    action: str = ""
    setting: str = ""
    shot_size: str = ""
    angle: str = ""
    movement: str = ""
    lens: str = ""
    lighting: str = ""
    look: str = ""
    negative: str = ""
    free_text: str = ""

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_dict(cls, data: dict) -> PromptFields:
        known = set(cls.names())
        unknown = set(data) - known
        if unknown:
            raise InvalidInput(f"unknown prompt field(s): {', '.join(sorted(unknown))}; known: {', '.join(cls.names())}")
        return cls(**{k: _clean(v) for k, v in data.items()})

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def with_changes(self, **changes: str) -> PromptFields:
        return replace(self, **{k: _clean(v) for k, v in changes.items()})

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in FIELD_ORDER)

    def compose(self, camera: CameraSetup | None = None) -> str:
        """The positive prompt; a camera's non-empty fields replace the shot's framing fields."""
        values = self.to_dict()
        if camera is not None:
            for name in CAMERA_FIELDS:
                if getattr(camera, name):
                    values[name] = getattr(camera, name)
        parts = [values[name] for name in FIELD_ORDER if values[name]]
        return ", ".join(parts)

    def validate(self) -> None:
        if self.is_empty():
            raise InvalidInput("the prompt is empty: give at least a subject or free text")
        if len(self.compose()) > MAX_PROMPT_CHARS:
            raise InvalidInput(f"the composed prompt is longer than {MAX_PROMPT_CHARS} characters")


@dataclass(frozen=True)
class CameraSetup:
    """The framing part of a camera (A, B, C…) that modifies the shot's composed prompt."""

    shot_size: str = ""
    angle: str = ""
    movement: str = ""
    lens: str = ""


def _clean(value: object) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def diff_fields(old: PromptFields, new: PromptFields) -> list[tuple[str, str, str]]:
    """(field, old, new) for every field that changed, in display order."""
    return [
        (name, getattr(old, name), getattr(new, name))
        for name in PromptFields.names()
        if getattr(old, name) != getattr(new, name)
    ]


def diff_text(old: PromptFields, new: PromptFields, old_label: str = "old", new_label: str = "new") -> str:
    """A unified diff of the two versions, one field per line, for terminals and tooltips."""
    def lines(p: PromptFields) -> list[str]:
        return [f"{name}: {getattr(p, name)}\n" for name in PromptFields.names()]

    return "".join(difflib.unified_diff(lines(old), lines(new), old_label, new_label, n=0))
