"""Errors a user can act on. Each carries a message meant for a person, not a traceback."""


class DirectorError(Exception):
    """Base for refusals and failures the CLI and UI show as a message (exit code 1)."""


class NotFound(DirectorError):
    """A shot, take, camera or other named thing does not exist."""


class InvalidInput(DirectorError):
    """A value the user gave breaks a rule; the message names the rule."""


class Refused(DirectorError):
    """An action is not allowed in the current state (locked shot, budget cap, read-only project)."""
