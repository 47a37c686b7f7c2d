"""Dress a skeleton in shaded primitives: the mannequin a pose model has to read.

What mattered for MediaPipe (FACTS.md): a head with a face (eyes, nose, mouth,
ears, hair), shoes that contrast with socks, skin and floor, and clothing whose
shirt/shorts boundary marks the waist. Radii scale with ``Segments.girth``.
"""

from __future__ import annotations

import numpy as np

from .body import Outfit, Segments
from .kinematics import SIDES, Skeleton, foot_geometry, head_radii
from .shapes import Ellipsoid, RoundCone
from .torso import torso_primitives

EYE_WHITE = (235, 240, 240)
PUPIL = (40, 30, 25)
LIPS = (70, 70, 160)


def _shade(colour, factor: float) -> tuple[int, int, int]:
    return tuple(int(min(255, max(0, c * factor))) for c in colour)


def _frame_along(direction: np.ndarray, hint: np.ndarray) -> np.ndarray:
    """An orthonormal frame (columns x, y, z) with z along ``direction`` and x near ``hint``."""
    z = direction / np.linalg.norm(direction)
    x = hint - z * np.dot(hint, z)
    if np.linalg.norm(x) < 1e-6:
        x = np.array([0.0, 0.0, 1.0]) - z * z[2]
    x /= np.linalg.norm(x)
    return np.column_stack([x, np.cross(z, x), z])


def _lerp(a: np.ndarray, b: np.ndarray, f: float) -> np.ndarray:
    return a + (b - a) * f


def build_figure(sk: Skeleton, seg: Segments, outfit: Outfit) -> list:
    """Primitives (``RoundCone`` / ``Ellipsoid``) for one posture."""
    p, fr = sk.points, sk.frames
    g = seg.girth
    prims: list = []
    add = prims.append

    # pelvis (shorts, waistband) and trunk (shirt): see torso.py
    rt = fr["thorax"]
    sh = p["shoulder_mid"]
    prims.extend(torso_primitives(sk, seg, outfit))
    add(Ellipsoid(sh + rt @ np.array([-0.01, 0.0, -0.055]) * g, rt,
                  np.array([0.095, 0.195, 0.085]) * g, outfit.shirt, "trunk"))

    for side in SIDES:
        s = side[0]
        hip, knee, ankle = p[f"hip_{s}"], p[f"knee_{s}"], p[f"ankle_{s}"]
        add(RoundCone(hip, _lerp(hip, knee, 0.42), 0.088 * g, 0.077 * g, outfit.shorts,
                      f"thigh_{s}"))
        add(RoundCone(_lerp(hip, knee, 0.38), knee, 0.072 * g, 0.051 * g, outfit.legs,
                      f"thigh_{s}"))
        add(RoundCone(knee, ankle, 0.05 * g, 0.031 * g, outfit.legs, f"shank_{s}"))
        foot_fwd = fr[f"foot_{s}"][:, 0]
        calf_axis = _frame_along(ankle - knee, -foot_fwd)
        add(Ellipsoid(_lerp(knee, ankle, 0.32) + calf_axis[:, 0] * 0.012 * g, calf_axis,
                      np.array([0.047, 0.045, 0.13]) * g, outfit.legs, f"shank_{s}"))
        sock_top = _lerp(ankle, knee, 0.2)
        socks = outfit.feet[0]
        add(RoundCone(ankle, sock_top, 0.037 * g, 0.036 * g, socks, f"shank_{s}"))
        add(Ellipsoid(ankle, fr[f"foot_{s}"], np.array([0.036, 0.041, 0.03]) * g, socks,
                      f"shank_{s}"))  # malleoli: the ankle's visible knob
        prims.extend(_shoe(sk, seg, outfit, s))

        sh_pt, elbow, wrist = p[f"shoulder_{s}"], p[f"elbow_{s}"], p[f"wrist_{s}"]
        add(Ellipsoid(sh_pt, rt, np.array([0.058, 0.058, 0.058]) * g, outfit.shirt, "trunk"))
        add(RoundCone(sh_pt, _lerp(sh_pt, elbow, 0.42), 0.05 * g, 0.046 * g, outfit.shirt,
                      f"upper_arm_{s}"))
        add(RoundCone(_lerp(sh_pt, elbow, 0.35), elbow, 0.041 * g, 0.035 * g, outfit.skin,
                      f"upper_arm_{s}"))
        add(RoundCone(elbow, wrist, 0.034 * g, 0.026 * g, outfit.skin, f"forearm_{s}"))
        rh = fr[f"hand_{s}"]
        add(Ellipsoid(wrist + rh @ np.array([0.0, 0.0, -0.45 * seg.hand]), rh,
                      np.array([0.042, 0.02, 0.055]) * g, outfit.skin, f"hand_{s}"))

    prims.extend(_head(sk, seg, outfit))
    return prims


