"""What an operation changed, so each view refreshes only that (Anki's OpChanges)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    project: bool = False
    scenes: frozenset[int] = field(default_factory=frozenset)
    shots: frozenset[int] = field(default_factory=frozenset)
    shot_order: bool = False
    prompts: frozenset[int] = field(default_factory=frozenset)
    cameras: frozenset[int] = field(default_factory=frozenset)
    takes: frozenset[int] = field(default_factory=frozenset)
    jobs: frozenset[int] = field(default_factory=frozenset)
    timeline: bool = False
    time_log: bool = False
    costs: bool = False
    looks: bool = False
    cast: bool = False  # cast members, their looks and images, which shots use them as references

    def __or__(self, other: Changes) -> Changes:
        merged = {}
        for name in self.__dataclass_fields__:
            a, b = getattr(self, name), getattr(other, name)
            merged[name] = (a | b) if isinstance(a, frozenset) else (a or b)
        return Changes(**merged)

    @classmethod
    def of(cls, **ids) -> Changes:
        """Changes.of(takes=[3], shots=[1], timeline=True)."""
        return cls(**{k: (frozenset(v) if isinstance(v, (list, tuple, set, frozenset)) else v) for k, v in ids.items()})

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__)
