"""Forward kinematics of the mannequin: pose parameters + segment lengths → 3D joints.

The chain is built from the stance foot up, because that foot is what stays put:
the stance ball of the foot sits on the floor, the rear foot pitches about it
(heel lift), the shank leans from the ankle, the thigh follows the knee angle,
and the pelvis hangs from the stance hip with its own tilt and drop, so pelvis
motion is independent of the thighs. The trunk, head and arms sit on the pelvis;
the free leg hangs from the other hip. A double-leg squat mirrors the stance leg
about the body's mid-plane, so both feet stay planted.

Angles are in degrees, world frame as in :mod:`.body` (x forward, y left, z up).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np

from .body import Segments

SIDES = ("left", "right")
TOE_CAP = 0.015  # m per unit girth: the shoe's toe cap ahead of the toes inside it


def rot_x(deg: float) -> np.ndarray:
    """Rotation about x (forward): positive lifts the +y (left) side."""
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[1.0, 0, 0], [0, c, -s], [0, s, c]])


def rot_y(deg: float) -> np.ndarray:
    """Rotation about y (left): positive tips +z toward +x (top forward, toes down)."""
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, 0, s], [0, 1.0, 0], [-s, 0, c]])


def rot_z(deg: float) -> np.ndarray:
    """Rotation about z (up): positive turns +x toward +y (to the subject's left)."""
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]])


def rotate_about(v: np.ndarray, axis: np.ndarray, deg: float) -> np.ndarray:
    """Rodrigues rotation of vector ``v`` (3,) about unit ``axis`` (3,)."""
    a = np.radians(deg)
    return (v * np.cos(a) + np.cross(axis, v) * np.sin(a)
            + axis * np.dot(axis, v) * (1 - np.cos(a)))


def side_sign(side: str) -> float:
    """+1 for the left side (+y), -1 for the right."""
    return 1.0 if side == "left" else -1.0


def other(side: str) -> str:
    return "right" if side == "left" else "left"


@dataclass(frozen=True)
class PoseParams:
    """One body posture. Angles in degrees; ``stance`` is the foot the chain starts from.

    ``mirror`` (double-leg squat) makes the other leg the mirror image of the
    stance leg; otherwise the other leg is free and posed by the ``free_*`` angles
    (all zero = straight down, foot flat: it then stands beside the stance foot).
    """

    stance: str = "left"
    mirror: bool = False
    stance_width_m: float = 0.0  # lateral distance between the feet; 0 = hip width
    toe_out_deg: float = 0.0
    heel_pitch_deg: float = 0.0  # stance rear foot pitch about the ball (heel up)
    tibia_deg: float = 0.0  # stance shank lean forward from vertical, in the foot's plane
    knee_flex_deg: float = 0.0
    valgus_deg: float = 0.0  # knee rotated medially about the ankle-hip line
    pelvis_tilt_deg: float = 0.0  # + anterior (top of the pelvis forward)
    pelvis_drop_deg: float = 0.0  # + free (non-stance) side down
    hip_adduction_deg: float = 0.0  # stance thigh adducted: level pelvis shifted over the foot
    trunk_fwd_deg: float = 0.0  # hip-midpoint → shoulder-midpoint, sagittal, + forward
    trunk_lat_deg: float = 0.0  # same, frontal, + toward the stance side
    free_thigh_deg: float = 0.0  # + forward (hip flexion), - behind
    free_knee_deg: float = 0.0
    free_abd_deg: float = 0.0  # + away from the midline
    free_plantar_deg: float = 0.0
    arm_flex_deg: float = 80.0  # 0 hanging, 90 horizontal forward
    arm_abd_deg: float = 8.0
    elbow_flex_deg: float = 35.0
    arms_held: str = ""  # "hips" (hands on them) or "crossed" (on the chest): the arm
    # angles above are then unused (``_held_arm``)
    head_pitch_deg: float = 0.0  # + chin down

    def blend(self, target: PoseParams, s: float, **weights: float) -> PoseParams:
        """Interpolate every angle toward ``target`` by ``s`` in [0, 1] (``weights``
        override ``s`` per field); stance, mirror and width come from ``self``."""
        values = {}
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(target, f.name)
            if isinstance(a, float) and f.name != "stance_width_m":
                w = weights.get(f.name, s)
                values[f.name] = a + (b - a) * w
        return replace(self, **values)


@dataclass
class Skeleton:
    """Named 3D points (metres) and segment orientations (3x3, columns = segment axes)."""

    points: dict[str, np.ndarray] = field(default_factory=dict)
    frames: dict[str, np.ndarray] = field(default_factory=dict)
    stance: str = "left"
    double: bool = False

    def __getitem__(self, name: str) -> np.ndarray:
        return self.points[name]


