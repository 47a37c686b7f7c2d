"""Files in and out: an input must be a regular file (a pipe would be read forever), an
output is written whole or not at all, and a failed write says so in one sentence."""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Callable
from pathlib import Path

from .errors import InputNotFound, OutputNotWritable


def require_file(path: Path, kind: str = "video file") -> None:
    """Raise ``InputNotFound`` in one sentence unless ``path`` is a regular file: reading a
    pipe or a device would wait, or read, forever."""
    if not path.exists():
        if path.is_symlink():
            raise InputNotFound(f"{path} is a link to a file that does not exist (or to "
                                "itself); give the video file itself.")
        raise InputNotFound(f"{path} does not exist; check the path and try again.")
    if path.is_dir():
        raise InputNotFound(f"{path} is a folder, not a {kind}; give one {kind} "
                            "(or use 'squatcheck batch' for a folder).")
    if not path.is_file():
        raise InputNotFound(f"{path} is not a regular file (a pipe, device or socket); give "
                            f"a {kind}.")


def write_atomic(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a sibling temporary path, then rename it to ``path``.

    The temporary name keeps the suffix (``x.npz`` -> ``x.npz.partial.npz``), so tools
    that go by it still read it. A folder in the way, a missing permission, a read-only
    or full disk raise ``OutputNotWritable`` in one sentence, and the temporary file is
    removed; an earlier file at ``path`` stays as it was.
    """
    path = Path(path)
    tmp = path.with_name(f"{path.name}.partial{path.suffix}")
    try:
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "a folder is in the way", str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        why = exc.strerror or type(exc).__name__
        raise OutputNotWritable(f"Cannot write {path} ({why}); choose another path, or free "
                                "some disk space.") from exc
    return path


def writing_failed(exc: OSError, out_dir: Path) -> bool:
    """Whether ``exc`` came from writing into ``out_dir`` (its own path, or a full or
    read-only disk), not from reading an input."""
    inside = exc.filename and Path(exc.filename).resolve().is_relative_to(out_dir.resolve())
    return bool(inside) or exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS)


def folder_not_writable(out_dir: Path, exc: OSError) -> OutputNotWritable:
    why = exc.strerror or type(exc).__name__
    return OutputNotWritable(f"Cannot write into {out_dir} ({why}); choose another output "
                             "folder with -o, or free some disk space.")
