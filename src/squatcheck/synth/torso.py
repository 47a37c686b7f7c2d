"""The mannequin's pelvis and trunk as a real pelvis carries them (issue 9).

What moves with the pelvis, independently of the thighs: the pelvis itself (hips and
buttocks), the shorts and their waistband, whose top edge sits at iliac-crest level
where a real waistband sits, and half of the lower trunk (the lumbar spine bends between
pelvis and thorax). The chest follows the thorax. Clothing boundaries are plane cuts of
the pelvis (``SlabEllipsoid``): the waist region is one ellipsoid fixed to the pelvis,
drawn in shirt colour above the waistband, band colour on the band and shorts colour
below, so pelvic drop and tilt show as a tilting waistband line, as on a person, unless
a loose shirt hangs over it.

Shirt fits (``Outfit.shirt_fit``):

- ``tight``: a fitted top ending at the waistband;
- ``tucked``: the shirt blouses a little above the waistband it is tucked into;
- ``loose``: it hangs from the chest over the waistband and the hips to the top of the
  thighs, hiding the waist (pelvic measures must then be "not assessable").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .body import Outfit, Segments
from .kinematics import Skeleton
from .shapes import Ellipsoid

SHIRT_FITS = ("tight", "tucked", "loose")
WAISTBAND_SHADE = 0.75  # the band is a little darker than the shorts (elastic, folded cloth)
LUMBAR_SHARE = 0.5  # how much of the pelvis orientation the upper abdomen takes
BAND_M = 0.03  # waistband height
WAIST_RADII = np.array([0.1, 0.142, 0.15])  # the pelvis-fixed waist ellipsoid (x, y, z)


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


@dataclass(frozen=True)
class SlabEllipsoid(Ellipsoid):
    """An ellipsoid kept only where ``lo <= (p - origin) . normal <= hi``: one colour band
    of a garment. Where the near surface is cut away the far one shows (its inside), so
    stacked slabs of one ellipsoid close each other exactly."""

    origin: np.ndarray = None
    normal: np.ndarray = None
    lo: float = -np.inf
    hi: float = np.inf

    def intersect(self, o: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        inv = (self.axes / self.radii).T
        oc = inv @ (o - self.centre)
        dc = d.astype(float) @ inv.T
        a = np.einsum("ij,ij->i", dc, dc)
        b = dc @ oc
        c = float(oc @ oc) - 1.0
        h = b * b - a * c
        t = np.full(len(d), np.inf)
        normal = np.zeros((len(d), 3), d.dtype)
        hit = np.flatnonzero(h > 0)
        if hit.size == 0:
            return t.astype(d.dtype), normal
        root = np.sqrt(h[hit])
        base = float(self.normal @ (o - self.origin))
        slope = d[hit].astype(float) @ self.normal
        for sign in (1.0, -1.0):  # far root first, the near one overwrites where kept
            th = (-b[hit] + sign * root) / a[hit]
            level = base + th * slope
            keep = (th > 0) & (level >= self.lo) & (level <= self.hi)
            t[hit[keep]] = th[keep]
        found = hit[np.isfinite(t[hit])]
        n = ((oc + t[found, None] * dc[found]) / self.radii) @ self.axes.T
        n /= np.linalg.norm(n, axis=1, keepdims=True) + 1e-12
        facing_away = np.einsum("ij,ij->i", n, d[found]) > 0  # inside surface: face the ray
        n[facing_away] *= -1
        normal[found] = n
        return t.astype(d.dtype), normal


def _shade(colour, factor: float) -> tuple[int, int, int]:
    return tuple(int(min(255, max(0, c * factor))) for c in colour)


def torso_primitives(sk: Skeleton, seg: Segments, outfit: Outfit) -> list:
    """Pelvis and waist (shorts, band, shirt), upper abdomen and chest, loose drape."""
    p, fr = sk.points, sk.frames
    g = seg.girth
    rp, rt = fr["pelvis"], fr["thorax"]
    rl = blend_frames(rt, rp, LUMBAR_SHARE)
    waist, sh = p["waist"], p["shoulder_mid"]
    length = float(np.linalg.norm(sh - waist))
    fit = outfit.shirt_fit if outfit.shirt_fit in SHIRT_FITS else "tucked"
    up = rp[:, 2]  # the pelvis's own up: garment boundaries are planes across it
    band_top = waist + up * 0.012 * g  # the top of the band: the waistline
    band = _shade(outfit.shorts, WAISTBAND_SHADE)

    def slab(centre, axes, radii, colour, part, lo=-np.inf, hi=np.inf):
        return SlabEllipsoid(centre, axes, radii, colour, part, origin=band_top, normal=up,
                             lo=lo, hi=hi)

    # the waist: one pelvis-fixed ellipsoid from the hips to the lower abdomen, in shorts,
    # band and shirt colour across it
    w_centre, w_radii = waist + rp @ np.array([-0.004, 0.0, 0.0]) * g, WAIST_RADII * g
    out = [slab(w_centre, rp, w_radii, outfit.shorts, "pelvis", hi=-BAND_M * g),
           slab(w_centre, rp, w_radii, band, "pelvis", lo=-BAND_M * g, hi=0.0),
           slab(w_centre, rp, w_radii, outfit.shirt, "trunk", lo=0.0),
           # hips and buttocks (shorts), below the band
           slab(p["pelvis"] + rp @ np.array([-0.012, 0.0, 0.02]) * g, rp,
                np.array([0.105, 0.168, 0.112]) * g, outfit.shorts, "pelvis",
                hi=-BAND_M * g)]
    # upper abdomen (half pelvis, half thorax orientation), shirt only above the band; a
    # tucked shirt blouses a little over the band's top
    blouse = 1.06 if fit == "tucked" else 0.97
    out.append(slab(waist + rl @ np.array([0.0, 0.0, 0.1 * g]), rl,
                    np.array([0.096 * blouse, 0.135 * blouse, 0.13]) * g, outfit.shirt,
                    "trunk", lo=0.0))
    # chest: thorax orientation, well above the band
    out.append(Ellipsoid(waist + rt @ np.array([0.0, 0.0, 0.6 * length]), rt,
                         np.array([0.112 * g, 0.16 * g, 0.46 * length]), outfit.shirt, "trunk"))
    if fit == "loose":
        # hangs from the chest over the band and the hips, past the hip joints
        out.append(Ellipsoid(waist + rt @ np.array([0.004, 0.0, -0.03]) * g, rt,
                             np.array([0.125, 0.185, 0.155]) * g, outfit.shirt, "trunk"))
    return out
