"""A 3D stick figure that squats, lunges, hinges, walks or jumps, seen by a pinhole camera.

Builds ``PoseTrack`` objects whose image landmarks and world landmarks agree, with
known view, facing, stance leg and rep times, for the view / exercise / reps tests.
World frame: metres, x right, y down, z away from the camera (MediaPipe's axes);
the floor is y = 0, so heights are negative y.
"""

from __future__ import annotations

import numpy as np

from squatcheck.pose import landmarks as L
from squatcheck.pose.track import PoseTrack, TrackMeta

SHANK, THIGH, TRUNK = 0.43, 0.43, 0.50
HIP_HALF, SHOULDER_HALF, STANCE_HALF = 0.10, 0.175, 0.12
ANKLE_H, TOE_FWD, HEEL_BACK = 0.08, 0.16, 0.05
W, H, FOCAL = 960, 960, 900.0
CAMERA = np.array([0.0, -1.0, -4.0])  # 1 m above the floor, 4 m in front of the subject


def axes(yaw_deg: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(forward, left, up) unit vectors of a subject turned ``yaw_deg`` from facing the
    camera (+90 = facing image-right, -90 = image-left)."""
    a = np.radians(yaw_deg)
    return (np.array([np.sin(a), 0.0, -np.cos(a)]), np.array([np.cos(a), 0.0, np.sin(a)]),
            np.array([0.0, -1.0, 0.0]))


def _leg(ankle, knee_flex, tibia_deg, fwd, up):
    """Knee and hip of a leg standing on ``ankle``: tibia tilted forward, thigh back."""
    t = np.radians(tibia_deg)
    th = np.radians(knee_flex - tibia_deg)
    knee = ankle + SHANK * (np.sin(t) * fwd + np.cos(t) * up)
    hip = knee + THIGH * (-np.sin(th) * fwd + np.cos(th) * up)
    return knee, hip


def _foot(ankle, fwd, up, heel_up=0.0):
    heel = ankle - HEEL_BACK * fwd - (ANKLE_H - 0.02 - heel_up) * up
    toe = ankle + TOE_FWD * fwd - (ANKLE_H - 0.02) * up
    return heel, toe


def pose(*, yaw_deg=0.0, knee_flex=0.0, stance="both", trunk_extra=0.0, free_behind=True,
         origin=(0.0, 0.0, 0.0), lift=0.0,
         free_knee=90.0, free_hip=25.0, stance_half=STANCE_HALF) -> np.ndarray:
    """(33, 3) world points. ``knee_flex`` of the stance leg(s) (deg); ``stance`` both /
    left / right; ``lift`` raises the whole body (a jump)."""
    fwd, left, up = axes(yaw_deg)
    o = np.asarray(origin, float) + lift * up
    p = np.full((33, 3), np.nan)
    tibia = knee_flex / 2.0
    feet = {}
    if stance == "both":
        for side, s in (("left", 1), ("right", -1)):
            feet[side] = o + s * stance_half * left + ANKLE_H * up
    else:
        s = 1 if stance == "left" else -1
        feet[stance] = o + s * HIP_HALF * left + ANKLE_H * up
    hips = {}
    for side, ankle in feet.items():
        knee, hip = _leg(ankle, knee_flex, tibia, fwd, up)
        heel, toe = _foot(ankle, fwd, up)
        ids = L.LEG[side]
        p[ids["ankle"]], p[ids["knee"]], p[ids["heel"]], p[ids["toe"]] = ankle, knee, heel, toe
        hips[side] = hip
    centre = np.mean(list(hips.values()), axis=0)
    if stance == "both":
        centre = centre - (centre @ left) * left + (o @ left) * left
    p[L.LEFT_HIP], p[L.RIGHT_HIP] = centre + HIP_HALF * left, centre - HIP_HALF * left
    if stance != "both":  # the free leg hangs from its hip: thigh back, knee bent
        free = "right" if stance == "left" else "left"
        ids = L.LEG[free]
        hip = p[ids["hip"]]
        a = np.radians(free_hip if free_behind else -free_hip)
        knee = hip + THIGH * (-np.sin(a) * fwd - np.cos(a) * up) * (1 if free_behind else 1)
        b = np.radians(free_hip + free_knee if free_behind else -free_hip)
        ankle = knee + SHANK * (-np.sin(b) * fwd - np.cos(b) * up)
        heel, toe = _foot(ankle, fwd, up)
        p[ids["knee"]], p[ids["ankle"]], p[ids["heel"]], p[ids["toe"]] = knee, ankle, heel, toe
    lean = np.radians(knee_flex / 3.0 + trunk_extra)
    sh = centre + TRUNK * (np.sin(lean) * fwd + np.cos(lean) * up)
    p[L.LEFT_SHOULDER], p[L.RIGHT_SHOULDER] = sh + SHOULDER_HALF * left, sh - SHOULDER_HALF * left
    head = sh + 0.2 * up + 0.04 * fwd
    p[L.NOSE] = head + 0.1 * fwd
    p[L.LEFT_EAR], p[L.RIGHT_EAR] = head + 0.07 * left, head - 0.07 * left
    for i in range(33):  # remaining face/hand points: near the head or the shoulders
        if np.isnan(p[i, 0]):
            p[i] = head + 0.05 * fwd if i < 11 else (p[L.LEFT_SHOULDER] if i % 2 else
                                                     p[L.RIGHT_SHOULDER]) + 0.3 * fwd
    return p


def project(points: np.ndarray) -> np.ndarray:
    """(..., 3) world -> (..., 2) normalised image coordinates of the pinhole camera."""
    rel = points - CAMERA
    u = W / 2 + FOCAL * rel[..., 0] / rel[..., 2]
    v = H / 2 + FOCAL * rel[..., 1] / rel[..., 2]
    return np.stack([u / W, v / H], axis=-1)


def knee_profile(t_s: np.ndarray, bottoms_s, *, depth_deg=90.0, half_s=1.0,
                 hold_s=0.0, base_deg=5.0) -> np.ndarray:
    """Knee flexion over time: a smooth dip to ``depth_deg`` around each bottom."""
    k = np.full(len(t_s), base_deg)
    for b in bottoms_s:
        d = np.abs(t_s - b)
        inside = np.clip((d - hold_s / 2) / half_s, 0, None)
        bump = np.where(inside < 1, 0.5 * (1 + np.cos(np.pi * np.clip(inside, 0, 1))), 0.0)
        k = np.maximum(k, base_deg + (depth_deg - base_deg) * bump)
    return k


def make_track(frames_world: list[np.ndarray], t_s: np.ndarray, *,
               visibility: float = 0.95, source: str = "stick") -> PoseTrack:
    world_abs = np.stack(frames_world)
    xy = project(world_abs)
    hip_mid = (world_abs[:, L.LEFT_HIP] + world_abs[:, L.RIGHT_HIP]) / 2
    world = world_abs - hip_mid[:, None]
    n = len(t_s)
    vis = np.full((n, 33), visibility)
    image = np.concatenate([xy, np.zeros((n, 33, 1)), vis[..., None], vis[..., None]], -1)
    return PoseTrack.from_rows(t_s, np.arange(n), image, world,
                               TrackMeta(source=source, image_size=(W, H), fps_nominal=30.0,
                                         frames_decoded=n))


def squat_track(*, yaw_deg=0.0, stances=("both",) * 3, fps=30.0, depth_deg=90.0,
                period_s=3.0, lead_s=1.0, free_behind=True, **kw) -> tuple[PoseTrack, list]:
    """Reps one after another (``stances`` per rep), standing between them.
    Returns the track and the true bottom times."""
    bottoms = [lead_s + period_s * (i + 0.5) for i in range(len(stances))]
    t = np.arange(0, lead_s * 2 + period_s * len(stances), 1 / fps)
    knee = knee_profile(t, bottoms, depth_deg=depth_deg, half_s=period_s * 0.3)
    frames = []
    switch_s = 0.8  # a change of stance leg takes this long (feet move continuously)
    for ti, k in zip(t, knee, strict=True):
        x = np.clip((ti - lead_s) / period_s, 0, len(stances) - 1e-9)
        i = int(x)
        now = pose(yaw_deg=yaw_deg, knee_flex=k, stance=stances[i], free_behind=free_behind,
                   **kw)
        to_edge = (i + 1 - x) * period_s  # seconds until this rep's slot ends
        if i + 1 < len(stances) and stances[i + 1] != stances[i] and to_edge < switch_s:
            nxt = pose(yaw_deg=yaw_deg, knee_flex=k, stance=stances[i + 1],
                       free_behind=free_behind, **kw)
            w = 1 - to_edge / switch_s
            now = (1 - w) * now + w * nxt
        frames.append(now)
    return make_track(frames, t), bottoms


def ik_knee(hip: np.ndarray, ankle: np.ndarray, fwd: np.ndarray) -> np.ndarray:
    """Knee of a thigh/shank pair joining ``hip`` and ``ankle``, bent forwards."""
    d = ankle - hip
    dist = min(np.linalg.norm(d), THIGH + SHANK - 1e-9)
    u = d / np.linalg.norm(d)
    a = (THIGH ** 2 - SHANK ** 2 + dist ** 2) / (2 * dist)
    h = np.sqrt(max(THIGH ** 2 - a ** 2, 0.0))
    side = fwd - (fwd @ u) * u
    side /= np.linalg.norm(side)
    return hip + a * u + h * side


def side_lunge_pose(*, yaw_deg=0.0, shift=0.0, half=0.45) -> np.ndarray:
    """(33, 3) side lunge: feet ``half`` m either side of the middle, the pelvis ``shift`` m
    towards the left foot and as low as keeps the right leg straight; knees by inverse
    kinematics, so the left knee bends (about 100 deg at a 0.3 m shift)."""
    fwd, left, up = axes(yaw_deg)
    gap = half + shift - HIP_HALF  # sideways from the right hip to the right ankle
    centre = shift * left + (np.sqrt((THIGH + SHANK) ** 2 - gap ** 2) + ANKLE_H) * up
    return _on_two_feet(yaw_deg, centre, {"left": (half * left + ANKLE_H * up, 0.0),
                                          "right": (-half * left + ANKLE_H * up, 0.0)})


def split_pose(*, yaw_deg=0.0, drop=0.0, split=0.35) -> np.ndarray:
    """(33, 3) split squat: left foot ``split`` m ahead, right foot behind on its toes,
    pelvis midway and ``drop`` m below standing; knees by inverse kinematics."""
    fwd, left, up = axes(yaw_deg)
    stand = np.sqrt((THIGH + SHANK) ** 2 - split ** 2) + ANKLE_H
    feet = {side: (s * HIP_HALF * left + s * split * fwd + ANKLE_H * up, heel_up)
            for side, s, heel_up in (("left", 1, 0.0), ("right", -1, 0.06))}
    return _on_two_feet(yaw_deg, (stand - drop) * up, feet)


def _on_two_feet(yaw_deg: float, centre: np.ndarray, feet: dict) -> np.ndarray:
    """(33, 3) an upright trunk over the pelvis ``centre`` and legs reaching ``feet``
    ({side: (ankle, heel raised by)}), knees by inverse kinematics."""
    fwd, left, up = axes(yaw_deg)
    p = pose(yaw_deg=yaw_deg)
    for side, s in (("left", 1), ("right", -1)):
        ids = L.LEG[side]
        ankle, heel_up = feet[side]
        hip = centre + s * HIP_HALF * left
        knee = ik_knee(hip, ankle, fwd)
        heel, toe = _foot(ankle, fwd, up, heel_up=heel_up)
        p[ids["hip"]], p[ids["knee"]], p[ids["ankle"]] = hip, knee, ankle
        p[ids["heel"]], p[ids["toe"]] = heel, toe
    sh = centre + TRUNK * up
    p[L.LEFT_SHOULDER], p[L.RIGHT_SHOULDER] = sh + SHOULDER_HALF * left, sh - SHOULDER_HALF * left
    head = sh + 0.2 * up + 0.04 * fwd
    p[L.NOSE] = head + 0.1 * fwd
    p[L.LEFT_EAR], p[L.RIGHT_EAR] = head + 0.07 * left, head - 0.07 * left
    return p


def joined(first: PoseTrack, second: PoseTrack, gap_s: float = 0.0) -> PoseTrack:
    """``second`` filmed right after ``first`` (a hard cut, or the body turned in place)."""
    dt = float(np.median(np.diff(first.t_s)))
    t = np.concatenate([first.t_s, second.t_s + first.t_s[-1] + dt + gap_s])
    rows = [np.concatenate([a, b]) for a, b in (
        (first.xy, second.xy), (first.z[..., None], second.z[..., None]),
        (first.visibility[..., None], second.visibility[..., None]),
        (first.presence[..., None], second.presence[..., None]))]
    return PoseTrack.from_rows(t, np.arange(len(t)), np.concatenate(rows, axis=-1),
                               np.concatenate([first.world, second.world]), first.meta)
