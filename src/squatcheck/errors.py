"""Errors a user can act on, each with its own documented exit code.

Every edge (CLI, web, batch, live) turns a ``SquatcheckError`` into one plain
sentence; anything else is a bug and is reported as such (exit 1).
"""

from __future__ import annotations


class SquatcheckError(Exception):
    """A problem with the user's input or machine, not with squatcheck."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InputNotFound(SquatcheckError):
    """The path does not exist, is a folder, or cannot be read."""

    exit_code = 3


class NotAVideo(SquatcheckError):
    """The file exists but holds no decodable video frames."""

    exit_code = 4


class NoPersonFound(SquatcheckError):
    """The video decodes but the pose model finds nobody in it."""

    exit_code = 5


class VideoTooShort(SquatcheckError):
    """Too few frames to follow a movement."""

    exit_code = 6


class ModelError(SquatcheckError):
    """The pose model file is missing, altered or not a pose landmarker."""

    exit_code = 7


class CameraUnavailable(SquatcheckError):
    """No camera at that index, or it delivered no frames."""

    exit_code = 8


class ProfileError(SquatcheckError):
    """A profile TOML file that cannot be read or sets unknown keys."""

    exit_code = 9


class OutputNotWritable(SquatcheckError):
    """The output folder cannot be written (a file in the way, no permission, disk full)."""

    exit_code = 10


class NoDisplay(SquatcheckError):
    """No screen to show the live window on (use --no-window)."""

    exit_code = 11


# Not an error: the batch ran and wrote every output, but not every clip succeeded.
BATCH_CLIPS_FAILED = 12

EXIT_CODES = {
    0: "success",
    1: "unexpected internal error (a bug: please report it with the input)",
    2: "bad command-line usage",
    **{cls.exit_code: cls.__doc__.strip() for cls in (
        InputNotFound, NotAVideo, NoPersonFound, VideoTooShort, ModelError,
        CameraUnavailable, ProfileError, OutputNotWritable, NoDisplay)},
    BATCH_CLIPS_FAILED: "A batch ran to the end but some clips failed (its summary says why).",
    130: "interrupted (Ctrl-C)",
}
