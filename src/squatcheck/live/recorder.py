"""Save every grabbed frame of a session to a video file, off the pose loop's thread.

Format: Motion-JPEG in AVI by default. It costs about 2.5 ms of CPU per 640x480
frame here, against about 35 ms for VP8 WebM (cv2.VideoWriter gives no way to
pick libvpx's real-time speed), and a live session cannot spare a core for the
encoder. MJPG frames are independent, so the file stays decodable up to the
last frame written even if the process dies, and OpenCV re-reads it for the
report. ``fmt="webm"`` records VP8 instead when the machine has CPU to spare.

The file is written under a ``.partial`` name and renamed when closed, so a
finished name always means a finished file. Frame rate: a file source gives
its own; a camera's real rate is measured over the first second (frames wait
in the queue meanwhile), since webcams often run slower than they claim.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import cv2
import numpy as np

from .sources import LiveFrame

FORMATS = {"avi": ("MJPG", ".avi"), "webm": ("VP80", ".webm")}
PROBE_FRAMES = 30
QUEUE_FRAMES = 90  # ~3 s at 30 fps, ~80 MB at 640x480: room for a CPU hiccup


class SessionRecorder:
    """A sink for :class:`LiveFrame` (pass ``recorder.add`` as a source's ``on_frame``)."""

    def __init__(self, path_stem: str | Path, *, fmt: str = "avi", fps: float | None = None):
        fourcc, suffix = FORMATS[fmt]
        self.path = Path(path_stem).with_suffix(suffix)
        self._tmp = self.path.with_name(self.path.name + ".partial" + suffix)
        self._fourcc = cv2.VideoWriter_fourcc(*fourcc)
        self.fps = fps if fps and 0 < fps < 1000 else None
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUE_FRAMES)
        self._writer: cv2.VideoWriter | None = None
        self._pending: list[LiveFrame] = []
        self._size: tuple[int, int] | None = None
        self.frames_written = 0
        self.frames_lost = 0
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name="squatcheck-record", daemon=True)
        self._thread.start()

    def add(self, frame: LiveFrame) -> None:
        """Queue a frame (called on the grab thread). Waits up to 1 s if the encoder is behind."""
        try:
            self._queue.put(frame, timeout=1.0)
        except queue.Full:
            self.frames_lost += 1

    def _run(self) -> None:
        while (frame := self._queue.get()) is not None:
            try:
                self._write(frame)
            except Exception as exc:  # recording must never take the session down
                self.error = f"{type(exc).__name__}: {exc}"
        try:
            if self._writer is None and self._pending:
                self._open(self._estimate_fps())
            for pending in self._pending:
                self._write_now(pending)
            self._pending.clear()
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"

    def _write(self, frame: LiveFrame) -> None:
        if self._writer is None:
            self._pending.append(frame)
            if self.fps is None and len(self._pending) < PROBE_FRAMES:
                return
            self._open(self.fps or self._estimate_fps())
            for pending in self._pending:
                self._write_now(pending)
            self._pending.clear()
            return
        self._write_now(frame)

    def _estimate_fps(self) -> float:
        t = np.array([f.t_s for f in self._pending])
        if len(t) < 2:
            return 30.0
        return float(np.clip(1.0 / np.median(np.diff(t)), 1.0, 120.0))

    def _open(self, fps: float) -> None:
        h, w = self._pending[0].image.shape[:2]
        self._size = (w, h)
        self.fps = fps
        self.path.parent.mkdir(parents=True, exist_ok=True)
        writer = cv2.VideoWriter(str(self._tmp), cv2.CAP_FFMPEG, self._fourcc, fps, (w, h))
        if not writer.isOpened():
            raise RuntimeError(f"cannot open a video writer for {self._tmp}")
        self._writer = writer

    def _write_now(self, frame: LiveFrame) -> None:
        image = frame.image
        if (image.shape[1], image.shape[0]) != self._size:  # a camera changed mode mid-session
            image = cv2.resize(image, self._size)
        self._writer.write(image)
        self.frames_written += 1

    def close(self) -> Path | None:
        """Flush, finalise and rename; returns the finished file (None if nothing was recorded)."""
        self._queue.put(None)
        self._thread.join()
        if self._writer is None:
            return None
        self._writer.release()
        self._writer = None
        if self.frames_written == 0:
            self._tmp.unlink(missing_ok=True)
            return None
        self._tmp.replace(self.path)
        return self.path

    def discard(self) -> None:
        """Stop and delete the partial file (used when the session is abandoned)."""
        self.close()
        self.path.unlink(missing_ok=True)
