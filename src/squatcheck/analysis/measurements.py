"""Clinical measurements: per-frame series and per-rep numbers (CLINICAL.md).

Two entry points:

- :func:`compute_series` -> dict of (T,) arrays, keys with units and the leg
  (``knee_flexion_deg_left``...). Plots and the live overlay read these.
- :func:`measure_rep` -> dict of floats (or None when not measurable) for one rep,
  taken at peak knee flexion of the stance leg unless the key says otherwise.

A measurement the camera view cannot support is NaN in the series and None per rep:
side-view items (knee/hip/ankle flexion, inclinations, knee-toe offset, heel rise)
need ``view == "side"``; frontal items (FPPA, pelvic obliquity, lateral trunk lean)
need ``view == "front"``; hip drop (depth) is read in every view.

Sign conventions (series): inclinations + = forwards (facing direction);
``pelvic_obliquity_deg`` + = the subject's LEFT hip lower than at baseline;
``lateral_trunk_lean_deg`` + = shoulders towards the subject's LEFT. Per rep these
become + = free side down and + = towards the stance side.
"""

from __future__ import annotations

import numpy as np

from ..pose.camera_roll import camera_pitch_deg
from ..pose.landmarks import LEFT_HIP, LEFT_SHOULDER, LEG, RIGHT_HIP, RIGHT_SHOULDER
from .context import ClipContext, RepSegment, Signals
from .feet import heel_rise_foot_lengths, shoe_tip_x_px
from .geometry import (
    flexion_deg,
    forward_offset,
    fppa_deg,
    inclination_deg,
    lateral_inclination_deg,
    line_tilt_deg,
    rearfoot_pitch_deg,
    segment_length,
)
from .pelvis import pelvis_series
from .perspective import focal_length_px, levelled_px, orthographic_leg
from .profile import as_profile
from .references import baseline_rows, foot_length_px, leg_length_px, medial_x_sign, nanmedian
from .rep_evidence import RepEvidence, rep_evidence
from .thigh import hip_shift_onto_thigh_px, thigh_direction

LEGS = ("left", "right")
SIDE_SERIES = ("knee_flexion_deg", "hip_flexion_deg", "ankle_dorsiflexion_deg",
               "tibia_inclination_deg", "tibia_minus_trunk_deg", "knee_toe_offset_foot_lengths",
               "heel_rise_foot_lengths", "foot_angle_rise_deg")
FRONT_SERIES = ("fppa_deg",)

__all__ = ["LEGS", "RepEvidence", "compute_series", "measure_rep", "rep_evidence",
           "series_thresholds"]


def compute_series(sig: Signals, ctx: ClipContext, profile=None) -> dict[str, np.ndarray]:
    """Per-frame clinical series, each (T,), NaN where the view or landmarks don't allow it.

    Keys: ``{name}_{left|right}`` for the per-leg SIDE_SERIES / FRONT_SERIES names, plus
    ``trunk_inclination_deg``, ``pelvic_obliquity_deg``, ``lateral_trunk_lean_deg`` and
    ``hip_drop_leg_lengths``. Baseline-relative series use the clip's standing baseline.
    FPPA is NaN where the thigh is too foreshortened (``profile`` [knee_valgus]
    ``min_thigh_fraction``; default profile when None) and for a person facing away.
    """
    profile = as_profile(profile)
    xy = sig.xy_px
    n = len(sig.t_s)
    nan = np.full(n, np.nan)
    base = baseline_rows(sig, ctx)
    out: dict[str, np.ndarray] = {}
    hip_mid = (xy[:, LEFT_HIP] + xy[:, RIGHT_HIP]) / 2
    sh_mid = (xy[:, LEFT_SHOULDER] + xy[:, RIGHT_SHOULDER]) / 2
    side = ctx.view == "side" and ctx.facing_sign != 0
    front = ctx.view == "front"

    # the thighs from their outline, and the hips moved onto them: MediaPipe's hip rides
    # high in deep squats (analysis/thigh.py)
    thighs = {leg: thigh_direction(sig, ctx, leg, profile) for leg in LEGS} if side else {}
    if side:
        hip_mid = hip_mid + hip_shift_onto_thigh_px(sig, thighs)
    fov = profile.section("measurements")["camera_fov_deg"]
    trunk = (inclination_deg(levelled_px(sig, hip_mid, fov), levelled_px(sig, sh_mid, fov),
                             ctx.facing_sign) if side else nan.copy())
    out["trunk_inclination_deg"] = trunk
    for leg in LEGS:
        lm = {k: xy[:, i] for k, i in LEG[leg].items()}
        values = dict.fromkeys(SIDE_SERIES, nan)
        if side:
            values.update(_sagittal_leg(sig, ctx, leg, lm, base, thighs[leg], profile))
            # trunk-thigh angle with the trunk of trunk_inclination_deg (hip-mid ->
            # shoulder-mid): the far hip landmark strays (mannequin: up to 0.07 leg
            # lengths), and through the trunk it would tilt the angle twice
            values["hip_flexion_deg"] = flexion_deg(lm["hip"] + (sh_mid - hip_mid), lm["hip"],
                                                    lm["hip"] - thighs[leg])
            values["tibia_minus_trunk_deg"] = values["tibia_inclination_deg"] - trunk
        # from behind no knee angle is reported (rep_evidence.BEHIND_REASON)
        values["fppa_deg"] = (_fppa(sig, ctx, leg, lm, base, profile)
                              if front and ctx.facing != "away" else nan)
        for name, arr in values.items():
            out[f"{name}_{leg}"] = np.array(arr, float)

    if front:
        lean = lateral_inclination_deg(hip_mid, sh_mid, -medial_x_sign(sig, ctx, "left"))
        out["lateral_trunk_lean_deg"] = lean - nanmedian(lean[base])
    else:
        out["pelvic_obliquity_deg"] = nan.copy()
        out["lateral_trunk_lean_deg"] = nan.copy()

    leg_len = np.nanmean([leg_length_px(sig, ctx, leg) for leg in LEGS])
    out["hip_drop_leg_lengths"] = (hip_mid[:, 1] - nanmedian(hip_mid[base, 1])) / leg_len
    # pelvic obliquity (front) and tilt proxy (side) from the waist line, not the hip
    # landmarks, which miss most of a drop (analysis/pelvis.py, issue 9)
    out.update(pelvis_series(sig, ctx, profile).as_series())
    return out


