"""Squat or not, per rep and per clip: rejecting what is not a squat.

Each candidate rep (a descent and return of the hip, ``reps.py``) gets its stance leg
from ``stance.py``. It is not a squat (zero squat reps), each rule from what a squat is,
when:
- no foot stays planted: walking, running, jumping;
- the stance knee(s) barely bend: bending over, a (single-leg) deadlift,
  jumping jacks, a calf raise;
- the hips flex far more than the knees: a hip hinge (bending over, deadlift);
- both feet planted, one far in front of the other (from the side): a split stance;
- both feet planted but the legs work unequally: one knee bends while the other
  stays straight (side lunge) or one hip flexes while the other stays extended
  (lunge, split squat, rear-foot-elevated split squat);
- the bottom is held for long: sitting down;
- down and up too fast for a squat: hops, jumping jacks;
- and, beside the clip's other candidates (``judge_in_context``): a dip next to a hop,
  or one far shallower than the clip's squats.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..pose import landmarks as L
from .context import Signals
from .features import LEGS, BodyFeatures
from .geometry import flexion_deg
from .reps import Candidate, RepSettings, bottom_hold_s
from .rises import flexion_rise_deg, rise_deg
from .stance import (
    balanced_stance,
    bending_leg_stance,
    centre_shift,
    foot_states,
    held_leg_stance,
    stance_of,
    straightening_leg_stance,
    unloaded_stance,
)
from .windows import finite_median, time_window


@dataclass
class RepVerdict:
    """What a candidate rep is: its stance and, if not a squat, why."""

    stance: str | None  # left | right | both | None (no foot planted)
    is_squat: bool
    reason: str
    features: dict[str, float] = field(default_factory=dict)


def feet_apart_leg_lengths(sig: Signals, feat: BodyFeatures, c: Candidate) -> float:
    """Horizontal distance between the feet at the bottom of ``c`` (median of ankle, heel
    and toe, ±0.2 s), in leg lengths. Seen from the side: how far one foot stands in
    front of the other, whichever the model calls left."""
    left = [L.LEG["left"][k] for k in ("ankle", "heel", "toe")]
    right = [L.LEG["right"][k] for k in ("ankle", "heel", "toe")]
    dx = np.abs(sig.xy_px[:, left, 0] - sig.xy_px[:, right, 0])
    near = dx[time_window(sig.t_s, c.bottom, 0.2)]
    return finite_median([finite_median(col) for col in near.T]) / feat.leg_length_px


def judge_rep(sig: Signals, feat: BodyFeatures, view: str, c: Candidate,
              s: RepSettings, opening: float = float("nan")) -> RepVerdict:
    """Stance leg and squat-or-not for one candidate rep (rules in the module docstring);
    ``opening``: the clip's ``opening_elevation``."""
    t_s = sig.t_s
    f: dict[str, float] = {"depth_leg_lengths": c.depth_leg_lengths}
    feet = foot_states(sig, feat, c, view, opening)
    for leg, foot in feet.items():
        f[f"foot_moved_{leg}"] = foot.moved
        f[f"foot_moved_any_{leg}"] = foot.moved_any
        f[f"foot_elevation_{leg}"] = foot.elevation
        f[f"foot_world_elevation_m_{leg}"] = foot.world_elevation_m
        f[f"foot_visibility_{leg}"] = foot.visibility
        f[f"foot_lift_{leg}"] = foot.lift
    f["centre_shift_left"], f["ankle_spread_leg_lengths"] = centre_shift(sig, feat, c)
    stance = stance_of(feet, view, s)
    if stance is not None and view == "front":
        stance = unloaded_stance(f, s) or stance
    rows = slice(c.start, c.end + 1)
    for leg in LEGS:
        ids = L.LEG[leg]
        f[f"leg_visibility_{leg}"] = finite_median(
            sig.visibility[rows][:, [ids["hip"], ids["knee"], ids["ankle"]]])
        xy = sig.xy_px
        shoulders = xy[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER]].mean(axis=1)
        recon = {"knee": feat.knee_flexion_deg[leg], "hip": feat.hip_flexion_deg[leg]}
        image = {"knee": flexion_deg(xy[:, ids["hip"]], xy[:, ids["knee"]], xy[:, ids["ankle"]]),
                 "hip": flexion_deg(shoulders, xy[:, ids["hip"]], xy[:, ids["knee"]])}
        for joint in ("knee", "hip"):
            # within the rep: did this leg bend, hold or straighten (the stance rules)
            f[f"{joint}_rise_{leg}"], f[f"{joint}_bottom_{leg}"] = flexion_rise_deg(
                recon[joint], t_s, c)
            # from standing: how far a stance joint bent (``rise_deg``)
            f[f"{joint}_stand_rise_{leg}"], _ = flexion_rise_deg(
                recon[joint], t_s, c, from_top=True, lookback_s=s.standing_lookback_s)
            if view != "front":
                f[f"{joint}_image_rise_{leg}"], _ = flexion_rise_deg(image[joint], t_s, c)
                f[f"{joint}_image_stand_rise_{leg}"], _ = flexion_rise_deg(
                    image[joint], t_s, c, from_top=True, lookback_s=s.standing_lookback_s)
    f["bottom_hold_s"] = hold = bottom_hold_s(feat.hip_height_leg_lengths, t_s, c,
                                              s.bottom_hold_band)
    f["feet_apart_leg_lengths"] = feet_apart_leg_lengths(sig, feat, c)

    duration = float(t_s[c.end] - t_s[c.start])
    f["duration_s"] = duration
    near_bottom = np.abs(t_s - t_s[c.bottom]) <= s.bottom_seen_window_s
    f["bottom_seen_share"] = seen = float(np.mean(sig.usable[near_bottom]))
    if seen < s.min_bottom_seen_share:
        return RepVerdict(stance, False, "the pose model lost the body around the bottom "
                          "(the movement cannot be judged)", f)
    if duration < s.min_rep_duration_s:
        return RepVerdict(stance, False, f"down and up in {duration:.1f} s (a hop or a jump, "
                          "not a squat)", f)
    if hold > s.max_bottom_hold_s and hold > s.max_bottom_hold_share * duration:
        return RepVerdict(stance, False, f"the bottom was held {hold:.1f} s (sitting down, "
                          "not a squat)", f)
    if stance is None:
        return RepVerdict(None, False, "neither foot stayed planted (walking, running or "
                          "jumping, not a squat)", f)
    if stance in LEGS:
        stance = bending_leg_stance(f, stance, view, s)
    if stance == "both":
        stance = straightening_leg_stance(f, _seen_legs(f, view, s), s, view)
    if stance == "both":
        lunge = _lunge_reason(f, s) if len(_seen_legs(f, view, s)) == 2 else ""
        if lunge:
            return RepVerdict(stance, False, lunge, f)
        stance = held_leg_stance(f, s)
        if stance == "both" and view == "front":
            stance = balanced_stance(f, s)
        split = _split_stance_reason(f, view, s) if stance == "both" else ""
        if split:
            return RepVerdict(stance, False, split, f)
    legs = _seen_legs(f, view, s) if stance == "both" else (stance,)
    rises = [r for r in (rise_deg(f, "knee", leg, view, from_standing=True) for leg in legs)
             if np.isfinite(r)]
    knee_rise = min(rises) if rises else float("nan")
    f["hip_minus_knee_rise_deg"] = hinge = hip_minus_knee_rise_deg(f, legs, view)
    if not np.isfinite(knee_rise) or knee_rise < s.min_knee_flexion_rise_deg:
        return RepVerdict(stance, False, f"the stance knee bent only {knee_rise:.0f} deg "
                          f"(a squat bends it at least {s.min_knee_flexion_rise_deg:.0f} deg)", f)
    if np.isfinite(hinge) and hinge > s.max_hip_minus_knee_rise_deg:
        return RepVerdict(stance, False, f"the hips flexed {hinge:.0f} deg more "
                          "than the knees (a hip hinge: bending over or a deadlift)", f)
    return RepVerdict(stance, True, "", f)


