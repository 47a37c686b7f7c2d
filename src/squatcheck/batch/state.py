"""What a batch has already done, so an interrupted batch (even ``kill -9``) resumes.

A clip is identified by the sha256 of its bytes, not its name: a renamed or
moved file is still done, an edited one is not. Each finished clip leaves one
small JSON record under ``OUT/.squatcheck-batch/done/<sha256>.json``, written
to a temporary name and renamed, so a record is either whole or absent. The
record is written only after the clip's outputs were moved into place.

Records carry a settings fingerprint (squatcheck version + profile values + a
hash of the package's sources): a batch re-run with another profile, or after
any change to the engine's code (even without a version bump), does the work again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import SquatcheckError

PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # the installed squatcheck package
CODE_SUFFIXES = (".py", ".toml")  # what decides a result; caches, docs and assets do not
STATE_DIRNAME = ".squatcheck-batch"
MARKER_NAME = ".squatcheck-batch.json"  # inside each clip folder: which content it holds
TMP_PREFIX = ".tmp-"


@dataclass
class ClipRecord:
    """The outcome of one clip's content. ``status`` is "ok" or "failed" (a user error).

    ``fields`` holds the summary columns (exercise, stance, reps, ...); ``outputs``
    maps each report kind to its file name inside the clip folder.
    """

    sha256: str
    settings: str
    status: str
    clip_id: str
    reason: str = ""
    fields: dict = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    cpu_seconds: float = 0.0


def file_sha256(path: Path, *, chunk_bytes: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk_bytes):
            digest.update(block)
    return digest.hexdigest()


def code_fingerprint(root: Path | None = None) -> str:
    """sha256 over the package's ``.py``/``.toml`` files (relative path + bytes, in path
    order), so any change to the engine's code re-runs a batch's clips.

    Whole package, not just ``analysis/``: pose, signals, reports and the batch's own
    summary fields all shape a clip's outputs. ~110 files, under 1 MB: a few ms.
    ``root`` defaults to ``PACKAGE_ROOT`` (read at call time).
    """
    root = Path(root if root is not None else PACKAGE_ROOT)
    digest = hashlib.sha256()
    files = sorted(p for p in root.rglob("*")
                   if p.suffix in CODE_SUFFIXES and p.is_file()
                   and "__pycache__" not in p.relative_to(root).parts)
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def settings_fingerprint(profile=None, code: str | None = None) -> str:
    """Everything besides the clip's bytes that changes its result: the squatcheck
    version, the profile's values (not its file: comments do not count) and the
    code fingerprint (computed here unless given)."""
    from .. import __version__

    values = profile.to_dict() if profile is not None else "default"
    code = code if code is not None else code_fingerprint()
    text = json.dumps({"squatcheck": __version__, "profile": values, "code": code},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write_text_atomic(path: Path, text: str) -> None:
    """Write to a unique temporary name in the same folder, fsync, then rename."""
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}.{uuid.uuid4().hex[:8]}")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class BatchState:
    """The done-records of one output folder, for one settings fingerprint."""

    def __init__(self, out_dir: Path, settings: str):
        self.settings = settings
        self.done_dir = out_dir / STATE_DIRNAME / "done"
        self.done_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.done_dir.glob(f"{TMP_PREFIX}*"):
            stale.unlink(missing_ok=True)

    def get(self, sha256: str) -> ClipRecord | None:
        """The record for this content, or None if absent, unreadable or from other settings."""
        try:
            data = json.loads((self.done_dir / f"{sha256}.json").read_text(encoding="utf-8"))
            record = ClipRecord(**data)
        except (OSError, ValueError, TypeError):
            return None
        return record if record.settings == self.settings else None

    def put(self, record: ClipRecord) -> None:
        write_text_atomic(self.done_dir / f"{record.sha256}.json",
                          json.dumps(asdict(record), indent=1, sort_keys=True))


def marker_matches(clip_dir: Path, sha256: str, settings: str) -> bool:
    """True when ``clip_dir`` holds finished outputs of this content and settings."""
    try:
        data = json.loads((clip_dir / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return data.get("sha256") == sha256 and data.get("settings") == settings


def write_marker(clip_dir: Path, sha256: str, settings: str) -> None:
    (clip_dir / MARKER_NAME).write_text(json.dumps({"sha256": sha256, "settings": settings}))


def place_dir(tmp_dir: Path, final_dir: Path) -> None:
    """Move a finished temporary folder into place, replacing an older one.

    The rename is atomic; a crash between removing the old folder and the
    rename leaves no folder and no record, so the clip simply runs again.
    """
    if final_dir.exists():
        old = final_dir.with_name(f"{TMP_PREFIX}old-{final_dir.name}-{uuid.uuid4().hex[:8]}")
        os.replace(final_dir, old)
        os.replace(tmp_dir, final_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp_dir, final_dir)


def new_tmp_dir(clips_dir: Path, clip_id: str) -> Path:
    return clips_dir / f"{TMP_PREFIX}{clip_id}-{uuid.uuid4().hex[:8]}"


def remove_stale_tmp(clips_dir: Path) -> None:
    """Drop half-written folders left by an interrupted run."""
    for stale in clips_dir.glob(f"{TMP_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)


class BatchBusy(SquatcheckError):
    """Another batch is writing into the same output folder."""


def lock_out_dir(out_dir: Path):
    """Hold an exclusive lock on ``out_dir`` for this process (released on exit, even
    on ``kill -9``); raise BatchBusy if another batch holds it. Returns the open file."""
    state_dir = out_dir / STATE_DIRNAME
    state_dir.mkdir(parents=True, exist_ok=True)
    fh = (state_dir / "lock").open("a")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        raise BatchBusy(f"Another squatcheck batch is writing into {out_dir}; wait for it to "
                        "finish or choose another output folder.") from None
    return fh