def _sagittal_leg(sig: Signals, ctx: ClipContext, leg: str, lm: dict[str, np.ndarray],
                  base: np.ndarray, thigh: np.ndarray, profile) -> dict[str, np.ndarray]:
    """Side view, one leg: the SIDE_SERIES that need no trunk, each (T,). ``lm`` maps
    landmark names to (T, 2) px, ``thigh`` (T, 2) is the thigh's direction from its
    outline (analysis/thigh.py)."""
    mp = profile.section("measurements")
    # MediaPipe's foot (heel inside the shoe, foot index short of the tip) is
    # ~0.8 of the real one: express offsets in (estimated) real foot lengths
    foot = foot_length_px(sig, ctx, leg) / mp["mediapipe_foot_length_ratio"]
    knee = flexion_deg(lm["knee"] + thigh, lm["knee"], lm["ankle"])
    tibia = inclination_deg(*(levelled_px(sig, lm[k], mp["camera_fov_deg"])
                              for k in ("ankle", "knee")), ctx.facing_sign)
    pitch = line_tilt_deg(lm["heel"], lm["toe"])
    heel_rise = heel_rise_foot_lengths(sig, leg, lm["heel"], base, foot, profile)
    return {
        "knee_flexion_deg": knee,
        # the foot's own angle is not used: MediaPipe's heel point rides up with
        # the shank (mannequin: 2-9 deg on flat feet); only a heel rise tilts it
        "ankle_dorsiflexion_deg": tibia - rearfoot_pitch_deg(
            heel_rise, mp["heel_to_ball_foot_lengths"]),
        "tibia_inclination_deg": tibia,
        "knee_toe_offset_foot_lengths": knee_ahead_of_tip_foot_lengths(
            sig, ctx, leg, lm, foot, profile),
        "heel_rise_foot_lengths": heel_rise,
        "foot_angle_rise_deg": pitch - nanmedian(pitch[base]),
    }


def _fppa(sig: Signals, ctx: ClipContext, leg: str, lm: dict[str, np.ndarray],
          base: np.ndarray, profile) -> np.ndarray:
    """Front view, one leg: FPPA (T,) deg with the lens undone, NaN where the thigh is
    too foreshortened to read it."""
    hip, knee, ankle = frontal_leg(sig, ctx, leg, base,
                                   profile.section("measurements")["camera_fov_deg"])
    # the thigh short as filmed or with perspective undone: undoing it must not
    # lengthen a thigh the model folded above the hip into a readable one
    min_thigh = profile.section("knee_valgus")["min_thigh_fraction"]
    short = np.zeros(len(sig.t_s), bool)
    for thigh in (segment_length(lm["hip"], lm["knee"]), segment_length(hip, knee)):
        short |= ~(thigh >= min_thigh * nanmedian(thigh[base]))
    fppa = fppa_deg(hip, knee, ankle, medial_x_sign(sig, ctx, leg))
    return np.where(short, np.nan, fppa)


