"""Director: a prompt-to-shot workstation for film makers."""

__version__ = "0.1.0"
