"""The command line: `director` opens the window, `director PATH` opens a project, and
`director VERB [SUBVERB] PROJECT …` does the same work as the window without Qt.

Exit codes: 0 done, 1 refused or failed (a message, no traceback), 2 usage error.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from director import __version__
from director.core.errors import DirectorError

# Each module registers its verbs with register(subparsers).
COMMAND_MODULES = [
    "director.commands.project",
    "director.commands.scenes",
    "director.commands.shots",
    "director.commands.prompts",
    "director.commands.cameras",
    "director.commands.looks",
    "director.commands.takes",
    "director.commands.timelog",
    "director.commands.demo",
    "director.commands.models",
    "director.commands.generate",
    "director.commands.sweep",
    "director.commands.conform",
    "director.commands.queue",
    "director.commands.report",
    "director.commands.export",
    "director.commands.timeline",
    "director.commands.cuts",
    "director.commands.engine",
    "director.commands.engine_settings",
    "director.commands.script",
    "director.commands.steering",
    "director.commands.previz",
    "director.commands.audio",
    "director.commands.roto",
    "director.commands.qc",
]

log = logging.getLogger("director")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="director",
        description="Director: write shot prompts, generate takes, review, cut and cost them.",
        epilog="Run 'director' alone to open the window, or 'director PROJECT' to open a project in it.",
    )
    parser.add_argument("--version", action="version", version=f"director {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(sub)
    return parser


def _wants_window(argv: list[str]) -> bool:
    """No arguments, or one argument that is a project path rather than a verb or option."""
    if not argv:
        return True
    if len(argv) == 1 and not argv[0].startswith("-"):
        return argv[0].endswith(".director") or os.path.exists(argv[0])
    return False


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO if "-v" in argv or "--verbose" in argv else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if _wants_window(argv):
        from director.ui.app import run_app

        return run_app(argv[0] if argv else None)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not as a warning at interpreter exit
        return code
    except BrokenPipeError:
        return _reader_went_away()
    except DirectorError as exc:
        print(f"director: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("director: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the boundary: log the traceback once, show a sentence
        log.debug("unexpected error", exc_info=True)
        print(f"director: unexpected error: {exc.__class__.__name__}: {exc} (run with -v for details)", file=sys.stderr)
        if "-v" in argv or "--verbose" in argv:
            import traceback

            traceback.print_exc()
        return 1


def _reader_went_away() -> int:
    """`director queue list | head -1`: the reader closed the pipe, which is not a failure.
    Point stdout at devnull so the interpreter's final flush cannot raise again (the Python docs'
    recipe for SIGPIPE), and exit 0: what the reader wanted, it got."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a real file (a test's capture): nothing to flush
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
