"""The one seam to the engine's incremental analysis, run beside the pose loop.

The live loop never segments reps or measures anything itself: every processed
frame goes to :class:`squatcheck.analysis.incremental.IncrementalAnalyzer`,
which reports each rep (with its findings and rating) shortly after it ends.

It runs on its own thread: its periodic checks cost ~10-50 ms and closing a rep
up to ~0.2 s (measured on 10-30 s clips), which would otherwise freeze the
picture for those frames. Frames are queued in order (the engine needs all of
them); events come back tagged with the capture time of the frame that closed
the rep, so the loop can clock glass-to-cue latency.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass

import numpy as np

from ..analysis.result import Rep


@dataclass(frozen=True)
class RepDone:
    """A rep the engine closed, and when the frame that closed it was captured."""

    t_s: float
    rep: Rep
    captured_at: float


class EngineWorker:
    """``submit(...)`` frames in order; ``events()`` returns what the engine reported since.

    An engine error does not end the session (the recording and the final report
    matter more than the live count): live analysis stops, ``error`` says why.
    """

    def __init__(self, image_size: tuple[int, int], fps_hz: float, *, profile=None):
        from ..analysis.incremental import IncrementalAnalyzer

        self._engine = IncrementalAnalyzer(image_size=image_size, fps_hz=fps_hz,
                                           profile=profile)
        self._in: queue.Queue = queue.Queue()
        self._out: queue.Queue = queue.Queue()
        self.error: str | None = None
        self.rep_count = 0
        self.backlog_max = 0
        self._thread = threading.Thread(target=self._run, name="squatcheck-engine", daemon=True)
        self._thread.start()

    def submit(self, t_s: float, image_lm: np.ndarray | None, world_lm: np.ndarray | None,
               captured_at: float) -> None:
        """One processed frame: ``image_lm`` (33, 5) normalised x, y, z, visibility,
        presence and ``world_lm`` (33, 3) metres, or None when nobody was found."""
        if self.error is None:
            self._in.put((t_s, image_lm, world_lm, captured_at))
            self.backlog_max = max(self.backlog_max, self._in.qsize())

    def events(self) -> list[RepDone]:
        out = []
        while True:
            try:
                out.append(self._out.get_nowait())
            except queue.Empty:
                return out

    def finish(self, timeout_s: float = 30.0) -> list[RepDone]:
        """Drain the queue, close a rep still open, stop the thread; the last events."""
        self._in.put(None)
        self._thread.join(timeout_s)
        return self.events()

    def _run(self) -> None:
        while (item := self._in.get()) is not None:
            if self.error is not None:
                continue
            t_s, image_lm, world_lm, captured_at = item
            self._call(self._engine.update, (t_s, image_lm, world_lm), captured_at)
        if self.error is None:
            self._call(self._engine.finish, (), None)

    def _call(self, fn, args: tuple, captured_at: float | None) -> None:
        try:
            events = fn(*args)
        except Exception as exc:  # a bug in live analysis must not lose the session
            self.error = f"{type(exc).__name__}: {exc}"
            return
        for event in events:
            self.rep_count += 1
            self._out.put(RepDone(float(event.t_s), event.rep, captured_at))
