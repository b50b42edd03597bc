"""Every error the project reports to a person, under one base, each with the exit code it means.

A `ReviewerError`'s `str()` is one line that names the file and the place where there is one; the
command line prints it as `error: <message>` and exits with `exit_code` (reviewer.cli.root, the one
place that does), and the app shows it. Errors a module raises and catches inside itself (a parser's
"not this format", a retryable HTTP status) are not here: they never reach a person.

The modules that raise these re-export them (`reviewer.store.StoreError`, ...), so callers import
them from where they come from or from here alike. Errors that were `ValueError`s keep that base:
code written against the builtin still catches them.
"""

from __future__ import annotations

__all__ = [
    "Cancelled",
    "DataError",
    "InputError",
    "JudgeError",
    "LabelMismatch",
    "LabelRejected",
    "MigrationError",
    "ModelError",
    "OptionError",
    "Reported",
    "ReviewerError",
    "RevealRefused",
    "SpanMismatch",
    "StoreError",
    "TaxonomyError",
    "TrajectoryConflict",
    "UnknownTrajectory",
]


class ReviewerError(Exception):
    """Something a person must hear about; the message is one line. Exit code 1: it failed."""

    exit_code = 1


class OptionError(ReviewerError, ValueError):
    """An option's value cannot be used (an unknown verdict, shares that do not add up): a usage
    error, exit code 2, like a value click itself refuses."""

    exit_code = 2


class Reported(ReviewerError):
    """A failure already told, one line per problem (an import's bad files) or by the app itself:
    the command exits with `exit_code` and prints nothing more."""

    def __init__(self, exit_code: int = 1):
        super().__init__("")
        self.exit_code = exit_code


class UnknownTrajectory(ReviewerError):
    """An id the project does not hold."""

    def __init__(self, trajectory_id: str):
        super().__init__(f"unknown trajectory {trajectory_id!r}")
        self.trajectory_id = trajectory_id


class InputError(ReviewerError):
    """Bad input at a known place: `str()` is `file:place: message` on one line."""

    def __init__(self, file: str, place: str | None, message: str):
        self.file = file
        self.place = place
        self.message = " ".join(message.split())
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.file}:{self.place}: {self.message}" if self.place else f"{self.file}: {self.message}"


class StoreError(ReviewerError):
    """The project file cannot be used: not SQLite, another application's, too new, unreadable."""


class WriteRefused(StoreError):
    """The server refused a write for the login (row-level security: a reviewer writes only their own
    labels; or no grant at all). Retrying cannot help: only another login or a grant can."""

    def __init__(self, message: str, *, login: str, policy: bool):
        super().__init__(message)
        self.login = login
        self.policy = policy  # a row-level policy refused the row (else the login may not write at all)

    def line(self, annotator: str) -> str:
        """Why, in one line, for a save of `annotator`'s label."""
        if self.policy:
            return f"refused: login {self.login!r} cannot save labels as {annotator!r}"
        return f"refused: login {self.login!r} may not write to this project (its owner runs `reviewer db grant {self.login}`)"


class MigrationError(StoreError):
    """The project file's schema cannot be brought up to date."""


class TrajectoryConflict(ReviewerError, ValueError):
    """An id already stored with different content: importing would silently replace a trajectory."""


class TaxonomyError(ReviewerError, ValueError):
    """The taxonomy file itself is unusable."""


class LabelRejected(ReviewerError, ValueError):
    """The label cannot be stored; the message is one line listing every reason."""


class RevealRefused(LabelRejected):
    """Revealing before the first pass is saved, or twice."""


class LabelMismatch(ReviewerError, ValueError):
    """A stored label that the project's taxonomy or its trajectory no longer fits (a verdict the
    taxonomy has since dropped, a span pointing nowhere)."""


class SpanMismatch(LabelMismatch):
    """A span that does not point into the rendered text: the label and trajectory disagree."""


class JudgeError(ReviewerError):
    """A judge request that failed for good; the message is safe to show (no API key)."""


class Cancelled(JudgeError):
    """The run was cancelled (Ctrl-C, or the app closing) while a request waited or was in flight."""

    exit_code = 130


class DataError(ReviewerError, ValueError):
    """Training data a classifier cannot use: a record that is not an export record with features
    (naming the file and line), or labels of one class only."""


class ModelError(ReviewerError, ValueError):
    """A model file that cannot be used: unreadable, changed since training (its card's hash), naming
    untrusted types, or not a reviewer classifier."""
