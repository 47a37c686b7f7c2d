"""``analyze``: the one entry point every edge (CLI, web, live, batch) calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..pose.extract import extract_pose
from ..pose.track import PoseTrack
from ..signals import SignalSettings, clean_track
from .measurements import series_thresholds
from .pipeline import (
    body_tilt_notes,
    camera_pitch_notes,
    clip_context,
    clip_notes,
    measure_reps,
)
from .profile import as_profile
from .result import AnalysisResult, Series
from .summary import summarize


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
    """Pose track → result: clean the signals, read the clip (view, facing, baseline),
    find and judge the reps, then measure, assess and rate each squat rep."""
    prof = as_profile(profile)
    if len(track) < 2 or not track.detected.any():
        note = ("Nobody was found in the video: nothing to analyse." if not track.detected.any()
                else "Too few frames to follow a movement.")
        return AnalysisResult(source=track.meta.source, view="front", facing="unknown",
                              exercise="not_squat", usable_fraction=0.0, reps=[],
                              summary={}, series=Series(track.t_s, track.frame_index),
                              profile=prof.name, notes=[note])
    sig, cleaning = clean_track(track, SignalSettings.from_profile(prof))
    stage = clip_context(sig, prof)
    reps, series = measure_reps(sig, stage, prof)
    notes = clip_notes(sig, stage)
    notes += camera_pitch_notes(sig.camera_slope_deg_per_side, stage.ctx.view, prof)
    notes += body_tilt_notes(sig, stage.ctx, prof)
    swapped = int(cleaning.leg_swapped.sum() + cleaning.body_flipped.sum())
    if swapped:
        notes.append(f"Left/right labels of the pose model were repaired in {swapped} frames.")
    values = dict(series)
    values["hip_height_leg_lengths"] = stage.features.hip_height_leg_lengths
    return AnalysisResult(
        source=track.meta.source, view=stage.ctx.view, facing=stage.ctx.facing,
        exercise=stage.ctx.exercise, usable_fraction=float(np.mean(sig.usable)), reps=reps,
        summary=summarize(reps, stage.ctx, prof), series=Series(sig.t_s, sig.frame_index, values,
                                                        series_thresholds(prof)),
        profile=prof.name, notes=notes, camera_roll_deg=track.meta.extra.get("camera_roll_deg"))