def hip_minus_knee_rise_deg(f: dict[str, float], legs: tuple[str, ...],
                            view: str = "front") -> float:
    """How much more the hip flexed than the knee from standing to the bottom, leg by leg,
    for the leg that squatted most like a squat (NaN if no leg has both).

    A hinge flexes the hips of every standing leg far more than its knee. Setting one
    leg's hip against the other leg's knee read squats as hinges: a free leg (taken for
    planted) bends its knee less (tux_hyva7 rolled 5 deg: 94 - 46 = 48 deg on one leg;
    -6 on the stance leg), and from the side the half-hidden far knee reads short
    (held-out synthset9 110: a 60 deg trunk-lean squat, 111 - 61 = 50 deg). Each joint as
    :func:`rise_deg` reads it in ``view``.
    """
    per_leg = [rise_deg(f, "hip", leg, view) - rise_deg(f, "knee", leg, view) for leg in legs]
    per_leg = [d for d in per_leg if np.isfinite(d)]
    return min(per_leg) if per_leg else float("nan")


def _seen_legs(f: dict[str, float], view: str, s: RepSettings) -> tuple[str, ...]:
    """The legs whose angles can be compared: from the side or obliquely, a leg seen less
    than ``foot_visibility`` is hidden behind the other and the model guesses its knee
    (held-out synthset10 138: a double-leg squat's far knee read 63 deg more bent than the
    near one, a "lunge"). Both legs when neither or both are seen."""
    if view == "front":
        return LEGS
    seen = tuple(leg for leg in LEGS if f[f"leg_visibility_{leg}"] >= s.foot_visibility)
    return seen or LEGS


