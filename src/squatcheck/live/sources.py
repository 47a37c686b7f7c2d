"""Frame sources that never fall behind: only the newest frame is handed out.

A camera delivers frames whether we are ready or not; a pose loop that reads
them in order drifts further behind with every slow frame. So a thread grabs
continuously and keeps only the newest frame in a one-slot mailbox; the loop
takes whatever is newest and the rest are dropped (but still recorded: every
grabbed frame also goes to the ``on_frame`` sink, e.g. the session recorder).

A file source plays in real time by its timestamps, so a test on a clip sees
what a camera would give: frames released at their own time, dropped when the
loop is busy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import CameraUnavailable
from ..video import VideoReader


@dataclass(frozen=True)
class LiveFrame:
    """One grabbed frame.

    ``index`` counts every frame the source delivered (dropped ones included),
    so it is also the frame number in the session recording. ``t_s`` is the
    source's own timestamp (file position, or camera clock from the first frame);
    ``captured_at`` is ``time.perf_counter()`` when the frame reached us, the
    start of the glass-to-cue latency.
    """

    index: int
    t_s: float
    image: np.ndarray
    captured_at: float


FrameSink = Callable[[LiveFrame], None]


class FrameSource:
    """A grab thread with a one-frame mailbox. Subclasses yield frames in ``_produce``."""

    #: seconds without a new frame after which the source counts as stopped
    stall_timeout_s: float = 3.0
    #: True when running out of frames is the normal end (a file), not a lost camera
    is_file: bool = False

    def __init__(self, on_frame: FrameSink | None = None):
        self.on_frame = on_frame
        self._cond = threading.Condition()
        self._latest: LiveFrame | None = None
        self._taken_index = -1
        self._ended = False
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.frames_grabbed = 0
        self.last_frame_at: float | None = None
        self._last_take_at = time.perf_counter()

    # -- producer side ---------------------------------------------------------
    def _produce(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _run(self) -> None:
        try:
            for frame in self._produce():
                if self._stop.is_set():
                    break
                if self.on_frame is not None:
                    self.on_frame(frame)
                with self._cond:
                    self._latest = frame
                    self.frames_grabbed += 1
                    self.last_frame_at = frame.captured_at
                    self._cond.notify_all()
        except BaseException as exc:  # handed to the consumer
            self._error = exc
        finally:
            with self._cond:
                self._ended = True
                self._cond.notify_all()

    def start(self) -> FrameSource:
        self._last_take_at = time.perf_counter()
        self._thread = threading.Thread(target=self._run, name="squatcheck-grab", daemon=True)
        self._thread.start()
        return self

    # -- consumer side ---------------------------------------------------------
    def next_frame(self, timeout_s: float) -> LiveFrame | None:
        """The newest frame not yet taken; waits up to ``timeout_s``.

        Returns None when the source has ended (or stalled: check :attr:`ended`
        and :attr:`stalled`). Frames that arrived while the caller was busy
        are skipped: that is the point.
        """
        deadline = time.perf_counter() + timeout_s
        with self._cond:
            while True:
                if self._error is not None:
                    raise self._error
                if self._latest is not None and self._latest.index > self._taken_index:
                    self._taken_index = self._latest.index
                    self._last_take_at = time.perf_counter()
                    self._cond.notify_all()  # a paced producer may release the next frame
                    return self._latest
                if self._ended:
                    return None
                left = deadline - time.perf_counter()
                if left <= 0:
                    return None
                self._cond.wait(left)

    @property
    def ended(self) -> bool:
        """The producer finished (end of file, camera gone) and every frame was taken."""
        with self._cond:
            fresh = self._latest is not None and self._latest.index > self._taken_index
            return self._ended and not fresh

    def stalled(self, now: float | None = None) -> bool:
        """No new frame for :attr:`stall_timeout_s` since the last one was taken
        (e.g. a camera unplugged without the driver reporting an error)."""
        now = time.perf_counter() if now is None else now
        last = max(self.last_frame_at or 0.0, self._last_take_at)
        return now - last > self.stall_timeout_s

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)


class CameraSource(FrameSource):
    """A webcam by index. Opening fails with :class:`CameraUnavailable` (exit code 8)."""

    stall_timeout_s = 3.0

    def __init__(self, index: int, on_frame: FrameSink | None = None, *,
                 first_frame_timeout_s: float = 5.0, max_side_px: int | None = None):
        super().__init__(on_frame)
        self.camera_index = index
        self.first_frame_timeout_s = first_frame_timeout_s
        self.reader = VideoReader(index, max_side_px=max_side_px)  # raises CameraUnavailable
        self.info = self.reader.info

    def _produce(self):
        for frame in self.reader:
            yield LiveFrame(frame.index, frame.t_s, frame.image, time.perf_counter())
        # grab() failed: unplugged, or the driver gave up

    def start(self) -> CameraSource:
        super().start()
        with self._cond:
            self._cond.wait_for(lambda: self._latest is not None or self._ended,
                                timeout=self.first_frame_timeout_s)
            if self._latest is None:
                self._stop.set()
                raise CameraUnavailable(
                    f"The camera at index {self.camera_index} opened but sent no picture in "
                    f"{self.first_frame_timeout_s:.0f} s; close other programs using it, or "
                    "pass --camera with another index.")
        return self

    def stop(self) -> None:
        super().stop()
        if self._thread is None or not self._thread.is_alive():
            self.reader.close()
        # else: the grab thread is stuck inside the driver (camera pulled out); releasing
        # the capture under it could crash, so it is left to end with the process


class FileSource(FrameSource):
    """A video file played in real time, like a camera: frames are released at
    ``start + t_s / speed`` and the loop only ever gets the newest one.

    ``realtime=False`` hands out every frame in order instead (the consumer
    waits for each), for a deterministic run of the same code.
    """

    stall_timeout_s = 10.0  # a slow disk or decoder is not an unplugged camera
    is_file = True

    def __init__(self, path: str | Path, on_frame: FrameSink | None = None, *,
                 realtime: bool = True, speed: float = 1.0, max_side_px: int | None = None):
        super().__init__(on_frame)
        self.reader = VideoReader(path, max_side_px=max_side_px)  # raises InputNotFound etc.
        self.info = self.reader.info
        self.realtime, self.speed = realtime, speed

    def _produce(self):
        t0 = None
        for frame in self.reader:
            if self.realtime:
                t0 = time.perf_counter() - frame.t_s / self.speed if t0 is None else t0
                wait = t0 + frame.t_s / self.speed - time.perf_counter()
                if wait > 0 and self._stop.wait(wait):
                    return
            else:
                self._wait_until_taken()
                if self._stop.is_set():
                    return
            yield LiveFrame(frame.index, frame.t_s, frame.image, time.perf_counter())

    def _wait_until_taken(self) -> None:
        with self._cond:
            while (self._latest is not None and self._latest.index > self._taken_index
                   and not self._stop.is_set()):
                self._cond.wait(0.1)

    def stop(self) -> None:
        super().stop()
        self.reader.close()
