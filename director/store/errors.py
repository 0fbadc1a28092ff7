"""Why a project file was refused. Each message says what the file is and what to do."""

from director.core.errors import DirectorError


class ProjectOpenError(DirectorError):
    """The file was not opened and was left exactly as it was."""


class NotSQLiteFile(ProjectOpenError):
    pass


class NotADirectorProject(ProjectOpenError):
    pass


class DamagedProject(ProjectOpenError):
    pass


class NewerProject(ProjectOpenError):
    pass


class ProjectLocked(ProjectOpenError):
    def __init__(self, message: str, pid: int, host: str, since: str):
        super().__init__(message)
        self.pid, self.host, self.since = pid, host, since


class ReadOnlyProject(ProjectOpenError):
    """The file or its folder cannot be written (permissions, a read-only disk): open it read-only."""
