"""The one seam to the engine's incremental analysis, run beside the pose loop.

The live loop never segments reps or measures anything itself: processed
frames go to :class:`squatcheck.analysis.incremental.IncrementalAnalyzer`,
which reports each rep (with its findings and rating) shortly after it ends.

Two things make the live feed fit that engine:

- **A steady rate.** The engine filters at a fixed sampling rate, but the loop
  analyses only the frames it has time for (10-25 of a camera's 30 frames/s,
  varying with load). Fed such frames while told 30 Hz, it missed most reps of
  the sample clips (a measured rate helps only while the load stays put). So
  the landmarks are resampled onto the source's own frame grid by linear
  interpolation between consecutive processed frames (no look-ahead: a grid
  point is sent once the frame after it has been analysed). Gaps longer than
  ``max_interp_gap_s`` (1 s) are sent as "nobody found" rather than invented
  (shorter cut-offs, 0.25-0.5 s, lost reps when the load made the loop stall).
- **Its own thread.** Its periodic checks cost ~10-50 ms and closing a rep up
  to ~0.2 s (measured on 10-30 s clips), which would otherwise freeze the
  picture. Events come back tagged with the capture time of the frame that
  closed the rep, so the loop can clock glass-to-cue latency.

Image evidence (waist line, soles; ``pose/evidence.py``) rides along with each
processed frame; a grid row takes the evidence of the nearer processed frame
(a garment edge's fit does not interpolate), so the live cues read the pelvis
and the heel from the picture as the report does.
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
    captured_at: float | None


class GridResampler:
    """Processed frames at irregular times → rows on a fixed grid ``t0 + k / fps_hz``.

    ``push(t_s, image_lm, world_lm, evidence=None)`` returns the grid rows now known:
    a list of ``(t_s, image_lm (33, 5), world_lm (33, 3), evidence)``; NaN rows (and
    evidence None) for a gap or for a frame where nobody was found; ``evidence`` is
    that of the nearer processed frame.
    """

    def __init__(self, fps_hz: float, *, max_interp_gap_s: float = 1.0):
        self.step = 1.0 / fps_hz
        self.max_gap = max_interp_gap_s
        self._last: tuple[float, np.ndarray, np.ndarray, dict | None] | None = None
        self._next_t: float | None = None

    def push(self, t_s: float, image_lm: np.ndarray | None, world_lm: np.ndarray | None,
             evidence: dict | None = None):
        image = np.full((33, 5), np.nan) if image_lm is None else np.asarray(image_lm, float)
        world = np.full((33, 3), np.nan) if world_lm is None else np.asarray(world_lm, float)
        if self._last is None:
            self._last, self._next_t = (t_s, image, world, evidence), t_s + self.step
            return [(t_s, image, world, evidence)]
        t0, image0, world0, evidence0 = self._last
        if t_s <= t0:
            return []
        rows = []
        eps = 1e-6
        while self._next_t <= t_s + eps:
            g = self._next_t
            if t_s - t0 > self.max_gap:
                rows.append((g, np.full((33, 5), np.nan), np.full((33, 3), np.nan), None)
                            if g < t_s - eps else (g, image, world, evidence))
            else:
                w = (g - t0) / (t_s - t0)
                rows.append((g, image0 + w * (image - image0), world0 + w * (world - world0),
                             evidence if w >= 0.5 else evidence0))
            self._next_t += self.step
        self._last = (t_s, image, world, evidence)
        return rows


class EngineWorker:
    """``submit(...)`` processed frames in order; ``events()`` returns what the engine
    reported since.

    An engine error does not end the session (the recording and the final report
    matter more than the live count): live analysis stops, ``error`` says why.
    """

    def __init__(self, image_size: tuple[int, int], fps_hz: float, *, profile=None):
        from ..analysis.incremental import IncrementalAnalyzer

        self.fps_hz = float(fps_hz)
        self._engine = IncrementalAnalyzer(image_size=image_size, fps_hz=self.fps_hz,
                                           profile=profile)
        self._grid = GridResampler(self.fps_hz)
        self._in: queue.Queue = queue.Queue()
        self._out: queue.Queue = queue.Queue()
        self.error: str | None = None
        self.rep_count = 0
        self.backlog_max = 0
        self._thread = threading.Thread(target=self._run, name="squatcheck-engine", daemon=True)
        self._thread.start()

    def submit(self, t_s: float, image_lm: np.ndarray | None, world_lm: np.ndarray | None,
               captured_at: float, evidence: dict[str, np.ndarray] | None = None) -> None:
        """One processed frame: ``image_lm`` (33, 5) normalised x, y, z, visibility,
        presence and ``world_lm`` (33, 3) metres, or None when nobody was found;
        ``evidence`` {name: (fields,)} as one row of ``PoseTrack.extra``, or None."""
        if self.error is None:
            self._in.put((t_s, image_lm, world_lm, captured_at, evidence))
            self.backlog_max = max(self.backlog_max, self._in.qsize())

    def set_camera_roll(self, roll_deg: float | None,
                        slope_deg_per_side: float | None = None) -> None:
        """The camera's roll (and its verticals' convergence, its pitch) once read from the
        room (pose/camera_roll.py): reps judged from then on read angles to the vertical
        level, as the report will."""
        # single attribute writes, safe across threads; a rep judged between the two
        # reads the pitch without the roll, which changes it by well under a degree
        self._engine.camera_slope_deg_per_side = slope_deg_per_side
        self._engine.camera_roll_deg = roll_deg

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
            t_s, image_lm, world_lm, captured_at, evidence = item
            for row in self._grid.push(t_s, image_lm, world_lm, evidence):
                self._call(self._engine.update, row, captured_at)
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
