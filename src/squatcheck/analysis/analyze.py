"""``analyze``: the one entry point every edge (CLI, web, live, batch) calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..pose.extract import extract_pose
from ..pose.track import PoseTrack
from .result import AnalysisResult, Series


@dataclass
class Analysis:
    """A pose track and what the engine made of it (reports need both)."""

    track: PoseTrack
    result: AnalysisResult
    video_path: Path | None = None


def analyze(source: str | Path, *, profile=None, model=None, workers: int | None = None,
            progress: Callable[[float], None] | None = None) -> Analysis:
    """Analyse a video file or a saved pose track (``.npz``)."""
    source = Path(source)
    if source.suffix.lower() == ".npz":
        track = PoseTrack.load(source)
        video = Path(track.meta.source) if track.meta.source else None
    else:
        track = extract_pose(source, model=model, workers=workers, progress=progress)
        video = source
    return Analysis(track, analyze_track(track, profile=profile),
                    video if video and video.exists() else None)


def analyze_track(track: PoseTrack, *, profile=None) -> AnalysisResult:
    """Pose track → result. PLACEHOLDER until the engine lands: no reps."""
    return AnalysisResult(source=track.meta.source, view="front", facing="unknown",
                          exercise="not_squat", usable_fraction=float(track.detected.mean()),
                          reps=[], summary={}, series=Series(track.t_s, track.frame_index))
