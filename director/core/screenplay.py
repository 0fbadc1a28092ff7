"""A screenplay broken down into scenes, proposed shots, dialogue and a cast — no project involved.

Parsing uses `fountain-parser` (typed AST, Fountain 1.1, pure Python, maintained in 2026); of the
three Fountain parsers on PyPI it is the only one that keeps forced scene numbers (`#12A#`) and
groups dialogue blocks, `screenplain` is a converter whose parser yields rendering paragraphs, and
`jouvence` was last released in 2020. None of them reads Final Draft's FDX.

The mapping: a scene heading becomes a scene (its number kept); each action paragraph becomes a
proposed shot with a prompt draft (who is in it, what happens, where, and light from the time of
day); the dialogue that follows an action stays with that shot; speaking characters become the
cast. Every scene and shot has a stable key so a re-import after a rewrite can merge.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from director.core.errors import InvalidInput
from director.core.prompt import PromptFields

INT_EXT = re.compile(r"^(INT\.?/EXT\.?|EXT\.?/INT\.?|I/E\.?|INT\.?|EXT\.?|EST\.?)\s+", re.IGNORECASE)
# Light a time of day implies; the director can change it in the prompt like any other field.
LIGHT_BY_TIME = {
    "DAY": "natural daylight",
    "MORNING": "soft morning light",
    "AFTERNOON": "bright afternoon light",
    "EVENING": "warm evening light",
    "DUSK": "dusk, fading blue-hour light",
    "SUNSET": "golden-hour sunset light",
    "DAWN": "dawn, cool early light",
    "SUNRISE": "golden sunrise light",
    "NIGHT": "night, practical lights and deep shadows",
    "CONTINUOUS": "",
    "LATER": "",
    "MOMENTS LATER": "",
}


@dataclass(frozen=True)
class Line:
    character: str
    text: str
    parenthetical: str = ""


@dataclass(frozen=True)
class ScriptShot:
    key: str  # stable across rewrites: the scene's key and the paragraph's place in it
    action: str
    characters: tuple[str, ...] = ()
    dialogue: tuple[Line, ...] = ()

    @property
    def digest(self) -> str:
        text = self.action + "\n" + "\n".join(f"{d.character}|{d.parenthetical}|{d.text}" for d in self.dialogue)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ScriptScene:
    key: str
    number: str  # as written (#12A#), or assigned in order when the script has none
    heading: str
    int_ext: str = ""
    location: str = ""
    time_of_day: str = ""
    shots: tuple[ScriptShot, ...] = ()

    @property
    def setting(self) -> str:
        place = {"INT": "interior", "EXT": "exterior"}.get(self.int_ext, "interior and exterior" if "/" in self.int_ext else "")
        return ", ".join(p for p in (place, self.location.lower()) if p)

    @property
    def lighting(self) -> str:
        return LIGHT_BY_TIME.get(self.time_of_day.upper(), self.time_of_day.lower())


@dataclass(frozen=True)
class Breakdown:
    title: str
    scenes: tuple[ScriptScene, ...]
    cast: tuple[str, ...] = ()

    @property
    def shot_count(self) -> int:
        return sum(len(s.shots) for s in self.scenes)


def split_heading(heading: str) -> tuple[str, str, str]:
    """'INT. DINER - NIGHT' → ('INT', 'DINER', 'NIGHT')."""
    text = heading.strip()
    m = INT_EXT.match(text)
    int_ext = ""
    if m:
        int_ext = m.group(1).upper().rstrip(".").replace(".", "")
        text = text[m.end():]
    location, _, time = text.rpartition(" - ")
    if not location:
        location, time = text, ""
    return int_ext, location.strip(), time.strip().upper()


def _scene_number(raw: str | None, order: int, used: set[str]) -> str:
    """Shot codes are digits then letters (12, 12A), so scene numbers must look like that too."""
    number = (raw or "").strip().upper()
    if not re.fullmatch(r"\d{1,5}[A-Z]{0,2}", number) or number in used:
        number = str(order)
        while number in used:
            number = str(int(re.match(r"\d+", number).group()) + 1)
    used.add(number)
    return number


def _names_in(text: str, cast: set[str]) -> tuple[str, ...]:
    """Characters named in an action paragraph (screenplays capitalise a character's first appearance,
    later mentions are in normal case)."""
    found = []
    for name in sorted(cast, key=len, reverse=True):
        if re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE) and name not in found:
            found.append(name)
    return tuple(sorted(found, key=lambda n: re.search(rf"\b{re.escape(n)}\b", text, re.IGNORECASE).start()))


def parse_fountain(text: str, *, title: str = "") -> Breakdown:
    """Break a Fountain screenplay down; refused with a clear message when it has no scene headings."""
    from fountain_parser import parse
    from fountain_parser.ast import Action, Character, Dialogue, Parenthetical

    try:
        play = parse(text)
    except Exception as exc:  # the parser's own errors have no common base
        raise InvalidInput(f"this is not a Fountain screenplay the parser can read: {exc}") from exc
    scenes_in = [s for s in play.scenes if s.heading is not None]
    if not scenes_in:
        raise InvalidInput("the screenplay has no scene headings (lines such as 'INT. DINER - NIGHT'); nothing to import")
    cast: dict[str, None] = {}
    for scene in scenes_in:
        for c in scene.characters:
            cast.setdefault(_character(c.name), None)
    cast_set = set(cast)
    used: set[str] = set()
    out = []
    for order, scene in enumerate(scenes_in, start=1):
        number = _scene_number(scene.heading.scene_number, order, used)
        int_ext, location, time = split_heading(scene.heading.text)
        shots: list[dict] = []
        speaker, paren = "", ""
        for element in scene.elements:
            if isinstance(element, Action):
                if element.text.strip():
                    shots.append({"action": " ".join(element.text.split()), "dialogue": []})
            elif isinstance(element, Character):
                speaker, paren = _character(element.name), ""
            elif isinstance(element, Parenthetical):
                paren = element.text.strip().strip("()")
            elif isinstance(element, Dialogue):
                if not shots:  # dialogue before any action: a shot of the speaker
                    shots.append({"action": "", "dialogue": []})
                shots[-1]["dialogue"].append(Line(speaker, element.text.strip(), paren))
                paren = ""
        key = f"scene:{number}"
        built = []
        for i, s in enumerate(shots, start=1):
            speakers = tuple(dict.fromkeys(d.character for d in s["dialogue"]))
            named = _names_in(s["action"], cast_set)
            built.append(ScriptShot(f"{key}/{i}", s["action"], tuple(dict.fromkeys(named + speakers)), tuple(s["dialogue"])))
        out.append(ScriptScene(key, number, scene.heading.text.strip(), int_ext, location, time, tuple(built)))
    own_title = " ".join(getattr(play, "title_page", {}).get("Title", []))
    name = own_title or title  # the title page wins over the file name
    return Breakdown(name.strip(), tuple(out), tuple(cast))


def _character(name: str) -> str:
    """'JACOB (V.O.)' and 'Jacob' are one character: the cue without extensions, in title case."""
    base = re.sub(r"\s*\(.*?\)\s*", " ", name).replace("^", "").strip()
    return " ".join(w.capitalize() for w in base.split())


def prompt_draft(scene: ScriptScene, shot: ScriptShot, looks: dict[str, str] | None = None) -> PromptFields:
    """A first prompt for a proposed shot: who, what, where, which light. A cast member's look notes
    are added to the subject so every shot of them asks for the same face and costume."""
    looks = looks or {}
    who = [f"{name} ({looks[name]})" if looks.get(name) else name for name in shot.characters]
    action = shot.action or (f"{shot.dialogue[0].character} speaks" if shot.dialogue else "")
    return PromptFields(
        subject=", ".join(who),
        action=action[:1500],
        setting=scene.setting,
        lighting=scene.lighting,
        free_text="" if (who or action) else scene.heading.lower(),
    )


def shot_code(scene_number: str, index: int) -> str:
    """Scene 12's third shot is 12C; past Z the letters continue AA, AB…"""
    letters = ""
    n = index
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    base = re.match(r"\d+", scene_number).group()
    suffix = scene_number[len(base):]
    return f"{base}{suffix}{letters}" if len(suffix + letters) <= 3 else f"{base}{letters}"
