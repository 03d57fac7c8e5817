"""Messages that workers and the label writer post to the screens."""

from __future__ import annotations

from textual.message import Message

from labeler.review.label_writer import WriteOutcome
from labeler.review.queue import QueueProgress


class ProgressCounted(Message):
    """The queue was counted."""

    def __init__(self, progress: QueueProgress) -> None:
        super().__init__()
        self.progress = progress


class WriteFinished(Message):
    """A label write that had been pending is done (stored, or refused)."""

    def __init__(self, outcome: WriteOutcome) -> None:
        super().__init__()
        self.outcome = outcome


class WriterStatus(Message):
    """The label writer's queue changed: how many writes pend, and the last error."""

    def __init__(self, pending: int, error: str | None) -> None:
        super().__init__()
        self.pending = pending
        self.error = error
