"""Per-frame image evidence of the pelvis, computed once while the pose model runs.

The hip landmarks are joint centres guessed from the thighs: on the mannequin their line
showed 1-6 deg of a true 8 deg pelvic drop (FACTS.md). What a clinician looks at instead
is the waist: the waistband of shorts or tights sits on the iliac crests and tilts with
the pelvis, in both planes. This module finds that line in the frame, inside the
person's segmentation mask, near where the landmarks put the waist, and keeps a few
numbers per frame (:data:`FIELDS`): masks and frames are far too big to store.

How: the region around the expected waist is resampled to a fixed scale (the torso
100 px long); the colour change across rows (opponent colour, inside the mask) is summed along
straight lines of every slope (a small Radon transform); the best line is refined
column by column with a robust (Tukey) fit. Its image angle, its standard error, its
height above the hips, its colour contrast and how many columns support it tell the
analysis whether the waist was seen and how well.
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from . import landmarks as L

# per-frame evidence, in this order (NaN = not found)
FIELDS = (
    "band_tilt_deg",      # image angle of the waist line, + = its image-right end lower
    "band_tilt_se_deg",   # standard error of that angle (robust line fit)
    "band_height_torso",  # line centre above the hip midpoint, along the torso, torso lengths
    "band_contrast",      # median colour change across the line (opponent colour, grey levels)
    "band_support",       # share of the region's columns on the line (0..1)
    "band_x",             # line centre, normalised image x, y (like the landmarks; overlays)
    "band_y",
    "mask_area_torso2",   # person-mask pixels in the region / torso length^2 (mask sanity)
    "garment_contrast",   # colour difference, upper garment (lower trunk) vs lower (hips)
    "band_flank_support",  # front-facing body: the smaller of the two flanks' shares of
    #                        their columns on the line (0..1; a line anchored at both sides)
)
N_FIELDS = len(FIELDS)

PATCH_TORSO_PX = 100.0  # the torso (hip midpoint -> shoulder midpoint) is resampled to this
CENTRE_TORSO = 0.2      # region centre: this far up the torso from the hip midpoint
HALF_WIDTH_TORSO = 0.45
BELOW_TORSO, ABOVE_TORSO = 0.38, 0.3  # region rows around the centre, along the image vertical
MAX_TILT_DEG = 35.0
TILT_STEP_DEG = 2.0      # Radon slopes; the per-column refinement and fit set the angle
EDGE_STEP_PX = 2         # colour difference between rows y - 2 and y + 2 of the patch
REFINE_PX = 4            # per-column search around the Radon line
RANSAC_TOL_PX = 1.2      # edge points this close to a line (patch px, 1.2 % of the torso) are on it
MIN_COLUMNS = 8
MASK_ERODE_PX = 2        # patch px (2 % of the torso) trimmed off the person mask's outline
FLANK_FROM_MIDLINE = 0.5  # flank columns: beyond this share of the half-width from the midline
MIN_FLANK_COLUMNS = 4     # a line "spans the body" with this many inlier columns on each flank
FRONTAL_HIP_WIDTH_TORSO = 0.2  # hips this far apart (torso lengths): the body faces the camera
# within 60 deg (square-on 0.40, [view] in the profile, times cos 60 deg): only then do both
# flanks of the band show beside a belly hanging in front


def empty_evidence() -> np.ndarray:
    """(N_FIELDS,) of NaN: nothing measured."""
    return np.full(N_FIELDS, np.nan)


def pelvis_evidence(image: np.ndarray, mask: np.ndarray | None, landmarks: np.ndarray, *,
                    rgb: bool = True) -> np.ndarray:
    """Waist-line evidence of one person in one frame.

    Parameters
    ----------
    image : ndarray of shape (H, W, 3), uint8
        The frame (RGB unless ``rgb`` is False).
    mask : ndarray of shape (H, W) or (H, W, 1), float in 0..1, or None
        The person's segmentation mask; None = the whole frame counts as the person.
    landmarks : ndarray of shape (33, >=2)
        Normalised image x, y of this person's landmarks.

    Returns
    -------
    ndarray of shape (N_FIELDS,)
        See :data:`FIELDS`; NaN where nothing was found.
    """
    out = empty_evidence()
    h, w = image.shape[:2]
    pts = np.asarray(landmarks, float)[:, :2] * [w, h]
    hip = (pts[L.LEFT_HIP] + pts[L.RIGHT_HIP]) / 2
    shoulder = (pts[L.LEFT_SHOULDER] + pts[L.RIGHT_SHOULDER]) / 2
    torso = float(np.linalg.norm(shoulder - hip))
    if not np.isfinite(torso) or torso < 20.0:
        return out
    scale = PATCH_TORSO_PX / torso
    axis = (shoulder - hip) / torso
    centre = hip + CENTRE_TORSO * torso * axis
    pw = int(round(2 * HALF_WIDTH_TORSO * PATCH_TORSO_PX))
    ph = int(round((BELOW_TORSO + ABOVE_TORSO) * PATCH_TORSO_PX))
    # patch pixel (u, v) <- image (centre + ((u, v) - origin) / scale)
    origin = np.array([HALF_WIDTH_TORSO, ABOVE_TORSO]) * PATCH_TORSO_PX
    m = np.array([[scale, 0.0, origin[0] - scale * centre[0]],
                  [0.0, scale, origin[1] - scale * centre[1]]])
    patch = cv2.warpAffine(image, m, (pw, ph), flags=cv2.INTER_AREA
                           if scale < 1 else cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if mask is None:
        person = np.ones((ph, pw), bool)
    else:
        mk = np.asarray(mask, np.float32).reshape(h, w)
        person = cv2.warpAffine(mk, m, (pw, ph), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=0.0) > 0.5
        # the model's mask spills a little past the body: the outline against a wall the
        # colour of the shirt must not look like a garment edge
        person = cv2.erode(person.astype(np.uint8), np.ones((3, 3), np.uint8),
                           iterations=MASK_ERODE_PX).astype(bool)
    # outside the frame is not the person either
    x_img = centre[0] + (np.arange(pw) - origin[0]) / scale
    y_img = centre[1] + (np.arange(ph) - origin[1]) / scale
    person &= ((y_img >= 0) & (y_img < h))[:, None] & ((x_img >= 0) & (x_img < w))[None, :]
    out[7] = person.sum() / PATCH_TORSO_PX ** 2
    hips_uv = origin + (pts[[L.LEFT_HIP, L.RIGHT_HIP]] - centre) * scale
    line, out[8] = waist_line(patch, person, hips_uv, axis, rgb=rgb)
    if line is None:
        return out
    tilt_deg, se_deg, (u, v), contrast, support, flanks = line
    x, y = centre + (np.array([u, v]) - origin) / scale
    height = float(np.dot(np.array([x, y]) - hip, axis)) / torso
    out[:7] = [tilt_deg, se_deg, height, contrast, support, x / w, y / h]
    out[9] = flanks
    return out


# Colour as 100 x log(RGB + 8): a shadow or a fold scales RGB, i.e. shifts all three logs
# alike, so brightness (their mean) is down-weighted against the two colour axes: a shaded
# shirt no longer looks like a change of garment, while black vs grey still shows.
LOG_OFFSET = 8.0
BRIGHTNESS_WEIGHT = 0.35
_OPPONENT = 100.0 * np.array([[BRIGHTNESS_WEIGHT / 3] * 3,
                              [1 / np.sqrt(2), -1 / np.sqrt(2), 0.0],
                              [1 / np.sqrt(6), 1 / np.sqrt(6), -2 / np.sqrt(6)]], np.float32)
SHIRT_AT_TORSO = 0.42    # the upper garment is sampled this far up the torso from the hips
SAMPLE_RADIUS_TORSO = 0.06
MIN_GARMENT_CONTRAST = 6.0  # colour units (see _OPPONENT): below, the garments look alike
ZONE_TORSO = (0.1, 0.5)  # the waist line passes this far above the hip midpoint (vertical)


def opponent(patch: np.ndarray, *, rgb: bool = True) -> np.ndarray:
    """(H, W, 3) uint8 → (H, W, 3) float32 (brightness, red-green, yellow-blue) of the
    log colour (see ``_OPPONENT``), lightly smoothed."""
    blur = cv2.GaussianBlur(patch, (0, 0), 1.0).astype(np.float32)
    if not rgb:
        blur = blur[..., ::-1]
    return np.log(blur + LOG_OFFSET) @ _OPPONENT.T


def garment_colour(opp: np.ndarray, person: np.ndarray, centre_uv: np.ndarray,
                   radius_px: float) -> np.ndarray | None:
    """Median colour (3,) of the person's pixels within ``radius_px`` of ``centre_uv``."""
    ph, pw = person.shape
    vv, uu = np.ogrid[:ph, :pw]
    near = ((uu - centre_uv[0]) ** 2 + (vv - centre_uv[1]) ** 2 <= radius_px ** 2) & person
    if near.sum() < 5:
        return None
    return np.median(opp[near], axis=0)


