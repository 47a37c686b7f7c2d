"""Hand-built landmark tracks with known answers, for the clinical measurement tests.

Stick figures drawn directly in pixels (x right, y down): every angle and offset
is set by construction, so a test can pin the measurement against it.
"""

from __future__ import annotations

import numpy as np

from squatcheck.analysis.context import ClipContext, RepSegment, Signals
from squatcheck.pose.landmarks import LEFT_SHOULDER, LEG, NOSE, RIGHT_SHOULDER

W, H = 1000, 1000
FOOT_PX = 100.0  # heel -> toe
SHANK_PX = THIGH_PX = 200.0
TRUNK_PX = 260.0


def _rot(v, deg, facing):
    """Vector of length |v| at ``deg`` from up, leaning towards image-x * facing."""
    a = np.radians(deg)
    return v * np.array([np.sin(a) * facing, -np.cos(a)])


def side_frame(*, facing=1, tibia_deg=0.0, knee_flex_deg=0.0, trunk_deg=0.0,
               heel_rise_px=0.0, toe_x=500.0, floor_y=900.0, free="both",
               free_thigh_deg=-30.0, free_knee_deg=90.0) -> np.ndarray:
    """(33, 2) side view. ``free`` = "both" (double-leg: right leg = left leg) or the
    free leg's name ("left"/"right"), which then hangs behind, foot off the floor."""
    xy = np.full((33, 2), np.nan)
    toe = np.array([toe_x, floor_y])
    pitch = np.degrees(np.arcsin(heel_rise_px / FOOT_PX))
    heel = toe + FOOT_PX * np.array([-facing * np.cos(np.radians(pitch)),
                                     -np.sin(np.radians(pitch))])
    ankle = heel + (toe - heel) * 0.25 + np.array([0.0, -40.0])
    knee = ankle + _rot(SHANK_PX, tibia_deg, facing)
    hip = knee + _rot(THIGH_PX, tibia_deg - knee_flex_deg, facing)
    shoulder = hip + _rot(TRUNK_PX, trunk_deg, facing)
    legs = ("left", "right") if free == "both" else (("right",) if free == "left" else ("left",))
    for leg in legs:
        for name, p in (("toe", toe), ("heel", heel), ("ankle", ankle), ("knee", knee),
                        ("hip", hip)):
            xy[LEG[leg][name]] = p
    if free != "both":
        f = LEG[free]
        fknee = hip + _rot(THIGH_PX, 180 - free_thigh_deg, facing)
        fankle = fknee + _rot(SHANK_PX, 180 - free_thigh_deg + free_knee_deg, facing)
        xy[f["hip"]], xy[f["knee"]], xy[f["ankle"]] = hip, fknee, fankle
        xy[f["heel"]] = fankle + np.array([-facing * 25.0, 30.0])
        xy[f["toe"]] = fankle + np.array([facing * 75.0, 30.0])
    xy[LEFT_SHOULDER] = xy[RIGHT_SHOULDER] = shoulder
    xy[NOSE] = shoulder + np.array([facing * 30.0, -60.0])
    return np.where(np.isnan(xy), shoulder, xy)


def front_frame(*, facing="camera", stance="left", fppa_deg=0.0, drop_deg=0.0,
                lean_deg=0.0, hip_y=500.0, centre_x=500.0, half_hip=60.0,
                floor_y=900.0) -> np.ndarray:
    """(33, 2) front view. The stance knee is pushed medially to make ``fppa_deg``; the
    free-side hip sits ``drop_deg`` lower; the trunk leans ``lean_deg`` towards the
    stance side (on both feet: the subject's left). ``stance`` "both" bends both knees the
    same way."""
    xy = np.full((33, 2), np.nan)
    # subject's left is image-right when facing the camera
    left_x_sign = 1.0 if facing == "camera" else -1.0
    hips = {}
    for leg in ("left", "right"):
        lateral = left_x_sign * (1 if leg == "left" else -1)
        hips[leg] = np.array([centre_x + lateral * half_hip, hip_y])
    if stance in ("left", "right"):
        free = "right" if stance == "left" else "left"
        hips[free] = hips[free] + np.array([0.0, 2 * half_hip * np.tan(np.radians(drop_deg))])
    for leg in ("left", "right"):
        lateral = left_x_sign * (1 if leg == "left" else -1)
        hip = hips[leg]
        ankle = np.array([hip[0], floor_y])
        bend = fppa_deg if stance in (leg, "both") else 0.0
        m = ((ankle[1] - hip[1]) / 2) * np.tan(np.radians(bend) / 2)
        knee = np.array([hip[0] - lateral * m, (hip[1] + ankle[1]) / 2])
        if stance not in (leg, "both"):  # free leg: foot lifted behind
            ankle = ankle + np.array([0.0, -120.0])
        ids = LEG[leg]
        xy[ids["hip"]], xy[ids["knee"]], xy[ids["ankle"]] = hip, knee, ankle
        xy[ids["heel"]] = ankle + np.array([0.0, 20.0])
        xy[ids["toe"]] = ankle + np.array([lateral * 5.0, 40.0])
    mid = (hips["left"] + hips["right"]) / 2
    to_stance = -left_x_sign if stance == "right" else left_x_sign
    sh_mid = mid + TRUNK_PX * np.array([to_stance * np.sin(np.radians(lean_deg)),
                                        -np.cos(np.radians(lean_deg))])
    xy[LEFT_SHOULDER] = sh_mid + np.array([left_x_sign * 90.0, 0.0])
    xy[RIGHT_SHOULDER] = sh_mid - np.array([left_x_sign * 90.0, 0.0])
    xy[NOSE] = sh_mid + np.array([0.0, -60.0])
    return np.where(np.isnan(xy), sh_mid, xy)


def ramp(n_stand: int, n_down: int, n_hold: int, peak: float) -> np.ndarray:
    """0 for n_stand, cosine to ``peak`` over n_down, hold, back, 0 for n_stand: (T,)."""
    down = peak * (1 - np.cos(np.linspace(0, np.pi, n_down))) / 2
    return np.concatenate([np.zeros(n_stand), down, np.full(n_hold, peak), down[::-1],
                           np.zeros(n_stand)])


def track(frames: list[np.ndarray], *, fps=30.0, visibility=0.99) -> Signals:
    xy = np.stack(frames).astype(float)
    n = len(xy)
    return Signals(t_s=np.arange(n) / fps, frame_index=np.arange(n) + 100, xy_px=xy,
                   visibility=np.full((n, 33), visibility), usable=np.ones(n, bool),
                   world=np.zeros((n, 33, 3)), image_size=(W, H))


def context(view, *, facing="right", exercise="single_leg_squat", n_base=10) -> ClipContext:
    sign = {"right": 1, "left": -1}.get(facing, 0) if view == "side" else 0
    return ClipContext(view=view, facing=facing, facing_sign=sign, exercise=exercise,
                       baseline=np.arange(n_base))


def one_rep(sig: Signals, stance: str, n_stand: int) -> RepSegment:
    n = len(sig.t_s)
    return RepSegment(start=n_stand - 1, bottom=n // 2, end=n - n_stand, stance=stance)