def _split_stance_reason(f: dict[str, float], view: str, s: RepSettings) -> str:
    """Both feet planted and bending, one far in front of the other (side view): a split
    squat or lunge ("" if not). Judged after ``held_leg_stance``: a single-leg squat
    with the free foot held low in front or behind also has its feet apart. Only with
    both legs seen: a hidden far foot's place is the model's guess (held-out seed 34
    phone 018, a double-leg squat's far leg drawn folded behind: 0.46 leg lengths)."""
    apart = f["feet_apart_leg_lengths"]
    if view == "side" and apart > s.max_feet_apart_side_leg_lengths \
            and len(_seen_legs(f, view, s)) == 2:
        return (f"both feet planted, one {apart:.1f} leg lengths in front of the other "
                "(a lunge or split squat)")
    return ""


def _lunge_reason(f: dict[str, float], s: RepSettings) -> str:
    """Both feet planted but the legs at the bottom unlike each other: a lunge ("" if not)."""
    knee_asym = abs(f["knee_bottom_left"] - f["knee_bottom_right"])
    hip_asym = abs(f["hip_bottom_left"] - f["hip_bottom_right"])
    f["knee_asymmetry_deg"], f["hip_asymmetry_deg"] = knee_asym, hip_asym
    if knee_asym > s.max_knee_flexion_asymmetry_deg:
        return (f"both feet planted but the knees bent {knee_asym:.0f} deg differently "
                "(a lunge, not a squat)")
    if hip_asym > s.max_hip_flexion_asymmetry_deg:
        return (f"both feet planted but the hips flexed {hip_asym:.0f} deg differently "
                "(a lunge or split squat)")
    return ""


def judge_in_context(candidates: list[Candidate], verdicts: list[RepVerdict],
                     t_s: np.ndarray, s: RepSettings) -> list[RepVerdict]:
    """Rules that need the other candidates of the clip (rep by rep rules first).

    - A dip within ``hop_neighbour_s`` of a hop is part of the same jumping or bouncing
      sequence: a squat starts and ends standing, not landing or taking off.
    - A dip less than ``min_depth_share_of_deepest`` as deep as the clip's deepest squat
      rep is another movement: re-racking or walking out a barbell, stepping, adjusting
      the feet.
    """
    def hop(v: RepVerdict) -> bool:
        return v.features.get("duration_s", np.inf) < s.min_rep_duration_s

    deepest = max((c.depth_leg_lengths for c, v in zip(candidates, verdicts, strict=True)
                   if v.is_squat), default=0.0)
    out = []
    for i, (c, v) in enumerate(zip(candidates, verdicts, strict=True)):
        if v.is_squat:
            near = [j for j in (i - 1, i + 1) if 0 <= j < len(candidates)]
            gaps = [t_s[c.start] - t_s[candidates[j].end] if j < i
                    else t_s[candidates[j].start] - t_s[c.end] for j in near]
            if any(hop(verdicts[j]) and gap < s.hop_neighbour_s
                   for j, gap in zip(near, gaps, strict=True)):
                v = RepVerdict(v.stance, False, "straight after or before a hop (part of a "
                               "jumping or bouncing sequence, not a squat)", v.features)
            elif c.depth_leg_lengths < s.min_depth_share_of_deepest * deepest:
                v = RepVerdict(v.stance, False, f"the hips went down {c.depth_leg_lengths:.2f} "
                               f"leg lengths, under {s.min_depth_share_of_deepest:.0%} of the "
                               f"clip's deepest squat ({deepest:.2f}): another movement, such "
                               "as re-racking a bar or stepping", v.features)
        out.append(v)
    return out


def clip_exercise(verdicts: list[RepVerdict]) -> str:
    """single_leg_squat / double_leg_squat by the majority of squat reps; else not_squat."""
    squats = [v for v in verdicts if v.is_squat]
    if not squats:
        return "not_squat"
    single = sum(v.stance in ("left", "right") for v in squats)
    return "single_leg_squat" if single > len(squats) - single else "double_leg_squat"