def foot_geometry(seg: Segments) -> dict[str, np.ndarray]:
    """Foot points in the rear-foot frame (origin at the ankle joint centre, x toward the toes).

    Heel and toe are the foot's own back and tip inside the shoe (a little above the
    sole); ``ball`` is the shoe's floor contact under the ball of the foot, the pivot
    of a heel lift; ``tip`` is the front end of the shoe (its toe cap), the toe tip a
    camera sees.
    """
    floor = -seg.ankle_height
    ball_x = 0.72 * seg.foot_length - seg.heel_back
    return {"ankle": np.zeros(3),
            "heel": np.array([-seg.heel_back, 0.0, floor + seg.sole + 0.02 * seg.girth]),
            "ball": np.array([ball_x, 0.0, floor]),
            "toe": np.array([seg.foot_length - seg.heel_back, 0.0,
                             floor + 0.6 * seg.sole + 0.018 * seg.girth]),
            "tip": np.array([seg.foot_length - seg.heel_back + TOE_CAP * seg.girth, 0.0,
                             floor + 0.5 * seg.sole])}


def _stance_leg(seg: Segments, p: PoseParams, side: str, ball: np.ndarray) -> tuple[dict, dict]:
    sg = side_sign(side)
    geo = foot_geometry(seg)
    yaw = rot_z(sg * p.toe_out_deg)
    r_foot = yaw @ rot_y(p.heel_pitch_deg)
    ankle = ball + r_foot @ (geo["ankle"] - geo["ball"])
    pts = {f"{k}_{side[0]}": ball + r_foot @ (v - geo["ball"]) for k, v in geo.items()}
    for k in ("toe", "tip"):  # the toes stay on the floor
        pts[f"{k}_{side[0]}"] = ball + yaw @ (geo[k] - geo["ball"])
    fwd, up = yaw[:, 0], np.array([0.0, 0.0, 1.0])
    t, th = np.radians(p.tibia_deg), np.radians(p.knee_flex_deg - p.tibia_deg)
    knee = ankle + seg.shank * (np.cos(t) * up + np.sin(t) * fwd)
    hip = knee + seg.thigh * (np.cos(th) * up - np.sin(th) * fwd)
    # frontal lean of the whole leg so the hip lands at its place above the pelvis
    target_y = sg * (seg.hip_width / 2 + seg.leg_length * np.tan(np.radians(p.hip_adduction_deg)))
    dy, dz = (hip - ankle)[1], (hip - ankle)[2]
    need = target_y - ankle[1]
    if abs(need - dy) > 1e-9:
        r, g = np.hypot(dy, dz), np.arctan2(dz, dy)
        beta = np.degrees(np.arccos(np.clip(need / r, -1, 1)) - g)
        if abs(beta) > 90:  # the other root of cos; never wanted
            beta = -np.degrees(np.arccos(np.clip(need / r, -1, 1)) + g)
        lean = rot_x(beta)
        knee, hip = ankle + lean @ (knee - ankle), ankle + lean @ (hip - ankle)
    if p.valgus_deg:
        axis = (hip - ankle) / np.linalg.norm(hip - ankle)
        r = knee - ankle - axis * np.dot(knee - ankle, axis)
        medial = np.array([0.0, -sg, 0.0])
        turn = 1.0 if np.dot(np.cross(axis, r), medial) >= 0 else -1.0
        along = axis * np.dot(knee - ankle, axis)
        knee = ankle + along + rotate_about(r, axis, turn * p.valgus_deg)
    pts[f"knee_{side[0]}"], pts[f"hip_{side[0]}"] = knee, hip
    frames = {f"foot_{side[0]}": r_foot, f"toes_{side[0]}": yaw}
    return pts, frames


def _free_leg(seg: Segments, p: PoseParams, side: str, hip: np.ndarray) -> tuple[dict, dict]:
    sg = side_sign(side)
    geo = foot_geometry(seg)
    abd = rot_x(sg * p.free_abd_deg)  # top stays, the leg swings out
    a_t, a_s = p.free_thigh_deg, p.free_thigh_deg - p.free_knee_deg
    down = np.array([0.0, 0.0, -1.0])
    knee = hip + seg.thigh * (abd @ rot_y(-a_t) @ down)
    ankle = knee + seg.shank * (abd @ rot_y(-a_s) @ down)
    r_foot = abd @ rot_z(sg * p.toe_out_deg) @ rot_y(-a_s + p.free_plantar_deg)
    pts = {f"{k}_{side[0]}": ankle + r_foot @ v for k, v in geo.items()}
    pts[f"knee_{side[0]}"], pts[f"hip_{side[0]}"] = knee, hip
    return pts, {f"foot_{side[0]}": r_foot, f"toes_{side[0]}": r_foot}