def edge_strength(opp: np.ndarray, person: np.ndarray, direction: np.ndarray | None = None,
                  *, step: int = EDGE_STEP_PX) -> np.ndarray:
    """(H, W) colour change from ``step`` rows above to ``step`` rows below each pixel.

    With ``direction`` (3,), a unit colour change (upper garment → lower garment), only
    that component counts (clipped at 0): edges of the expected polarity. Without it,
    the full colour distance. Zero where any of the three pixels is not the person.
    """
    d = np.zeros(person.shape, np.float32)
    diff = opp[2 * step:] - opp[:-2 * step]
    if direction is None:
        d[step:-step] = np.sqrt((diff * diff).sum(-1))
    else:
        d[step:-step] = np.clip(diff @ direction.astype(np.float32), 0.0, None)
    ok = np.zeros_like(person)
    ok[step:-step] = person[step:-step] & person[2 * step:] & person[:-2 * step]
    d[~ok] = 0.0
    return d


def waist_line(patch: np.ndarray, person: np.ndarray, hips_uv: np.ndarray, axis: np.ndarray,
               *, rgb: bool = True) -> tuple[BandLine | None, float]:
    """The strongest straight upper-garment → lower-garment edge above the hips.

    ``hips_uv`` (2, 2) are the left and right hips in patch pixels and ``axis`` the unit
    torso direction (hips → shoulders). Returns ``(line, garment_contrast)``: ``line`` is
    a :class:`BandLine` ``(tilt_deg, se_deg, (u, v) centre, contrast, support,
    flank_support)`` or None,
    ``tilt_deg`` + = the line's right end lower (patch and image y point down),
    ``flank_support`` the smaller flank's share of its columns on the line (NaN unless the
    body faces the camera, see :func:`flank_share`); ``garment_contrast`` is the
    colour difference between the lower trunk and the hips (NaN if not sampled).
    """
    opp = opponent(patch, rgb=rgb)
    radius = SAMPLE_RADIUS_TORSO * PATCH_TORSO_PX
    hip_uv = hips_uv.mean(axis=0)
    upper = garment_colour(opp, person, hip_uv + SHIRT_AT_TORSO * PATCH_TORSO_PX * axis, radius)
    # the lower garment at both hips and between them: a raised thigh in front of one
    # of the three is outvoted
    samples = [garment_colour(opp, person, c, radius) for c in (*hips_uv, hip_uv)]
    samples = [c for c in samples if c is not None]
    lower = np.median(samples, axis=0) if samples else None
    direction, garment = None, float("nan")
    if upper is not None and lower is not None:
        change = lower - upper
        garment = float(np.linalg.norm(change))
        if garment >= MIN_GARMENT_CONTRAST:
            direction = change / garment
    # Front-facing: any colour change counts. The direction comes from two small samples
    # of one frame, and at the bottom of a squat the upper one lies on the shaded
    # underside of the belly, turning the direction away from the band's own colour change
    # (a red shirt over dark red shorts lost the band to the belly's curved underside).
    frontal = abs(hips_uv[0, 0] - hips_uv[1, 0]) >= FRONTAL_HIP_WIDTH_TORSO * PATCH_TORSO_PX
    d = edge_strength(opp, person, None if frontal else direction)
    ph = d.shape[0]
    cols = np.flatnonzero(person.any(axis=0))
    if cols.size < MIN_COLUMNS:
        return None, garment
    xc = (cols[0] + cols[-1]) / 2.0
    # Lines are chosen by how far they run, not how strong they are: a high-contrast
    # occluder (a shirt-coloured belly over grey shorts) must not outvote a long, fainter
    # band. Edge strength saturates at half the patch's strong edges.
    strong = d[d > 0]
    cap = 0.5 * float(np.percentile(strong, 99)) if strong.size else 0.0
    dc = np.vstack([np.minimum(d[:, cols], cap), np.zeros((1, cols.size), np.float32)])
    # Radon: sum of edge strength along every line (slope, row at xc)
    tans = np.tan(np.radians(np.arange(-MAX_TILT_DEG, MAX_TILT_DEG + 1e-9, TILT_STEP_DEG)))
    shift = np.round(tans[:, None] * (cols - xc)[None, :]).astype(np.int32)  # (A, C)
    idx = np.arange(ph)[None, :, None] + shift[:, None, :]  # (A, R, C)
    idx = np.where((idx >= 0) & (idx < ph), idx, ph)
    score = dc[idx, np.arange(cols.size)[None, None, :]].sum(axis=2)  # (A, R)
    # only lines passing the hip's x within the waist zone above the hips
    above = hip_uv[1] - (np.arange(ph)[None, :] + tans[:, None] * (hip_uv[0] - xc))
    lo, hi = ZONE_TORSO
    score[(above < lo * PATCH_TORSO_PX) | (above > hi * PATCH_TORSO_PX)] = 0.0
    ia, y0 = np.unravel_index(int(np.argmax(score)), score.shape)
    if score[ia, y0] <= 0:
        return None, garment
    # refine: per column, the strongest edge near the Radon line. A band between two
    # garments (or a dark band on one colour) has two edges a few pixels apart, often of
    # about equal strength, and each column's strongest hops between them, leaving no long
    # straight run (mannequin: 11 of 71 columns at a 9 deg drop). So the line is also fitted
    # to each column's peak nearest the Radon line, and kept when it runs further at the
    # same angle: where the two disagree, the nearer peaks are other edges (a fold, shading).
    radon_row = y0 + tans[ia] * (cols - xc)
    x0 = float(hip_uv[0]) if cols[0] <= hip_uv[0] <= cols[-1] else xc
    frame = (cols, xc, x0, cap, person, frontal)
    line = _fit_band(*column_peaks(d, cols, radon_row, REFINE_PX, strongest=True), *frame)
    if line is not None:
        near = _fit_band(*column_peaks(d, cols, radon_row, REFINE_PX, strongest=False), *frame)
        if (near is not None and near.support > line.support
                and abs(near.tilt_deg - line.tilt_deg) <= SAME_LINE_DEG):
            line = near
    return line, garment


