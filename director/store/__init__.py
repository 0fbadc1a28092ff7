"""The project file: the only code that reads or writes NAME.director and its media folder."""

from director.store.project import Project

__all__ = ["Project"]