def _shoe(sk: Skeleton, seg: Segments, outfit: Outfit, s: str) -> list:
    g = seg.girth
    geo = foot_geometry(seg)
    rf, rtoe = sk.frames[f"foot_{s}"], sk.frames[f"toes_{s}"]
    ankle, ball = sk.points[f"ankle_{s}"], sk.points[f"ball_{s}"]
    heel_x, ball_x, tip = geo["heel"][0], geo["ball"][0], geo["tip"][0]
    floor = -seg.ankle_height

    def rear(x, z):
        return ankle + rf @ np.array([x, 0.0, z])

    def front(x, z):  # the toe box pivots at the ball (stays flat when the heel lifts)
        return ball + rtoe @ (np.array([x, 0.0, z]) - geo["ball"])

    back = heel_x - 0.012 * g  # the heel counter
    collar = seg.ankle_height - 0.014 * g  # the upper ends just under the ankle bones
    rear_mid, rear_half = (back + ball_x + 0.02) / 2, (ball_x + 0.02 - back) / 2
    toe_mid, toe_half = (ball_x - 0.03 + tip) / 2, (tip - ball_x + 0.03) / 2
    sole = seg.sole
    _, upper, underside = outfit.feet
    r_heel, r_ball, r_toe = collar / 2, 0.036 * g, 0.023 * g
    return [RoundCone(rear(back + r_heel, floor + r_heel), rear(ball_x, floor + r_ball), r_heel,
                      r_ball, upper, f"foot_{s}"),
            RoundCone(front(ball_x, floor + r_ball), front(tip - r_toe, floor + r_toe), r_ball,
                      r_toe, upper, f"foot_{s}"),
            Ellipsoid(rear(rear_mid - 0.002, floor + 0.5 * sole), rf,
                      np.array([rear_half + 0.004, 0.05 * g, 0.5 * sole + 0.004]), underside,
                      f"foot_{s}"),
            Ellipsoid(front(toe_mid, floor + 0.35 * sole), rtoe,
                      np.array([toe_half + 0.002, 0.048 * g, 0.35 * sole + 0.004]), underside,
                      f"foot_{s}")]


def _head(sk: Skeleton, seg: Segments, outfit: Outfit) -> list:
    p, rh = sk.points, sk.frames["head"]
    g = seg.girth
    a, b, c = head_radii(seg)
    head = p["head"]
    out = [RoundCone(p["neck_base"], p["neck_top"], 0.05 * g, 0.045 * g, outfit.skin, "neck"),
           Ellipsoid(head, rh, np.array([a, b, c]), outfit.skin, "head"),
           Ellipsoid(head + rh @ np.array([-0.022, 0.0, 0.028]) * g, rh,
                     np.array([a * 0.97, b * 1.05, c * 0.93]), outfit.hair, "head")]
    out_dir = rh[:, 0]
    for side in SIDES:
        s = side[0]
        eye = p[f"eye_{s}"]
        out.append(Ellipsoid(eye - out_dir * 0.004 * g, rh, np.array([0.006, 0.012, 0.008]) * g,
                             EYE_WHITE, "head"))
        out.append(Ellipsoid(eye + out_dir * 0.002 * g, rh, np.array([0.004, 0.0055, 0.0055]) * g,
                             PUPIL, "head"))
        out.append(Ellipsoid(eye + rh @ np.array([0.0, 0.0, 0.017]) * g, rh,
                             np.array([0.006, 0.015, 0.003]) * g, outfit.hair, "head"))
        ear = p[f"ear_{s}"]
        out.append(Ellipsoid(ear + rh[:, 1] * (0.006 if s == "l" else -0.006) * g, rh,
                             np.array([0.014, 0.01, 0.028]) * g, _shade(outfit.skin, 0.9), "head"))
    nose = p["nose"]
    out.append(Ellipsoid(nose - out_dir * 0.012 * g, rh, np.array([0.018, 0.011, 0.02]) * g,
                         _shade(outfit.skin, 0.95), "head"))
    mouth = (p["mouth_l"] + p["mouth_r"]) / 2
    out.append(Ellipsoid(mouth - out_dir * 0.002 * g, rh, np.array([0.005, 0.022, 0.006]) * g,
                         LIPS, "head"))
    return out
