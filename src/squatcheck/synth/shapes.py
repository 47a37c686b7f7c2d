"""Ray intersection with the mannequin's two primitive shapes, vectorised over rays.

Every function takes one ray origin ``o`` (3,) and unit directions ``d`` (N, 3)
and returns the hit distance ``t`` (N,) (``inf`` on a miss) and the unit surface
normal (N, 3). Exact per-ray hits give a true per-pixel depth, so overlapping
limbs and feet occlude each other correctly (painter's order per primitive did not).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RoundCone:
    """Two spheres (``a``, radius ``ra``; ``b``, radius ``rb``) joined by their tangent cone:
    a capsule when ``ra == rb``. Used for limbs."""

    a: np.ndarray
    b: np.ndarray
    ra: float
    rb: float
    colour: tuple[int, int, int]
    part: str

    def bound(self) -> list[tuple[np.ndarray, float]]:
        return [(self.a, self.ra), (self.b, self.rb)]

    def intersect(self, o: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return round_cone_hit(o, d, self.a, self.b, self.ra, self.rb)


@dataclass(frozen=True)
class Ellipsoid:
    """Centre, axes (3x3, columns are the ellipsoid's axes) and semi-axis lengths."""

    centre: np.ndarray
    axes: np.ndarray
    radii: np.ndarray
    colour: tuple[int, int, int]
    part: str

    def bound(self) -> list[tuple[np.ndarray, float]]:
        return [(self.centre, float(np.max(self.radii)))]

    def intersect(self, o: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return ellipsoid_hit(o, d, self.centre, self.axes, self.radii)


def ellipsoid_hit(o, d, centre, axes, radii):
    """Nearest hit of rays with an ellipsoid (see module docstring for shapes)."""
    inv = (axes / radii).T  # world offset → unit-sphere coordinates
    oc = (inv @ (o - centre)).astype(d.dtype)
    dc = d @ inv.T.astype(d.dtype)
    a = np.einsum("ij,ij->i", dc, dc)
    b = dc @ oc
    c = float(oc @ oc) - 1.0
    h = b * b - a * c
    t = np.full(len(d), np.inf, dtype=d.dtype)
    hit = np.flatnonzero(h > 0)
    th = (-b[hit] - np.sqrt(h[hit])) / a[hit]
    keep = th > 0
    hit, th = hit[keep], th[keep]
    t[hit] = th
    normal = np.zeros((len(d), 3), dtype=d.dtype)
    n = ((oc + th[:, None] * dc[hit]) / radii.astype(d.dtype)) @ axes.T.astype(d.dtype)
    normal[hit] = n / (np.linalg.norm(n, axis=1, keepdims=True) + 1e-12)
    return t, normal


def round_cone_hit(o, d, pa, pb, ra, rb):
    """Nearest hit of rays with a round cone (after Inigo Quilez's analytic solution)."""
    ba = pb - pa
    oa = o - pa
    ob = o - pb
    rr = ra - rb
    m0 = float(ba @ ba)
    m1 = float(ba @ oa)
    m5 = float(oa @ oa)
    m7 = float(ob @ ob)
    dt = d.dtype
    m3 = d @ oa.astype(dt)
    m6 = d @ ob.astype(dt)
    m2 = d @ ba.astype(dt)
    n_rays = len(d)
    t = np.full(n_rays, np.inf, dtype=dt)
    kind = np.zeros(n_rays, np.int8)  # 1 body, 2 cap a, 3 cap b
    d2 = m0 - rr * rr
    if d2 > 1e-12:  # the cone body exists (one sphere does not swallow the other)
        k2 = d2 - m2 * m2
        k1 = d2 * m3 - m1 * m2 + m2 * (rr * ra)
        k0 = d2 * m5 - m1 * m1 + m1 * rr * ra * 2.0 - m0 * ra * ra
        h = k1 * k1 - k0 * k2
        ok = np.flatnonzero((h >= 0) & (np.abs(k2) > 1e-12))
        tb = (-np.sqrt(h[ok]) - k1[ok]) / k2[ok]
        y = m1 - ra * rr + tb * m2[ok]
        body = (y > 0) & (y < d2) & (tb > 0)
        t[ok[body]] = tb[body]
        kind[ok[body]] = 1
    for code, m_, m_sq, r in ((2, m3, m5, ra), (3, m6, m7, rb)):
        h = m_ * m_ - (m_sq - r * r)
        cap = np.flatnonzero(h > 0)
        tc = -m_[cap] - np.sqrt(h[cap])
        better = (tc > 0) & (tc < t[cap])
        t[cap[better]] = tc[better]
        kind[cap[better]] = code
    normal = np.zeros((n_rays, 3), dtype=dt)
    for code in (1, 2, 3):
        idx = np.flatnonzero(kind == code)
        if not len(idx):
            continue
        p = o + t[idx, None] * d[idx]  # hit points (world)
        if code == 1:
            n = d2 * (p - pa) - ba * (m1 - ra * rr + t[idx] * m2[idx])[:, None]
        else:
            n = p - (pa if code == 2 else pb)
        normal[idx] = n / (np.linalg.norm(n, axis=1, keepdims=True) + 1e-12)
    return t, normal
