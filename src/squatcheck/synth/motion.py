"""Squat motions: standing phases, reps, leg switches, and faults of known size.

A clip is a timeline of segments between postures (hold, lift the free leg,
descend, hold the bottom, ascend). Each rep's bottom posture is *solved* so that
the measured truth hits the requested values (knee-toe offset, heel rise, FPPA),
so a fault's magnitude is what the truth file reports, not a raw joint angle.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .body import Segments
from .faults import FAULTS, check_magnitude
from .kinematics import PoseParams, Skeleton, forward_kinematics, other
from .measures import FPPA_MIN_THIGH_FRACTION, frontal_thigh_fraction, measure

EXERCISES = ("single_leg_squat", "double_leg_squat")
FREE_LEG = ("forward", "behind")


@dataclass(frozen=True)
class Tempo:
    """Phase durations in seconds."""

    intro_s: float = 0.7  # standing on both feet at the start
    lift_s: float = 0.5  # lifting (or lowering) the free leg
    stand_s: float = 0.8  # standing before the reps (and around a switch of legs)
    between_s: float = 0.8  # standing between two reps on the same leg (0: touch and go)
    descent_s: float = 1.1
    hold_s: float = 0.25  # at the bottom
    ascent_s: float = 1.0
    outro_s: float = 0.5

    def scaled(self, factor: float) -> Tempo:
        return Tempo(*(getattr(self, f) * factor for f in self.__dataclass_fields__))


@dataclass(frozen=True)
class MotionSpec:
    """What the mannequin does. ``stances`` has one entry per rep ("left", "right"
    or "both"); ``rep_faults`` one ``{fault: magnitude}`` dict per rep."""

    exercise: str = "single_leg_squat"
    stances: tuple[str, ...] = ("left", "left", "left")
    rep_faults: tuple[dict, ...] = ({}, {}, {})
    free_leg: str = "forward"
    depth_deg: float | None = None  # knee flexion at the bottom; None = exercise default
    arms: str = "forward"  # "forward", "down", "hips" (hands on them) or "crossed" (on the chest)
    tempo: Tempo = field(default_factory=Tempo)
    # each rep halts for ``halt_s`` (0: never) on its way down or up ("descent" / "ascent"),
    # ``halt_at`` of the way from standing to the bottom: people unsure of their balance do
    halt_s: float = 0.0
    halt_at: float = 0.5
    halt_phase: str = "descent"
    # share of the knee bend undone between two reps on the same leg (1: back to standing;
    # people hurrying a set turn round short of it); the last rep on a leg always stands
    return_share: float = 1.0

    def __post_init__(self) -> None:
        if self.exercise not in EXERCISES:
            raise ValueError(f"exercise must be one of {EXERCISES}")
        if len(self.stances) != len(self.rep_faults) or not self.stances:
            raise ValueError("need one stance and one fault dict per rep (at least one rep)")
        double = self.exercise == "double_leg_squat"
        for st, faults in zip(self.stances, self.rep_faults, strict=True):
            if (st == "both") != double:
                raise ValueError(f"stance '{st}' does not fit a {self.exercise}")
            for name, value in faults.items():
                if name not in FAULTS:
                    raise ValueError(f"unknown fault '{name}'")
                check_magnitude(name, value)
            if double and "pelvic_drop" in faults:
                raise ValueError("pelvic_drop needs a free leg: use a single-leg squat")
        if not 0.3 <= self.return_share <= 1.0:
            raise ValueError("a return goes 0.3 to 1 of the way back to standing")
        if self.depth_deg is not None and not 20.0 <= self.depth_deg <= 140.0:
            raise ValueError("depth must be a knee flexion between 20 and 140 deg")
        if self.free_leg not in FREE_LEG:
            raise ValueError(f"free_leg must be one of {FREE_LEG}")
        if self.halt_s < 0 or not 0.0 < self.halt_at < 1.0 or \
                self.halt_phase not in ("descent", "ascent"):
            raise ValueError("a halt lasts >= 0 s, lies strictly between standing and the "
                             "bottom, on the descent or the ascent")

    @property
    def double(self) -> bool:
        return self.exercise == "double_leg_squat"


def _root(stance: str) -> str:
    return "left" if stance == "both" else stance


# Winter (2009), Biomechanics and Motor Control of Human Movement, table 4.1: thigh
# 0.100, leg 0.0465 and foot 0.0145 of the body's mass
LEG_MASS_SHARE = 0.161


def balance_adduction_deg(seg: Segments) -> float:
    """Stance-thigh adduction that balances the body over the stance foot.

    A body on one foot keeps its centre of mass above that foot, so people shift the
    pelvis sideways over it as the other foot leaves the floor, and past it by as much
    as the free leg, hanging a hip width away, pulls the other way: the pelvis centre
    ends (1/2 + 0.161/0.839) hip widths from where it stood, ~8 deg of adduction.
    Real single-leg squats from the front stand the hip-shoulder centre 3.5-5 cm past
    the stance ankle (tux_hyva*; this gives 3.3 cm).
    """
    shift_m = seg.hip_width * (0.5 + LEG_MASS_SHARE / (1.0 - LEG_MASS_SHARE))
    return float(np.degrees(np.arctan(shift_m / seg.leg_length)))


def standing_pose(seg: Segments, spec: MotionSpec, stance: str, single: bool) -> PoseParams:
    """Upright posture; ``single`` lifts the free leg and stands the pelvis over the stance
    foot (single-leg squats only)."""
    arms = {"forward": {}, "down": {"arm_flex_deg": 8.0, "arm_abd_deg": 12.0,
                                    "elbow_flex_deg": 10.0},
            "hips": {"arms_held": "hips"}, "crossed": {"arms_held": "crossed"}}[spec.arms]
    p = PoseParams(stance=_root(stance), mirror=spec.double,
                   stance_width_m=1.7 * seg.hip_width if spec.double else 0.0,
                   toe_out_deg=7.0 if spec.double else 0.0, **arms)
    if single:
        free = ({"free_thigh_deg": 50.0, "free_knee_deg": 60.0, "free_plantar_deg": 15.0,
                 "free_abd_deg": 4.0} if spec.free_leg == "forward" else
                {"free_thigh_deg": -12.0, "free_knee_deg": 95.0, "free_plantar_deg": 25.0,
                 "free_abd_deg": 3.0})
        p = replace(p, hip_adduction_deg=balance_adduction_deg(seg), **free)
    return p


def rep_targets(spec: MotionSpec, faults: dict[str, float]) -> tuple[dict[str, float], float]:
    """Bottom-of-rep truth targets for a fault set, and when the heel starts to rise
    (fraction of the descent)."""
    t = {"knee_flex": spec.depth_deg or (95.0 if spec.double else 70.0),
         # the front of the knee (~0.2 foot lengths ahead of the joint centre) just
         # short of the shoe tip: a clean squat, clear of the knee-past-toes level
         "knee_toe_offset_foot_lengths": -0.25,
         "heel_rise_cm": 0.0, "fppa_deg": 0.0, "trunk_fwd": 35.0 if spec.double else 30.0,
         "trunk_lat": 0.0, "tilt": 0.0, "drop": 0.0}
    heel_start = 0.45
    if "quad_dominant" in faults:  # full pattern from 15 deg; a milder one below
        m = faults["quad_dominant"]
        s = min(max(m / 15.0, 0.0), 1.0)
        t["trunk_fwd"] = 28.0 - 16.0 * s
        t.pop("knee_toe_offset_foot_lengths")
        t["tibia_inclination_deg"] = t["trunk_fwd"] + m
        t["heel_rise_cm"] = 3.0 * s
        t["knee_flex"] += 8.0 * s
        heel_start = 0.25
    if "hip_dominant" in faults:
        m = faults["hip_dominant"]
        t["tibia_inclination_deg"] = 24.0 - 10.0 * min(max(m / 28.0, 0.0), 1.0)
        t["trunk_fwd"] = t["tibia_inclination_deg"] + m
        t.pop("knee_toe_offset_foot_lengths", None)
    direct = {"knee_past_toes": "knee_toe_offset_foot_lengths", "heel_lift": "heel_rise_cm",
              "knee_valgus": "fppa_deg", "trunk_lean": "trunk_fwd",
              "lateral_trunk_lean": "trunk_lat", "pelvic_tilt": "tilt", "pelvic_drop": "drop",
              "hip_adduction": "hip_add"}
    for name, key in direct.items():
        if name in faults:
            t[key] = faults[name]
            if name == "knee_past_toes":
                t.pop("tibia_inclination_deg", None)
    return t, heel_start


# parameter solved for each measured target, and its first step
_SOLVED = {"knee_toe_offset_foot_lengths": ("tibia_deg", 2.0),
           "tibia_inclination_deg": ("tibia_deg", 2.0),
           "heel_rise_cm": ("heel_pitch_deg", 2.0), "fppa_deg": ("valgus_deg", 3.0)}


def bottom_pose(seg: Segments, spec: MotionSpec, stance: str, faults: dict[str, float],
                neutral: Skeleton) -> tuple[PoseParams, float]:
    """Solve the bottom posture for a rep; returns it and the heel-rise start fraction."""
    t, heel_start = rep_targets(spec, faults)
    up = standing_pose(seg, spec, stance, single=not spec.double)
    p = replace(up, knee_flex_deg=t["knee_flex"], tibia_deg=0.4 * t["knee_flex"],
                trunk_fwd_deg=t["trunk_fwd"], trunk_lat_deg=t["trunk_lat"],
                pelvis_tilt_deg=t["tilt"], pelvis_drop_deg=t["drop"],
                hip_adduction_deg=t.get("hip_add", up.hip_adduction_deg))
    if spec.arms == "forward":
        p = replace(p, arm_flex_deg=85.0)

    def err(q: PoseParams, key: str) -> float:
        if key == "fppa_deg":  # FPPA is the truth where it is read, not always the bottom
            q = fppa_reading_pose(seg, up, q, heel_start, neutral)
        return measure(forward_kinematics(seg, q), neutral, seg)[key] - t[key]

    for _ in range(10):
        worst = 0.0
        for key, (param, step) in _SOLVED.items():
            if key not in t:
                continue
            x0 = getattr(p, param)
            e0 = err(p, key)
            worst = max(worst, abs(e0))
            if abs(e0) < 1e-4:
                continue
            e1 = err(replace(p, **{param: x0 + step}), key)
            if abs(e1 - e0) < 1e-9:
                continue
            x = float(np.clip(x0 - e0 * step / (e1 - e0), -60.0, 80.0))
            p = replace(p, **{param: x})
        if worst < 1e-3:
            break
    if worst > 0.02:
        raise ValueError(f"the mannequin cannot combine {faults or 'no faults'} at "
                         f"{t['knee_flex']:.0f} deg knee flexion; try smaller magnitudes or "
                         "another depth")
    if not spec.double:
        p = _place_free_leg(seg, spec, p, neutral)
    return p, heel_start


def _place_free_leg(seg: Segments, spec: MotionSpec, p: PoseParams,
                    neutral: Skeleton) -> PoseParams:
    """Keep the free foot as high off the floor at the bottom as when standing."""
    free = other(p.stance)[0]
    if spec.free_leg == "behind":
        return replace(p, free_thigh_deg=-5.0, free_knee_deg=100.0)
    want = neutral.points[f"ankle_{free}"][2]
    lo, hi = 30.0, 110.0
    p = replace(p, free_knee_deg=45.0)
    for _ in range(30):
        mid = (lo + hi) / 2
        z = forward_kinematics(seg, replace(p, free_thigh_deg=mid)).points[f"ankle_{free}"][2]
        lo, hi = (lo, mid) if z > want else (mid, hi)
    return replace(p, free_thigh_deg=(lo + hi) / 2)


def smoothstep(u: float) -> float:
    u = min(max(u, 0.0), 1.0)
    return u * u * (3 - 2 * u)


def halting_progress(u: float, at: float, held: float) -> float:
    """Progress through a move of unit time ``u`` that eases to a stop at progress ``at``,
    stays there for the share ``held`` of the time, and eases on to the end."""
    first = (1.0 - held) * at  # share of the time spent before the halt
    if u < first:
        return at * smoothstep(u / first)
    if u < first + held:
        return at
    return at + (1.0 - at) * smoothstep((u - first - held) / (1.0 - held - first))


@dataclass(frozen=True)
class Segment:
    t0: float
    t1: float
    a: PoseParams
    b: PoseParams
    kind: str  # hold | move | descent | ascent
    heel_start: float = 0.45
    halt: tuple[float, float] | None = None  # (progress it halts at, share of time held)

    def pose_at(self, t: float) -> PoseParams:
        if self.kind == "hold" or self.t1 <= self.t0:
            return self.a
        u = (t - self.t0) / (self.t1 - self.t0)
        s = smoothstep(u) if self.halt is None else halting_progress(u, *self.halt)
        h = self.heel_start
        if self.kind == "descent":
            w = smoothstep((s - h) / (1 - h))
        elif self.kind == "ascent":
            w = 1.0 - smoothstep((1 - s - h) / (1 - h))
        else:
            w = s
        return self.a.blend(self.b, s, heel_pitch_deg=w)


def fppa_reading_pose(seg: Segments, up: PoseParams, bottom: PoseParams, heel_start: float,
                      neutral: Skeleton) -> PoseParams:
    """The posture a rep's FPPA truth is read at: the bottom, or, when the stance thigh
    there is shorter than ``FPPA_MIN_THIGH_FRACTION`` of standing in the frontal
    projection, the descent posture where it shortens to that fraction (measures.py)."""
    descent = Segment(0.0, 1.0, up, bottom, "descent", heel_start)

    def long_enough(u: float) -> bool:
        sk = forward_kinematics(seg, descent.pose_at(u))
        return frontal_thigh_fraction(sk, neutral) >= FPPA_MIN_THIGH_FRACTION

    if long_enough(1.0):
        return bottom
    lo, hi = 0.0, 1.0  # the thigh shortens monotonically on the way down
    for _ in range(24):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if long_enough(mid) else (lo, mid)
    return descent.pose_at(lo)


@dataclass
class Timeline:
    """Segments covering [0, duration_s], the reps and the standing spans; per rep its
    bottom posture and the posture its FPPA is read at."""

    segments: list[Segment]
    reps: list[dict]
    standing_s: list[tuple[float, float]]
    bottoms: list[PoseParams]
    fppa_poses: list[PoseParams]

    @property
    def duration_s(self) -> float:
        return self.segments[-1].t1

    def pose_at(self, t: float) -> PoseParams:
        for seg in self.segments:
            if t < seg.t1:
                return seg.pose_at(t)
        return self.segments[-1].b


def build_timeline(seg: Segments, spec: MotionSpec) -> Timeline:
    """Lay out the clip: intro standing, (leg lifts / switches,) reps and rests."""
    tp = spec.tempo
    segments: list[Segment] = []
    standing: list[tuple[float, float]] = []
    reps: list[dict] = []
    bottoms: list[PoseParams] = []
    fppa_poses: list[PoseParams] = []
    t = 0.0

    def add(a, b, dur, kind, heel_start=0.45, is_standing=False, halt=None):
        nonlocal t
        if dur <= 0:  # a pause left out (touch and go)
            return b
        segments.append(Segment(t, t + dur, a, b, kind, heel_start, halt))
        if is_standing:
            standing.append((round(t, 4), round(t + dur, 4)))
        t += dur
        return b

    first = spec.stances[0]
    cur = standing_pose(seg, spec, first, single=False)
    cur = add(cur, cur, tp.intro_s, "hold", is_standing=True)
    single_on = None
    for i, (st, faults) in enumerate(zip(spec.stances, spec.rep_faults, strict=True)):
        up = standing_pose(seg, spec, st, single=not spec.double)
        if not spec.double and single_on != st:
            if single_on is not None:  # switch legs: lower the free foot, stand, lift the other
                down = standing_pose(seg, spec, single_on, single=False)
                add(cur, down, tp.lift_s, "move")
                add(down, down, 0.5 * tp.stand_s, "hold", is_standing=True)
                cur = standing_pose(seg, spec, st, single=False)
            cur = add(cur, up, tp.lift_s, "move")
            cur = add(cur, cur, tp.stand_s, "hold", is_standing=True)
            single_on = st
        neutral = forward_kinematics(seg, up)
        bottom, heel_start = bottom_pose(seg, spec, st, faults, neutral)
        start = t
        down, back, halt = _halted_phases(spec)
        add(cur, bottom, down, "descent", heel_start, halt=halt.get("descent"))
        bottom_s = t + tp.hold_s / 2
        add(bottom, bottom, tp.hold_s, "hold")
        last = i == len(spec.stances) - 1
        short = spec.return_share < 1 and not last and spec.stances[i + 1] == st
        # a short return turns round with the heels down and goes straight into the next rep
        top = bottom.blend(up, spec.return_share, heel_pitch_deg=1.0) if short else up
        add(bottom, top, back, "ascent", heel_start, halt=halt.get("ascent"))
        reps.append({"start_s": round(start, 4), "bottom_s": round(bottom_s, 4),
                     "end_s": round(t, 4), "stance": st,
                     "faults": {k: float(v) for k, v in faults.items()}}
                    | ({"halt": {"phase": spec.halt_phase, "at": spec.halt_at,
                                 "s": spec.halt_s}} if halt else {}))
        bottoms.append(bottom)
        fppa_poses.append(fppa_reading_pose(seg, up, bottom, heel_start, neutral))
        cur = add(top, top, tp.outro_s if last else tp.between_s, "hold",
                  is_standing=not short)
    return Timeline(segments, reps, standing, bottoms, fppa_poses)


def _halted_phases(spec: MotionSpec) -> tuple[float, float, dict]:
    """Descent and ascent durations (s), and the ``Segment.halt`` of the phase that halts."""
    tp = spec.tempo
    if spec.halt_s <= 0:
        return tp.descent_s, tp.ascent_s, {}
    if spec.halt_phase == "descent":
        dur = tp.descent_s + spec.halt_s
        return dur, tp.ascent_s, {"descent": (spec.halt_at, spec.halt_s / dur)}
    dur = tp.ascent_s + spec.halt_s
    return tp.descent_s, dur, {"ascent": (1.0 - spec.halt_at, spec.halt_s / dur)}


def rep_truth(seg: Segments, spec: MotionSpec, timeline: Timeline, k: int,
              t_s: float) -> dict[str, float]:
    """Truth values of rep ``k`` with the body as at ``t_s`` (its bottom frame), but FPPA
    from the posture it is read at (``fppa_reading_pose``): ``fppa_bottom_deg`` keeps the
    bottom's own projection and ``fppa_knee_flexion_deg`` says how deep FPPA was read."""
    stance = timeline.reps[k]["stance"]
    neutral = forward_kinematics(seg, standing_pose(seg, spec, stance, single=not spec.double))
    values = measure(forward_kinematics(seg, timeline.pose_at(t_s)), neutral, seg)
    read = measure(forward_kinematics(seg, timeline.fppa_poses[k]), neutral, seg)
    values["fppa_bottom_deg"] = values["fppa_deg"]
    values["fppa_deg"] = read["fppa_deg"]
    values["fppa_knee_flexion_deg"] = read["knee_flexion_deg"]
    return values
