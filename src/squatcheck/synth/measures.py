"""Clinical measures taken from the mannequin's exact 3D joints (the truth).

Sagittal measures are angles in the subject's sagittal plane (x forward, z up),
frontal ones in its frontal plane (y left, z up): that is what a true side or
front camera sees, so the analysis can be compared with them directly. Points
are the joint centres a pose model reports (hip, knee, ankle, heel tip, toe
tip), not bony surfaces; the knee-toe offset is to the shoe's tip, which is the
toe tip a camera sees.
"""

from __future__ import annotations

import numpy as np

from .body import Segments
from .kinematics import Skeleton, other, side_sign


def _angle_deg(u: np.ndarray, v: np.ndarray) -> float:
    """Unsigned angle between two 2D vectors."""
    c = np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))
    return float(np.degrees(np.arccos(np.clip(c, -1.0, 1.0))))


def _sag(v: np.ndarray) -> np.ndarray:
    return np.array([v[0], v[2]])


def _fro(v: np.ndarray) -> np.ndarray:
    return np.array([v[1], v[2]])


def inclination_deg(v: np.ndarray) -> float:
    """Sagittal lean of a 3D vector from vertical, + = its tip forward (x)."""
    return float(np.degrees(np.arctan2(v[0], v[2])))


def lateral_inclination_deg(v: np.ndarray, toward_sign: float) -> float:
    """Frontal lean from vertical, + = toward the side with sign ``toward_sign`` (+1 left)."""
    return float(np.degrees(np.arctan2(toward_sign * v[1], v[2])))


def fppa_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, side: str) -> float:
    """Frontal-plane projection angle: thigh vs shank in the frontal plane,
    + = knee medial to the hip-ankle line (valgus)."""
    h, k, a = _fro(hip), _fro(knee), _fro(ankle)
    dev = 180.0 - _angle_deg(h - k, a - k)
    line = a - h
    t = np.dot(k - h, line) / np.dot(line, line)
    lateral_offset = (k - (h + t * line))[0] * side_sign(side)  # + = knee lateral
    return -dev if lateral_offset > 0 else dev


# FPPA is a 2D angle: it means what the literature measured only while the thigh lies near
# the frontal plane (Herrington 2014 read the SLS at ~60 deg of knee flexion). Deeper, a
# thigh pointing at the camera shortens in the projection and its angle grows from
# foreshortening alone, so the truth (like the engine, default profile [knee_valgus]
# min_thigh_fraction) reads FPPA where the frontal thigh is at least this fraction of its
# standing length: 0.5 is a thigh 60 deg out of the frontal plane.
FPPA_MIN_THIGH_FRACTION = 0.5


def frontal_thigh_fraction(sk: Skeleton, neutral: Skeleton) -> float:
    """Stance thigh's length in the frontal projection over its length standing."""
    s = sk.stance[0]
    now = _fro(sk.points[f"knee_{s}"] - sk.points[f"hip_{s}"])
    stand = _fro(neutral.points[f"knee_{s}"] - neutral.points[f"hip_{s}"])
    return float(np.linalg.norm(now) / np.linalg.norm(stand))


def knee_flexion_deg(hip, knee, ankle) -> float:
    """Sagittal knee flexion, 0 = straight."""
    return 180.0 - _angle_deg(_sag(hip - knee), _sag(ankle - knee))


def measure(sk: Skeleton, neutral: Skeleton, seg: Segments) -> dict[str, float]:
    """Clinical values of one posture for its stance leg, against a standing ``neutral``.

    Returns the ``truth`` block of a rep (see docs/synth.md for each key).
    For a double-leg posture the stance leg is the chain's root leg (both legs
    are mirror images) and pelvic drop is + when the subject's right side is down.
    """
    s = sk.stance[0]
    p, n = sk.points, neutral.points
    hip, knee, ankle = p[f"hip_{s}"], p[f"knee_{s}"], p[f"ankle_{s}"]
    heel, ball, tip = p[f"heel_{s}"], p[f"ball_{s}"], p[f"tip_{s}"]
    hip_mid = (p["hip_l"] + p["hip_r"]) / 2
    trunk = p["shoulder_mid"] - hip_mid
    foot_len = seg.foot_length
    dorsi_now = 90.0 - _angle_deg(_sag(knee - ankle), _sag(ball - heel))
    nk, na, nh, nb = n[f"knee_{s}"], n[f"ankle_{s}"], n[f"heel_{s}"], n[f"ball_{s}"]
    dorsi_stand = 90.0 - _angle_deg(_sag(nk - na), _sag(nb - nh))
    free = other(sk.stance)[0]
    if sk.double:
        drop = np.degrees(np.arctan2(p["hip_l"][2] - p["hip_r"][2], p["hip_l"][1] - p["hip_r"][1]))
        toward = 1.0
    else:
        d = p[f"hip_{s}"] - p[f"hip_{free}"]
        drop = np.degrees(np.arctan2(d[2], abs(d[1])))
        toward = side_sign(sk.stance)
    pelvis_axis = sk.frames["pelvis"][:, 2]
    hip_mid_n = (n["hip_l"] + n["hip_r"]) / 2
    hip_flex = 180.0 - _angle_deg(_sag(trunk), _sag(knee - hip))
    return {
        "knee_flexion_deg": knee_flexion_deg(hip, knee, ankle),
        "knee_flexion_3d_deg": 180.0 - float(np.degrees(np.arccos(np.clip(
            np.dot(hip - knee, ankle - knee)
            / (np.linalg.norm(hip - knee) * np.linalg.norm(ankle - knee)), -1, 1)))),
        "hip_flexion_deg": hip_flex,
        "ankle_dorsiflexion_deg": dorsi_now - dorsi_stand,
        "trunk_inclination_deg": inclination_deg(trunk),
        "tibia_inclination_deg": inclination_deg(knee - ankle),
        "trunk_tibia_diff_deg": inclination_deg(trunk) - inclination_deg(knee - ankle),
        # to the shoe's tip, the toe tip a camera (and the engine) sees
        "knee_toe_offset_foot_lengths": float((knee[0] - tip[0]) / foot_len),
        "heel_rise_cm": float((heel[2] - nh[2]) * 100.0),
        "heel_rise_foot_lengths": float((heel[2] - nh[2]) / foot_len),
        "fppa_deg": fppa_deg(hip, knee, ankle, sk.stance),
        "pelvic_drop_deg": float(drop),
        "pelvic_tilt_deg": inclination_deg(pelvis_axis),
        "lateral_trunk_lean_deg": lateral_inclination_deg(trunk, toward),
        "depth_hip_drop_leg_lengths": float((hip_mid_n[2] - hip_mid[2]) / seg.leg_length),
    }
