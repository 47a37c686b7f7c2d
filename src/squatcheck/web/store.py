"""Past analyses on disk: one folder per analysis and an SQLite index of them.

Layout under the data directory::

    index.sqlite3
    analyses/<id>/input.<ext>     the uploaded video, as received
    analyses/<id>/out/            report.html, annotated.webm, result.json, reps.csv, track.npz

Ids are random and unguessable (``secrets.token_urlsafe``); every id coming
from a request is checked against ``ID_PATTERN`` and every path is resolved and
checked to lie under the data directory, so no request can name another file.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import sqlite3
import threading
import time
from pathlib import Path

ID_BYTES = 16
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22}$")  # token_urlsafe(16) is 22 characters
STATUSES = ("queued", "running", "done", "failed")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS analyses (
    id TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    input_name TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    created_at REAL NOT NULL,
    status TEXT NOT NULL,
    stage TEXT,
    progress REAL NOT NULL DEFAULT 0,
    error TEXT,
    started_at REAL,
    finished_at REAL,
    outputs TEXT,
    summary TEXT
)
"""
_JSON_COLUMNS = ("outputs", "summary")
_UPDATABLE = {"status", "stage", "progress", "error", "started_at", "finished_at", "outputs",
              "summary"}


def new_id() -> str:
    """A random id nobody can guess (128 bits)."""
    return secrets.token_urlsafe(ID_BYTES)


def valid_id(analysis_id: str) -> bool:
    return bool(ID_PATTERN.fullmatch(analysis_id or ""))


class Store:
    """Thread-safe index of analyses plus their folders. One per server."""

    def __init__(self, data_dir: str | Path):
        self.root = Path(data_dir).expanduser().resolve()
        self.analyses_dir = self.root / "analyses"
        if not self.root.exists():
            self.root.mkdir(parents=True, mode=0o700)  # patient video: this user only
        self.analyses_dir.mkdir(mode=0o700, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.root / "index.sqlite3", check_same_thread=False,
                                   isolation_level=None)
        self._db.row_factory = sqlite3.Row
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def folder(self, analysis_id: str) -> Path:
        """The folder of an analysis; raises ValueError for anything but a well-formed id."""
        if not valid_id(analysis_id):
            raise ValueError(f"not an analysis id: {analysis_id!r}")
        path = (self.analyses_dir / analysis_id).resolve()
        if path.parent != self.analyses_dir:
            raise ValueError(f"not an analysis id: {analysis_id!r}")
        return path

    def output_file(self, analysis_id: str, name: str) -> Path | None:
        """An existing file directly inside the analysis's output folder, else None."""
        out = self.folder(analysis_id) / "out"
        path = (out / name).resolve()
        if path.parent != out or not path.is_file():
            return None
        return path

    def add(self, analysis_id: str, *, filename: str, input_name: str, size_bytes: int) -> None:
        self.folder(analysis_id)  # validates
        with self._lock:
            self._db.execute(
                "INSERT INTO analyses (id, filename, input_name, size_bytes, created_at, status, "
                "progress) VALUES (?, ?, ?, ?, ?, 'queued', 0)",
                (analysis_id, filename, input_name, size_bytes, time.time()))

    def update(self, analysis_id: str, **fields) -> None:
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        values = [json.dumps(v) if k in _JSON_COLUMNS and v is not None else v
                  for k, v in fields.items()]
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self._lock:
            self._db.execute(f"UPDATE analyses SET {sets} WHERE id = ?", (*values, analysis_id))

    def get(self, analysis_id: str) -> dict | None:
        if not valid_id(analysis_id):
            return None
        with self._lock:
            row = self._db.execute("SELECT * FROM analyses WHERE id = ?",
                                   (analysis_id,)).fetchone()
        return _row_dict(row) if row else None

    def list(self, limit: int = 500) -> list[dict]:
        """Newest first."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM analyses ORDER BY created_at DESC LIMIT ?",
                                    (limit,)).fetchall()
        return [_row_dict(r) for r in rows]

    def count(self, status: str) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM analyses WHERE status = ?",
                                    (status,)).fetchone()[0]

    def delete(self, analysis_id: str) -> bool:
        """Remove the row and the folder; False if there was no such analysis."""
        folder = self.folder(analysis_id)
        with self._lock:
            gone = self._db.execute("DELETE FROM analyses WHERE id = ?",
                                    (analysis_id,)).rowcount
        shutil.rmtree(folder, ignore_errors=True)
        return bool(gone)

    def recover(self) -> list[str]:
        """After a restart: fail what was running, return what was queued (oldest first)."""
        with self._lock:
            self._db.execute(
                "UPDATE analyses SET status = 'failed', finished_at = ?, error = ? "
                "WHERE status = 'running'",
                (time.time(), "The server stopped while this video was being analysed; "
                 "upload it again."))
            rows = self._db.execute("SELECT id FROM analyses WHERE status = 'queued' "
                                    "ORDER BY created_at").fetchall()
        return [r["id"] for r in rows]


def _row_dict(row: sqlite3.Row) -> dict:
    out = dict(row)
    for key in _JSON_COLUMNS:
        out[key] = json.loads(out[key]) if out[key] else None
    return out
