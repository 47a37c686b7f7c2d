"""Pose track → :class:`~squatcheck.analysis.context.Signals`: the offline cleaning pipeline.

Order matters: drop what cannot be trusted (invisible, far outside the frame),
repair label swaps on the raw positions (continuity is clearest before any
smoothing), reject spikes, bridge short gaps, then low-pass with zero phase.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, fields

import numpy as np

from ..analysis.context import Signals
from ..pose import landmarks as L
from ..pose.track import PoseTrack
from .filters import lowpass_zero_phase
from .gaps import fill_gaps
from .outliers import reject_outliers
from .quality import landmark_ok, usable_frames
from .swaps import (
    KNEE_PAIRS,
    SWAP_GROUPS,
    detect_body_flips,
    detect_leg_swaps,
    knees_on_wrong_shanks,
    shank_lengths_px,
    swap_pairs,
)


@dataclass(frozen=True)
class SignalSettings:
    """The ``[signals]`` section of the profile (see default_profile.toml for units/sources)."""

    drop_visibility: float
    edge_margin_fraction: float
    max_gap_s: float
    outlier_window_s: float
    outlier_n_sigmas: float
    outlier_min_dev_leg_lengths: float
    cutoff_hz: float
    filter_order: int
    swap_min_jump_leg_lengths: float
    swap_max_cost_ratio: float
    swap_anatomy_margin_leg_lengths: float
    swap_stretch_majority: float
    swap_live_vote_s: float
    swap_memory_s: float
    swap_meeting_s: float
    swap_vote_min_s: float
    knee_shank_tolerance: float
    flip_min_width_ratio: float
    max_flip_s: float
    usable_visibility: float

    @classmethod
    def from_profile(cls, profile) -> SignalSettings:
        sec = profile.section("signals")
        return cls(**{f.name: sec[f.name] for f in fields(cls)})


@dataclass
class CleaningReport:
    """What the cleaning changed, for notes and tests."""

    leg_swapped: np.ndarray  # (T,) bool
    body_flipped: np.ndarray  # (T,) bool
    outliers: np.ndarray  # (T, 33) bool
    dropped: np.ndarray  # (T, 33) bool


def rough_leg_length_px(xy_px: np.ndarray) -> float:
    """Median hip→knee→ankle length over frames and both legs, in pixels (NaN if none)."""
    lengths = []
    for side in ("left", "right"):
        leg = L.LEG[side]
        thigh = np.linalg.norm(xy_px[:, leg["knee"]] - xy_px[:, leg["hip"]], axis=-1)
        shank = np.linalg.norm(xy_px[:, leg["ankle"]] - xy_px[:, leg["knee"]], axis=-1)
        lengths.append(thigh + shank)
    both = np.concatenate(lengths)
    both = both[np.isfinite(both)]
    return float(np.median(both)) if both.size else float("nan")


def sample_rate_hz(t_s: np.ndarray) -> float:
    """Median frame rate (robust to uneven phone timing); 30 if unknown."""
    if len(t_s) < 2:
        return 30.0
    dt = np.median(np.diff(t_s))
    return float(1.0 / dt) if dt > 0 else 30.0


def clean_track(track: PoseTrack, settings: SignalSettings) -> tuple[Signals, CleaningReport]:
    """Clean and filter a pose track (see module docstring for the order of steps)."""
    t_s = np.asarray(track.t_s, float)
    xy = track.xy_px.astype(float)
    vis = np.array(track.visibility, float)
    world = np.array(track.world, float)
    size = tuple(int(v) for v in track.meta.image_size)

    keep = landmark_ok(xy, vis, size, min_visibility=settings.drop_visibility,
                       edge_margin=settings.edge_margin_fraction)
    dropped = ~keep & np.isfinite(xy[..., 0])
    xy[~keep] = np.nan
    world[~keep] = np.nan

    leg_px = rough_leg_length_px(xy)
    if not np.isfinite(leg_px):
        leg_px = 0.4 * max(size[1], 1)

    flipped = detect_body_flips(xy, t_s, min_width_ratio=settings.flip_min_width_ratio,
                                max_flip_s=settings.max_flip_s)
    for arr in (xy, vis, world):
        arr[flipped] = swap_pairs(arr[flipped], L.LEFT_RIGHT_PAIRS)

    swapped = np.zeros(len(t_s), bool)
    for pairs in SWAP_GROUPS:
        group, garbled = detect_leg_swaps(
            xy, min_jump_px=settings.swap_min_jump_leg_lengths * leg_px,
            max_cost_ratio=settings.swap_max_cost_ratio, pairs=pairs,
            anatomy_margin_px=settings.swap_anatomy_margin_leg_lengths * leg_px,
            majority=settings.swap_stretch_majority,
            memory_rows=round(settings.swap_memory_s * sample_rate_hz(t_s)),
            meeting_rows=max(round(settings.swap_meeting_s * sample_rate_hz(t_s)), 1),
            min_votes=max(round(settings.swap_vote_min_s * sample_rate_hz(t_s)), 1))
        for arr in (xy, vis, world):
            arr[group] = swap_pairs(arr[group], pairs)
        xy[garbled] = np.nan
        world[garbled] = np.nan
        swapped |= group
        dropped |= garbled
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a leg never seen: NaN, no swap
        usual = tuple(np.nanmedian(length) for length in shank_lengths_px(xy))
    crossed = knees_on_wrong_shanks(
        xy, usual, tolerance=settings.knee_shank_tolerance,
        anatomy_margin_px=settings.swap_anatomy_margin_leg_lengths * leg_px)
    for arr in (xy, vis, world):
        arr[crossed] = swap_pairs(arr[crossed], KNEE_PAIRS)
    swapped |= crossed

    fs = sample_rate_hz(t_s)
    window = max(int(round(settings.outlier_window_s * fs)) | 1, 3)
    xy, outliers = reject_outliers(xy, window=window, n_sigmas=settings.outlier_n_sigmas,
                                   min_dev_px=settings.outlier_min_dev_leg_lengths * leg_px)
    world[outliers] = np.nan

    xy = fill_gaps(xy, t_s, max_gap_s=settings.max_gap_s)
    world = fill_gaps(world, t_s, max_gap_s=settings.max_gap_s)
    xy = lowpass_zero_phase(xy, fs, cutoff_hz=settings.cutoff_hz, order=settings.filter_order)
    world = lowpass_zero_phase(world, fs, cutoff_hz=settings.cutoff_hz,
                               order=settings.filter_order)

    ok = landmark_ok(xy, vis, size, min_visibility=settings.usable_visibility,
                     edge_margin=settings.edge_margin_fraction)
    sig = Signals(t_s=t_s, frame_index=np.asarray(track.frame_index, int), xy_px=xy,
                  visibility=vis, usable=usable_frames(ok), world=world, image_size=size,
                  extra=dict(getattr(track, "extra", {})),
                  camera_roll_deg=track.meta.extra.get("camera_roll_deg"),
                  camera_slope_deg_per_side=track.meta.extra.get("camera_slope_deg_per_side"))
    return sig, CleaningReport(swapped, flipped, outliers, dropped)
