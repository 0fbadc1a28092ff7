"""Messages for the window: where the store or the engine says "run `director …`" for something the
window does itself, say where in the window instead.

The store's and the engine's messages are written for the command line as well (a budget refusal
ends "Raise the cap with: director shot set FILM 12A --budget 60"); shown in the window, that
sends a director to a terminal for a field one shortcut away. `for_window` rewrites only the hints
it knows (each rule below names the window's own control) and leaves every other sentence alone,
including the hints for what only the command line can do (`director check --repair`, pulling
model weights).
"""

from __future__ import annotations

import re

SHOT_PANEL = "Shot ▸ Shot Properties…, Ctrl+I"
SETTINGS = "File ▸ Settings… ▸ Project"

_RULES: list[tuple[re.Pattern, str]] = [
    # Budget caps (core.budget's refusal, with store.ledger's raise command).
    (re.compile(r"Raise the cap with: director shot set .+? (?P<code>\S+) --budget-gpu-minutes (?P<v>[\d.]+)"),
     rf"Raise shot \g<code>'s GPU budget to \g<v> minutes in the Shot panel ({SHOT_PANEL})"),
    (re.compile(r"Raise the cap with: director shot set .+? (?P<code>\S+) --budget (?P<v>[\d.]+)"),
     rf"Raise shot \g<code>'s budget to \g<v> in the Shot panel ({SHOT_PANEL})"),
    (re.compile(r"Raise the cap with: director settings .+? --budget-gpu-minutes (?P<v>[\d.]+)"),
     rf"Raise the project's GPU budget to \g<v> minutes in {SETTINGS}"),
    (re.compile(r"Raise the cap with: director settings .+? --budget (?P<v>[\d.]+)"),
     rf"Raise the project's budget to \g<v> in {SETTINGS}"),
    # Lookups that name a listing command: the panel that lists the same.
    (re.compile(r"; list takes with: director takes list .+? SHOT"), "; the Takes panel lists the current shot's takes"),
    (re.compile(r"; see: director cut show .+?(?=$|\n)"), "; the Timeline panel shows the cut"),
    (re.compile(r"; list them with: director queue list .+?(?=$|\n)"), "; the Queue panel (Ctrl+5) lists them"),
    (re.compile(r"; list them with: director report time .+?(?=$|\n)"), "; Generate ▸ Log Time… (Ctrl+Shift+T) lists them"),
    (re.compile(r"; add one with: director scene add"), "; add one with Shot ▸ Add Scene… (Ctrl+Alt+N)"),
    (re.compile(r"; create one with: director new .+?(?=$|\n)"), "; create one with File ▸ New Project…"),
    (re.compile(r"write one first \(director prompt set [^)]*\)"), "write one first in the Prompt panel (Ctrl+2)"),
]


def for_window(text: str) -> str:
    """The message with every command-line hint the window has a control for pointed at that control."""
    if not text or "director " not in text:
        return text
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
