"""Fault tests reuse the export suite's film: a project with real takes in its media store."""

from tests.export.conftest import film, out_dir  # noqa: F401  (pytest fixtures)
