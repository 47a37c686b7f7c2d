"""The one seam to the engine's incremental analysis: frames in, rep and cue events out.

The live loop never segments reps or measures anything itself; it feeds each
processed frame to the engine (``squatcheck.analysis.incremental``) and shows
what comes back. Events are normalised here to two kinds, so the loop and the
window do not depend on the engine's internal event classes.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import numpy as np

from ..analysis.result import Rep


@dataclass(frozen=True)
class RepDone:
    """The engine finished a rep (within about a second of its end)."""

    t_s: float
    rep: Rep


@dataclass(frozen=True)
class CueSeen:
    """A finding is happening now (e.g. the heel is lifting), before the rep is over."""

    t_s: float
    finding: str


LiveEvent = RepDone | CueSeen


class EngineFeed:
    """Adapter over the engine's incremental analyser.

    ``available`` is False while the engine has no incremental module: the
    loop then still shows the skeleton, records and writes the report, but
    counts no reps live (and the window says so).
    """

    def __init__(self, image_size: tuple[int, int], fps_hz: float, *, profile=None):
        self.image_size = image_size
        self.rep_count = 0
        self._engine = None
        self.unavailable_reason = ""
        try:
            module = importlib.import_module("squatcheck.analysis.incremental")
        except ModuleNotFoundError as exc:
            if exc.name != "squatcheck.analysis.incremental":
                raise
            self.unavailable_reason = "live rep counting is not built yet"
            return
        self._engine = _make_engine(module, image_size, fps_hz, profile)

    @property
    def available(self) -> bool:
        return self._engine is not None

    def update(self, t_s: float, image_lm: np.ndarray | None,
               world_lm: np.ndarray | None) -> list[LiveEvent]:
        """Feed one frame: ``image_lm`` (33, 5) normalised x, y, z, visibility, presence
        and ``world_lm`` (33, 3) metres, or None when nobody was found."""
        if self._engine is None:
            return []
        events = _normalise(self._engine_update(t_s, image_lm, world_lm), t_s)
        self.rep_count += sum(isinstance(e, RepDone) for e in events)
        return events

    def _engine_update(self, t_s, image_lm, world_lm):
        if image_lm is None:
            image_lm = np.full((33, 5), np.nan)
            world_lm = np.full((33, 3), np.nan)
        return self._engine.update(t_s, image_lm, world_lm)

    def finish(self, t_s: float) -> list[LiveEvent]:
        """Flush a rep still open when the session stops (if the engine can)."""
        if self._engine is None or not hasattr(self._engine, "finish"):
            return []
        events = _normalise(self._engine.finish(), t_s)
        self.rep_count += sum(isinstance(e, RepDone) for e in events)
        return events


def _make_engine(module, image_size, fps_hz, profile):
    """Build the engine's incremental analyser (its constructor is the engine's API)."""
    cls = module.IncrementalAnalyzer
    return cls(image_size=image_size, fps_hz=fps_hz, profile=profile)


def _normalise(raw, t_s: float) -> list[LiveEvent]:
    out: list[LiveEvent] = []
    for event in raw or ():
        rep = event if isinstance(event, Rep) else getattr(event, "rep", None)
        if isinstance(rep, Rep):
            out.append(RepDone(float(getattr(event, "t_s", t_s)), rep))
            continue
        finding = getattr(event, "finding", None) or getattr(event, "name", None)
        if isinstance(finding, str):
            out.append(CueSeen(float(getattr(event, "t_s", t_s)), finding))
    return out
