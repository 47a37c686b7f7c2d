"""``analyze``: the one entry point every edge (CLI, web, live, batch) calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..errors import SquatcheckError
from ..pose.extract import extract_pose
from ..pose.track import PoseTrack
from ..signals import SignalSettings, clean_track
from ..video import VideoReader
from .context import Signals
from .measurements import series_thresholds
from .pipeline import (
    ClipStage,
    body_tilt_notes,
    camera_pitch_notes,
    clip_context,
    clip_notes,
    feet_out_notes,
    measure_reps,
    picture_turn_deg,
    turned_picture_notes,
    unstood_rep_notes,
)
from .profile import as_profile
from .result import AnalysisResult, Rep, Series
from .summary import summarize
from .view import ViewSettings
from .view_sections import pause_cuts, sections, view_cuts


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
    profile = as_profile(profile)  # a bad profile fails before minutes of inference
    if source.suffix.lower() == ".npz":
        track = PoseTrack.load(source)
        video = recorded_video(source, track)
    else:
        track = extract_upright(source, profile=profile, model=model, workers=workers,
                                progress=progress)
        video = source
    return Analysis(track, analyze_track(track, profile=profile), video)


def extract_upright(source: Path, *, profile=None, **extract_kw) -> PoseTrack:
    """``extract_pose``, run again on frames turned upright when the person lies on their
    side or upside down (the video's rotation lost in an export: ``picture_turn_deg``)."""
    track = extract_pose(source, **extract_kw)
    turn = picture_turn_deg(track.xy_px, np.flatnonzero(track.detected), as_profile(profile))
    return extract_pose(source, turn_deg=turn, **extract_kw) if turn else track


def recorded_video(track_path: Path, track: PoseTrack) -> Path | None:
    """The video a saved track was made from, for the annotated video: where the track says
    (as given then, or beside the track), if that file is a video of the track's size;
    None otherwise (the reports are made without it)."""
    if not track.meta.source:
        return None
    named = Path(track.meta.source)
    for candidate in (named, track_path.parent / named, track_path.parent / named.name):
        try:
            with VideoReader(candidate, turn_deg=track.meta.extra.get("turn_deg", 0)) as reader:
                size = (reader.info.width, reader.info.height)
        except SquatcheckError:
            continue
        if size == tuple(track.meta.image_size):
            return candidate
    return None


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
    settings = SignalSettings.from_profile(prof)
    sig, cleaning = clean_track(track, settings)
    cuts = sorted({*view_cuts(sig, ViewSettings.from_profile(prof),
                              prof.section("measurements")["camera_fov_deg"]),
                   *pause_cuts(sig.t_s, prof.section("reps")["max_pause_s"])})
    # each part cleaned alone too: leg labels and filters must not reach across the turn
    cleaned = ([(sig, cleaning)] if not cuts else
               [clean_track(track[rows], settings) for rows in sections(len(track), cuts)])
    parts: list[_Part] = []
    for part_sig, _ in cleaned:
        parts.append(_analyze_part(part_sig, prof,
                                   first_index=sum(len(p.reps) for p in parts)))
    main = max(parts, key=lambda p: len(p.reps))  # the first of the most reps
    reps = [r for p in parts for r in p.reps]
    turned = turned_picture_notes(sig, track.meta.extra.get("turn_deg", 0), prof)
    notes = turned + _part_notes(parts)
    swapped = sum(int(c.leg_swapped.sum() + c.body_flipped.sum()) for _, c in cleaned)
    if swapped:
        notes.append(f"Left/right labels of the pose model were repaired in {swapped} frames.")
    ctx = replace(main.stage.ctx, notes=[n for p in parts for n in p.stage.ctx.notes])
    summary = summarize(reps, ctx, prof)
    summary["verdict"] = turned + summary["verdict"]  # the first thing a reader must know
    return AnalysisResult(
        source=track.meta.source, view=ctx.view, facing=ctx.facing,
        exercise=ctx.exercise, reps=reps,
        usable_fraction=float(np.mean(np.concatenate([p.sig.usable for p in parts]))),
        summary=summary,
        series=Series(sig.t_s, sig.frame_index, _joined_series(parts), series_thresholds(prof)),
        profile=prof.name, notes=notes, camera_roll_deg=track.meta.extra.get("camera_roll_deg"))


@dataclass
class _Part:
    """One stretch of the clip filmed from one view, analysed as a clip of its own."""

    sig: Signals
    stage: ClipStage
    reps: list[Rep]
    series: dict[str, np.ndarray]
    notes: list[str]


def _analyze_part(sig: Signals, prof, *, first_index: int) -> _Part:
    stage = clip_context(sig, prof)
    reps, series = measure_reps(sig, stage, prof, first_index=first_index)
    notes = clip_notes(sig, stage)
    notes += camera_pitch_notes(sig.camera_slope_deg_per_side, stage.ctx.view, prof)
    notes += body_tilt_notes(sig, stage.ctx, prof)
    notes += feet_out_notes(reps)
    notes += unstood_rep_notes(sig.t_s, reps, prof)
    series = {**series, "hip_height_leg_lengths": stage.features.hip_height_leg_lengths}
    return _Part(sig, stage, reps, series, notes)


def _part_notes(parts: list[_Part]) -> list[str]:
    """One part: its notes. Several: the parts, then each part's notes under
    its number and times (a note every part gave, once)."""
    if len(parts) == 1:
        return list(parts[0].notes)
    spans = [f"{p.stage.ctx.view} view facing {p.stage.ctx.facing} ({p.sig.t_s[0]:.1f}-"
             f"{p.sig.t_s[-1]:.1f} s, {len(p.reps)} rep(s))" for p in parts]
    notes = [f"The clip was read in {len(parts)} parts, cut where the view changed (a turn, "
             f"or the camera moved) or the recording paused: {'; then '.join(spans)}. Each "
             "part was read as a clip of its own, its reps by the rules of its view and facing."]
    shared = set.intersection(*(set(p.notes) for p in parts))
    notes += [n for n in parts[0].notes if n in shared]
    for i, p in enumerate(parts, 1):
        label = f"Part {i} ({p.sig.t_s[0]:.1f}-{p.sig.t_s[-1]:.1f} s)"
        notes += [f"{label}: {n}" for n in p.notes if n not in shared]
    return notes


def _joined_series(parts: list[_Part]) -> dict[str, np.ndarray]:
    """Each series over the whole clip, NaN where a part did not measure it."""
    keys = dict.fromkeys(k for p in parts for k in p.series)
    return {k: np.concatenate([p.series.get(k, np.full(len(p.sig.t_s), np.nan))
                               for p in parts]) for k in keys}
