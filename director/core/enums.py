"""States stored as their string value, so a query and a human in sqlite3 read the same word."""

from enum import StrEnum


class ShotStatus(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    APPROVED = "approved"
    LOCKED = "locked"


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class TakeFlag(StrEnum):
    NONE = "none"
    SELECTED = "selected"
    REJECTED = "rejected"


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"


class FailureKind(StrEnum):
    """Why a job failed; each kind has its own advice for the user."""

    OOM = "oom"
    MISSING_WEIGHTS = "missing_weights"
    INVALID_PARAMS = "invalid_params"
    CANCELLED = "cancelled"
    CRASHED = "crashed"
    INTERRUPTED = "interrupted"
    ERROR = "error"