def _trunk_direction(p: PoseParams, stance_sign: float) -> np.ndarray:
    w = np.array([np.tan(np.radians(p.trunk_fwd_deg)),
                  stance_sign * np.tan(np.radians(p.trunk_lat_deg)), 1.0])
    return w / np.linalg.norm(w)


def forward_kinematics(seg: Segments, p: PoseParams) -> Skeleton:
    """Joint positions for one posture (see the module docstring for the chain)."""
    st, fr = p.stance, other(p.stance)
    sg = side_sign(st)
    width = p.stance_width_m or seg.hip_width
    ball = np.array([0.0, sg * width / 2, 0.0])
    pts, frames = _stance_leg(seg, p, st, ball)

    drop = p.pelvis_drop_deg * (sg if not p.mirror else 0.0)
    r_pelvis = rot_x(drop) @ rot_y(p.pelvis_tilt_deg)
    half = np.array([0.0, seg.hip_width / 2, 0.0])
    centre = pts[f"hip_{st[0]}"] - r_pelvis @ (sg * half)
    hip_free = centre + r_pelvis @ (-sg * half)
    if p.mirror:
        m = np.diag([1.0, -1.0, 1.0])
        for k in [k for k in pts if k.endswith(f"_{st[0]}")]:
            pts[k[:-1] + fr[0]] = m @ pts[k]
        for k in list(frames):
            frames[k[:-1] + fr[0]] = m @ frames[k] @ m
    else:
        fp, ff = _free_leg(seg, p, fr, hip_free)
        pts.update(fp)
        frames.update(ff)

    # trunk: hip-midpoint → shoulder-midpoint at the requested inclination
    waist = centre + r_pelvis @ np.array([0.0, 0.0, seg.pelvis_height])
    w = _trunk_direction(p, sg if not p.mirror else 1.0)
    off = waist - centre
    wp = np.dot(w, off)
    s = wp + np.sqrt(max(wp * wp - np.dot(off, off) + seg.thorax ** 2, 0.0))
    sh_mid = centre + s * w
    z_t = (sh_mid - waist) / np.linalg.norm(sh_mid - waist)
    x_t = np.array([1.0, 0.0, 0.0]) - z_t * z_t[0]
    x_t /= np.linalg.norm(x_t)
    r_thorax = np.column_stack([x_t, np.cross(z_t, x_t), z_t])
    pts.update(pelvis=centre, waist=waist, shoulder_mid=sh_mid)
    frames.update(pelvis=r_pelvis, thorax=r_thorax)
    for side in SIDES:
        pts[f"shoulder_{side[0]}"] = sh_mid + r_thorax @ np.array(
            [0.0, side_sign(side) * seg.shoulder_width / 2, 0.0])
    _head(seg, p, pts, frames, z_t, sg if not p.mirror else 1.0)
    _arms(seg, p, pts, frames)
    return Skeleton(points=pts, frames=frames, stance=st, double=p.mirror)


def _head(seg: Segments, p: PoseParams, pts: dict, frames: dict, z_t: np.ndarray,
          stance_sign: float) -> None:
    up = np.array([0.0, 0.0, 1.0])
    base = pts["shoulder_mid"] + z_t * 0.015 * seg.girth
    u = 0.35 * z_t + 0.65 * up
    top = base + seg.neck * u / np.linalg.norm(u)
    pitch = 0.35 * p.trunk_fwd_deg + p.head_pitch_deg
    r_head = rot_x(stance_sign * 0.5 * p.trunk_lat_deg) @ rot_y(pitch)
    g = seg.girth
    head = top + r_head @ np.array([0.01, 0.0, 0.075]) * g
    pts.update(neck_base=base, neck_top=top, head=head)
    frames["head"] = r_head
    a, b, c = head_radii(seg)
    for side in SIDES:
        y = side_sign(side)
        for name, dy in (("eye_inner", 0.016), ("eye", 0.032), ("eye_outer", 0.046)):
            pts[f"{name}_{side[0]}"] = head + r_head @ _on_ellipsoid(a, b, c, y * dy * g, 0.022 * g)
        pts[f"mouth_{side[0]}"] = head + r_head @ _on_ellipsoid(a, b, c, y * 0.022 * g, -0.05 * g)
        pts[f"ear_{side[0]}"] = head + r_head @ np.array([-0.01 * g, y * b, 0.0])
    pts["nose"] = head + r_head @ (_on_ellipsoid(a, b, c, 0.0, -0.012 * g)
                                   + np.array([0.022 * g, 0.0, 0.0]))


