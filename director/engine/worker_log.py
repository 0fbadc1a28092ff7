"""The engine worker's logging: tracebacks go to the engine log once, the terminal gets one line,
and the text encoders' truncation warnings become a note in the job's meter.

Part of the worker process (`engine.worker` is its entry point); imports no torch.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

TRUNCATION_MARK = "part of your input was truncated"
# Director reads and writes images with PIL; transformers' PIL image processors are the ones meant.
BENIGN_MARKS = ("requires torchvision (not installed); falling back to",)


class _TruncationNotes(logging.Filter):
    """Text encoders cut a prompt at their token limit by design (the tiny presets' tokenizer at
    128 characters), and diffusers warns about it on stderr at every job, which the CLI and the
    demo would show to users. The warning is kept off stderr; the first one of a job goes into
    its meter (`warnings`) instead. Notices that never concern a user (BENIGN_MARKS) are dropped."""

    def __init__(self) -> None:
        super().__init__()
        self.notes: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TRUNCATION_MARK not in message:
            return not any(mark in message for mark in BENIGN_MARKS)
        if not self.notes:
            # "…truncated because `max_sequence_length` is set to 128 tokens: ['the cut text']"
            reason = " ".join(message.split(":", 1)[0].split()).partition(" because ")[2]
            self.notes.append(f"the prompt was truncated because {reason}" if reason else "the prompt was truncated")
        return False


truncation_notes = _TruncationNotes()  # the current job's notes (one job at a time)


def quiet_truncation_warnings() -> None:
    """Put the filter on the handlers diffusers and transformers log to stderr with (configured
    first, so the handlers exist), and on the root logger's in case a library propagates."""
    import importlib

    targets = list(logging.getLogger().handlers)
    for lib in ("diffusers", "transformers"):
        try:
            lib_logging = importlib.import_module(f"{lib}.utils.logging")
        except ImportError:
            continue
        library_logger = lib_logging.get_logger(lib)
        targets += [library_logger, *library_logger.handlers]
    for target in targets:
        if truncation_notes not in target.filters:
            target.addFilter(truncation_notes)


_log_path: Path | None = None  # where this process writes tracebacks (set by log_to_file)


def engine_log_path() -> Path:
    """The engine's log: in Director's settings folder, beside engine.json and the presets."""
    from director.engine.presets import config_dir

    return config_dir() / "logs" / "engine.log"


class _NoTracebacks(logging.Filter):
    """On the terminal a failure is the one line the app prints; its traceback is in the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.exc_info is None


def log_to_file() -> Path | None:
    """Tracebacks go to the engine log, once; the terminal gets only warnings without them."""
    global _log_path
    from logging.handlers import RotatingFileHandler

    root = logging.getLogger()
    for path in (engine_log_path(), Path(tempfile.gettempdir()) / f"director-engine-{os.getuid() if hasattr(os, 'getuid') else 0}.log"):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = RotatingFileHandler(path, maxBytes=2**20, backupCount=3, encoding="utf-8")
        except OSError:
            continue
        handler.setFormatter(logging.Formatter("%(asctime)s pid %(process)d %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        _log_path = path
        break
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            handler.addFilter(_NoTracebacks())
    return _log_path


def current_log_path() -> Path | None:
    """Where this process writes tracebacks, once log_to_file() found a writable place."""
    return _log_path
