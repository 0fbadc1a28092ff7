"""Where Director keeps the user's own files (settings, user presets, logs, the model-hash cache).

Its own module, outside the presets registry, so the empty window can read its settings without
loading the registry before the first paint (issue #24).
"""

from __future__ import annotations

import os
from pathlib import Path


def config_dir() -> Path:
    """DIRECTOR_CONFIG_DIR when set (tests, portable installs), else the XDG config folder."""
    env = os.environ.get("DIRECTOR_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "director"