def _held_arm(seg: Segments, pts: dict, frames: dict, shoulder: np.ndarray, sg: float,
              held: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Elbow, wrist and hand frame of an arm held in place (two-bone inverse kinematics):

    - ``hips``: the hand on the iliac crest, fingers forward and down along the flank, the
      elbow out and back. The crest is the side of the pelvis-fixed waist at waistband
      level (torso.py: its half-width is 0.142 girths).
    - ``crossed``: arms folded on the chest, the wrist in front of the other shoulder's side
      of the upper chest (torso.py's chest: 0.112 girths deep), the palm on it, the elbow
      down at the side.
    """
    rp, rt = frames["pelvis"], frames["thorax"]
    g = seg.girth
    if held == "hips":
        wrist = pts["waist"] + rp @ np.array([-0.03, sg * (0.142 * g + 0.025), 0.0])
        pole = rt @ np.array([-0.5, sg * 1.0, 0.0])  # out and back
        hand_dir, palm = rp @ np.array([0.75, 0.0, -0.66]), rp @ np.array([0.0, sg, 0.0])
    else:
        trunk = float(np.linalg.norm(pts["shoulder_mid"] - pts["waist"]))
        wrist = pts["waist"] + rt @ np.array([0.108 * g + 0.035, -sg * 0.09 * g, 0.7 * trunk])
        pole = rt @ np.array([0.3, sg * 0.6, -1.0])  # down at the side, a little forward
        hand_dir, palm = rt @ np.array([0.0, -sg, 0.3]), rt @ np.array([1.0, 0.0, 0.0])
    reach = wrist - shoulder
    d = float(np.clip(np.linalg.norm(reach), abs(seg.upper_arm - seg.forearm) + 1e-3,
                      seg.upper_arm + seg.forearm - 1e-3))
    u = reach / np.linalg.norm(reach)
    along = (seg.upper_arm ** 2 - seg.forearm ** 2 + d ** 2) / (2 * d)
    pole = pole - u * float(pole @ u)
    elbow = (shoulder + u * along
             + pole / np.linalg.norm(pole) * np.sqrt(max(seg.upper_arm ** 2 - along ** 2, 0.0)))
    wrist = shoulder + u * d
    # the hand's long axis is its -z, the palm's normal its thin y axis
    z = -hand_dir / np.linalg.norm(hand_dir)
    y = palm - z * float(palm @ z)
    y /= np.linalg.norm(y)
    return elbow, wrist, np.column_stack([np.cross(y, z), y, z])


def head_radii(seg: Segments) -> tuple[float, float, float]:
    """Head ellipsoid semi-axes (front-back, side, up-down) in metres."""
    return 0.1 * seg.girth, 0.078 * seg.girth, 0.118 * seg.girth


def _on_ellipsoid(a: float, b: float, c: float, y: float, z: float) -> np.ndarray:
    """The front surface point of an (a, b, c) ellipsoid at lateral y, height z."""
    return np.array([a * np.sqrt(max(1 - (y / b) ** 2 - (z / c) ** 2, 0.0)), y, z])


def _arms(seg: Segments, p: PoseParams, pts: dict, frames: dict) -> None:
    down = np.array([0.0, 0.0, -1.0])
    for side in SIDES:
        sg = side_sign(side)
        sh = pts[f"shoulder_{side[0]}"]
        if p.arms_held:
            elbow, wrist, r_hand = _held_arm(seg, pts, frames, sh, sg, p.arms_held)
        else:
            abd = rot_x(sg * p.arm_abd_deg)
            upper = abd @ rot_y(-p.arm_flex_deg) @ down
            fore = abd @ rot_y(-(p.arm_flex_deg + p.elbow_flex_deg)) @ down
            elbow = sh + seg.upper_arm * upper
            wrist = elbow + seg.forearm * fore
            r_hand = abd @ rot_y(-(p.arm_flex_deg + p.elbow_flex_deg))
        h = seg.hand
        pts[f"elbow_{side[0]}"], pts[f"wrist_{side[0]}"] = elbow, wrist
        pts[f"index_{side[0]}"] = wrist + r_hand @ np.array([0.0, sg * 0.01, -0.7 * h])
        pts[f"pinky_{side[0]}"] = wrist + r_hand @ np.array([0.0, -sg * 0.015, -0.6 * h])
        pts[f"thumb_{side[0]}"] = wrist + r_hand @ np.array([0.03, sg * 0.01, -0.4 * h])
        frames[f"hand_{side[0]}"] = r_hand
