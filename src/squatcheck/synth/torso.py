"""The mannequin's pelvis and trunk as a real pelvis carries them (issue 9).

What moves with the pelvis, independently of the thighs: the pelvis itself (hips and
buttocks), the shorts' waistband at the top of the pelvis (iliac-crest level, where a
real waistband sits), and, half of it, the lower trunk (the lumbar spine bends between
pelvis and thorax). The chest follows the thorax. A real waistband is fixed to the
pelvis, so pelvic drop and tilt show as a tilting waistband line unless a loose shirt
hangs over it.

Shirt fits (``Outfit.shirt_fit``):

- ``tight``: a fitted top ending at the waistband;
- ``tucked``: the shirt blouses a little above the waistband it is tucked into;
- ``loose``: it hangs from the chest over the waistband and the hips to the top of the
  thighs, hiding the waist (pelvic measures must then be "not assessable").
"""

from __future__ import annotations

import numpy as np

from .body import Outfit, Segments
from .kinematics import Skeleton
from .shapes import Ellipsoid

SHIRT_FITS = ("tight", "tucked", "loose")
WAISTBAND_SHADE = 0.8  # the band is a little darker than the shorts (elastic, folded cloth)
LUMBAR_SHARE = 0.5  # how much of the pelvis orientation the lower trunk takes


def blend_frames(a: np.ndarray, b: np.ndarray, share_b: float) -> np.ndarray:
    """Rotation between frames ``a`` and ``b`` (3x3 each), ``share_b`` of the way to ``b``.

    Matrix blend projected back onto the rotations (polar decomposition); exact enough
    for the few tens of degrees between pelvis and thorax.
    """
    m = (1.0 - share_b) * a + share_b * b
    u, _, vt = np.linalg.svd(m)
    r = u @ vt
    if np.linalg.det(r) < 0:
        u[:, -1] *= -1
        r = u @ vt
    return r


def _shade(colour, factor: float) -> tuple[int, int, int]:
    return tuple(int(min(255, max(0, c * factor))) for c in colour)


def torso_primitives(sk: Skeleton, seg: Segments, outfit: Outfit) -> list:
    """Pelvis (shorts), waistband, lower trunk and chest (shirt), loose shirt drape."""
    p, fr = sk.points, sk.frames
    g = seg.girth
    rp, rt = fr["pelvis"], fr["thorax"]
    rl = blend_frames(rt, rp, LUMBAR_SHARE)
    waist, sh = p["waist"], p["shoulder_mid"]
    length = float(np.linalg.norm(sh - waist))
    fit = outfit.shirt_fit if outfit.shirt_fit in SHIRT_FITS else "tucked"
    out = [
        # pelvis: hips and buttocks, top just over the waistband
        Ellipsoid(p["pelvis"] + rp @ np.array([-0.012, 0.0, 0.02]) * g, rp,
                  np.array([0.105, 0.168, 0.112]) * g, outfit.shorts, "pelvis"),
        # waistband: a band at the top of the pelvis, proud of the lower trunk. Its depth:width
        # ratio matches the lower trunk's, so the two surfaces cross along a plane of the
        # pelvis: the shirt/band boundary is a level line around the body, as on a person
        Ellipsoid(waist + rp @ np.array([-0.005, 0.0, -0.02]) * g, rp,
                  np.array([0.101, 0.138, 0.045]) * g, _shade(outfit.shorts, WAISTBAND_SHADE),
                  "pelvis"),
    ]
    blouse = 1.0 + 0.06 * (fit == "tucked")
    # lower trunk (abdomen, lumbar region): half pelvis, half thorax orientation; it stays
    # inside the waistband at the band's height
    out.append(Ellipsoid(waist + rl @ np.array([0.0, 0.0, 0.11 * g]), rl,
                         np.array([0.095 * blouse, 0.13 * blouse, 0.14]) * g, outfit.shirt,
                         "trunk"))
    # chest: thorax orientation, ends well above the waistband (the abdomen between them
    # bends with the lumbar spine)
    out.append(Ellipsoid(waist + rt @ np.array([0.0, 0.0, 0.6 * length]), rt,
                         np.array([0.112 * g, 0.16 * g, 0.46 * length]), outfit.shirt, "trunk"))
    if fit == "loose":
        # hangs from the chest over the waistband and hips, down past the hip joints
        out.append(Ellipsoid(waist + rt @ np.array([0.004, 0.0, -0.03]) * g, rt,
                             np.array([0.122, 0.182, 0.15]) * g, outfit.shirt, "trunk"))
    return out