class BandLine(NamedTuple):
    """A fitted waist line in patch pixels (see :func:`waist_line`)."""

    tilt_deg: float
    se_deg: float
    centre_uv: tuple[float, float]
    contrast: float
    support: float
    flank_support: float


SAME_LINE_DEG = 1.5  # two fits of the band this close in angle found the same edge
PEAK_SHARE = 0.5     # a column's edge peaks at least this share of its strongest count


def column_peaks(d: np.ndarray, cols: np.ndarray, rows: np.ndarray, half_px: int, *,
                 strongest: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One edge point per column ``cols`` (C,) of ``d`` (H, W) within ``half_px`` rows of
    ``rows`` (C,): the column's strongest, or (``strongest`` False) its peak nearest
    ``rows`` among those at least ``PEAK_SHARE`` of the strongest. Returns column,
    sub-pixel row (parabola) and strength, arrays (K,), for the columns with an edge."""
    ph = d.shape[0]
    win = np.round(rows)[:, None].astype(int) + np.arange(-half_px, half_px + 1)[None, :]
    win = np.clip(win, 1, ph - 2)
    c = np.broadcast_to(cols[:, None], win.shape)
    vals = d[win, c]  # (C, 2R+1)
    if strongest:
        k, found = np.argmax(vals, axis=1), np.ones(cols.size, bool)
    else:
        peak = (vals >= d[win - 1, c]) & (vals > d[win + 1, c])
        peak &= vals >= PEAK_SHARE * vals.max(axis=1, keepdims=True)
        k = np.argmin(np.where(peak, np.abs(win - rows[:, None]), np.inf), axis=1)
        found = peak.any(axis=1)
    yk = win[np.arange(cols.size), k]
    y_m, y_0, y_p = d[yk - 1, cols], d[yk, cols], d[yk + 1, cols]
    den = y_m - 2 * y_0 + y_p
    off = np.where(den < 0, 0.5 * (y_m - y_p) / np.where(den < 0, den, -1.0), 0.0)
    ok = (y_0 > 0) & found
    return cols[ok].astype(float), yk[ok] + np.clip(off[ok], -0.5, 0.5), y_0[ok].astype(float)


def _fit_band(xs: np.ndarray, ys: np.ndarray, ws: np.ndarray, cols: np.ndarray, xc: float,
              x0: float, cap: float, person: np.ndarray, frontal: bool) -> BandLine | None:
    """The waist line through edge points ``xs``, ``ys`` (strengths ``ws``), or None."""
    if xs.size < MIN_COLUMNS:
        return None
    # occluders (a chest or belly leaning over, an arm) hide part of the band and bend its
    # visible edge away: keep the longest straight run (RANSAC), then refine on it. A belly
    # hanging over the band ends inside the body, where the band goes on behind it; the
    # band wraps around the body and shows at both flanks: a line seen on both flanks is
    # preferred to a longer one that does not reach one of them.
    half = (cols[-1] - cols[0]) / 2.0
    flank = None if not frontal else np.where(xs < xc - FLANK_FROM_MIDLINE * half, -1,
                     np.where(xs > xc + FLANK_FROM_MIDLINE * half, 1, 0))
    fit = ransac_line(xs - x0, ys, np.minimum(ws, cap), flank=flank)
    if fit is None:
        return None
    intercept, slope, se_slope, inliers = fit
    # A level band seen from above or below is a shallow arc about the body's midline: a
    # line through columns that are not symmetric about it tilts. Keep only column pairs
    # mirrored about the silhouette's midline at the band's height.
    mid = body_midline(person, intercept + slope * (np.arange(person.shape[1]) - x0), x0)
    sym = mirrored(xs, np.where(inliers, np.minimum(ws, cap), 0.0), mid)
    if (sym > 0).sum() >= MIN_COLUMNS:
        refit = weighted_line(xs - mid, ys, sym)
        if refit is not None:
            a, slope, se_slope = refit
            intercept = a + slope * (x0 - mid)
            inliers = sym > 0
    contrast = float(np.median(ws[inliers]))
    support = float(inliers.sum() / cols.size)
    flanks = flank_share(cols, xs[inliers], xc, half) if frontal else float("nan")
    tilt = float(np.degrees(np.arctan(slope)))
    se = float(np.degrees(se_slope / (1.0 + slope * slope)))
    return BandLine(tilt, se, (x0, intercept), contrast, support, flanks)


def flank_share(cols: np.ndarray, on_line: np.ndarray, xc: float, half: float) -> float:
    """The smaller of the left and right flanks' shares of their columns on the line.

    ``cols`` (C,) are the region's person columns, ``on_line`` (K,) the columns on the
    line, ``xc`` and ``half`` the middle and half-width of the columns' extent; a flank is
    the outer ``1 - FLANK_FROM_MIDLINE`` of each half. A line carried by both flanks is
    anchored at both ends, so its angle is well constrained even with a gap in the middle
    (a belly hanging over the band).
    """
    shares = []
    for sign in (-1.0, 1.0):
        side = sign * (cols - xc) > FLANK_FROM_MIDLINE * half
        n = int(side.sum())
        if n == 0:
            return 0.0
        shares.append(int((sign * (on_line - xc) > FLANK_FROM_MIDLINE * half).sum()) / n)
    return float(min(shares))


def ransac_line(x: np.ndarray, y: np.ndarray, w: np.ndarray, *, tol_px: float = RANSAC_TOL_PX,
                trials: int = 150, seed: int = 0, flank: np.ndarray | None = None):
    """The line through most edge strength within ``tol_px`` (arrays (N,)), refined by
    weighted least squares on its inliers: ``(a, b, se of b, inlier mask)`` or None.

    ``flank`` (N,) marks columns on the left (-1) and right (+1) flank of the body (0
    between): if some candidate line has ``MIN_FLANK_COLUMNS`` inliers on both flanks,
    the best of those wins (an occluding contour inside the body reaches one flank at most).
    """
    n = len(x)
    if n < MIN_COLUMNS or np.ptp(x) <= 0:
        return None
    rng = np.random.default_rng(seed)
    i, j = rng.integers(n, size=(2, trials))
    keep = np.abs(x[i] - x[j]) >= 0.2 * np.ptp(x)  # well-separated pairs only
    i, j = i[keep], j[keep]
    if i.size == 0:
        return None
    b = (y[j] - y[i]) / (x[j] - x[i])
    a = y[i] - b * x[i]
    resid = np.abs(y[None, :] - (a[:, None] + b[:, None] * x[None, :]))  # (trials, N)
    near = resid <= tol_px
    score = (near * w[None, :]).sum(axis=1)
    if flank is not None:
        spans = (((near & (flank == -1)).sum(axis=1) >= MIN_FLANK_COLUMNS)
                 & ((near & (flank == 1)).sum(axis=1) >= MIN_FLANK_COLUMNS))
        if spans.any():
            score = np.where(spans, score, -1.0)
    best = int(np.argmax(score))
    r = resid[best]
    for _ in range(3):  # refit, points near the tolerance weighing less (Tukey biweight)
        u = np.clip(r / tol_px, 0.0, 1.0)
        refit = weighted_line(x, y, w * (1.0 - u * u) ** 2)
        if refit is None:
            return None
        a0, b0, se = refit
        r = np.abs(y - a0 - b0 * x)
    inliers = r <= tol_px
    if inliers.sum() < MIN_COLUMNS:
        return None
    return a0, b0, se, inliers


def body_midline(person: np.ndarray, line_v: np.ndarray, fallback_u: float) -> float:
    """The middle of the person's extent along a line (``line_v`` (W,): its row at each
    column), to 0.5 px; ``fallback_u`` (the hips' x) if that extent is missing or odd."""
    ph, pw = person.shape
    rows = np.clip(np.round(line_v).astype(int), 0, ph - 1)
    inside = np.flatnonzero(person[rows, np.arange(pw)])
    if inside.size < MIN_COLUMNS:
        return round(2 * fallback_u) / 2
    mid = (inside[0] + inside[-1]) / 2.0
    if abs(mid - fallback_u) > 0.15 * PATCH_TORSO_PX:
        mid = fallback_u
    return round(2 * mid) / 2


def mirrored(x: np.ndarray, w: np.ndarray, mid: float) -> np.ndarray:
    """Weights (N,) made symmetric about ``mid`` (x integer columns, mid a multiple of
    0.5): each column keeps the smaller of its weight and its mirror column's (0 if none)."""
    lookup = dict(zip(x.astype(int).tolist(), w.tolist(), strict=True))
    twice = int(round(2 * mid))
    return np.array([min(wi, lookup.get(twice - int(xi), 0.0)) for xi, wi in zip(x, w,
                                                                                  strict=True)])


def weighted_line(x: np.ndarray, y: np.ndarray, w: np.ndarray,
                  min_scale: float = 0.35) -> tuple[float, float, float] | None:
    """Weighted least-squares ``y = a + b x``: (a, b, standard error of b) or None."""
    keep = w > 0
    if keep.sum() < 3:
        return None
    x, y, w = x[keep], y[keep], w[keep]
    sw = w.sum()
    xm, ym = (w * x).sum() / sw, (w * y).sum() / sw
    sxx = (w * (x - xm) ** 2).sum()
    if sxx <= 1e-9:
        return None
    b = (w * (x - xm) * (y - ym)).sum() / sxx
    a = ym - b * xm
    r = y - a - b * x
    scale = max(float(np.sqrt((w * r * r).sum() / sw)), min_scale)
    se = scale / np.sqrt(sxx / w.mean())
    return float(a), float(b), float(se)