def frontal_leg(sig: Signals, ctx: ClipContext, leg: str, base: np.ndarray,
                fov_deg: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hip, knee and ankle (T, 2) with the camera's perspective undone for a camera of
    ``fov_deg`` (analysis/perspective.py), and its pitch where the room's verticals show
    it; as filmed when the fov is 0 or the facing unknown.
    """
    ids = LEG[leg]
    hip, knee, ankle = (sig.xy_px[:, ids[k]] for k in ("hip", "knee", "ankle"))
    toward_camera = {"camera": 1.0, "away": -1.0}.get(ctx.facing)
    if not fov_deg or toward_camera is None:
        return hip, knee, ankle
    thigh_px = nanmedian(segment_length(hip, knee)[base])
    # MediaPipe's depth (metres, + = farther) only picks between two readings the image
    # allows; it is about half the true depth (synthetic set), too little to use as such
    world = sig.world
    thigh_m = nanmedian(np.linalg.norm(world[base, ids["knee"]] - world[base, ids["hip"]], axis=1))
    px_per_m = thigh_px / thigh_m if thigh_m > 0 else 0.0
    hints = tuple((world[:, ids["hip"], 2] - world[:, ids[k], 2]) * px_per_m
                  for k in ("knee", "ankle"))
    return orthographic_leg(
        hip, knee, ankle, thigh_px=thigh_px,
        shank_px=nanmedian(segment_length(knee, ankle)[base]),
        focal_px=focal_length_px(sig.image_size, fov_deg),
        centre_px=np.asarray(sig.image_size, float) / 2, toward_camera=toward_camera,
        near_hint_px=hints, roll_deg=sig.camera_roll_deg,
        pitch_deg=(0.0 if sig.camera_slope_deg_per_side is None
                   else camera_pitch_deg(sig.camera_slope_deg_per_side, fov_deg)))


def knee_ahead_of_tip_foot_lengths(sig: Signals, ctx: ClipContext, leg: str,
                                   lm: dict[str, np.ndarray], foot_px: float,
                                   profile) -> np.ndarray:
    """(T,) knee landmark ahead of the shoe tip along the facing direction, in real foot
    lengths (``foot_px``): the tip from the outline (analysis/feet.py), or, for a leg whose
    tip the outline never showed, MediaPipe's foot index moved forward by its usual distance
    behind the tip. Once the outline shows a leg's tip, frames where it does not match are
    left out, not filled from the foot index: the landmarks failed to match the outline
    there because they jumped (onto the free foot, mannequin set), so the index is wrong too.
    """
    roll = sig.camera_roll_deg
    tip = shoe_tip_x_px(sig, leg, foot_px, profile)
    if np.isfinite(tip).any():
        # the tip stands on the floor, level with the lower of toe and heel
        tip_xy = np.stack([tip, np.fmax(lm["toe"][:, 1], lm["heel"][:, 1])], axis=-1)
        return forward_offset(lm["knee"], tip_xy, ctx.facing_sign, roll) / foot_px
    return (forward_offset(lm["knee"], lm["toe"], ctx.facing_sign, roll) / foot_px
            - profile.section("measurements")["mediapipe_toe_behind_tip_foot_lengths"])


def measure_rep(sig: Signals, ctx: ClipContext, seg: RepSegment,
                series: dict[str, np.ndarray], profile) -> dict[str, float | None]:
    """Per-rep measurements (floats with units in the keys; None = not measurable).

    See :func:`squatcheck.analysis.rep_evidence.rep_evidence` for the keys, the
    evidence frames and the reasons a value is missing.
    """
    return dict(rep_evidence(sig, ctx, seg, series, profile).values)


def series_thresholds(profile=None) -> dict[str, float]:
    """Profile threshold to draw on each series' plot, keyed by the series name without
    its leg (``Series.thresholds``)."""
    p = as_profile(profile)
    return {
        "knee_toe_offset_foot_lengths": p.knee_past_toes.threshold_foot_lengths,
        "heel_rise_foot_lengths": p.heel_lift.threshold_foot_lengths,
        "fppa_deg": p.knee_valgus.threshold_deg,
        "tibia_minus_trunk_deg": p.quad_dominant.tibia_minus_trunk_deg,
        "trunk_inclination_deg": p.trunk_lean.forward_threshold_deg,
        "lateral_trunk_lean_deg": p.trunk_lean.lateral_threshold_deg,
        "pelvic_obliquity_deg": p.pelvic_drop.threshold_deg,
        "pelvic_tilt_proxy_deg": p.pelvic_tilt.threshold_deg,
    }
