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
)
N_FIELDS = len(FIELDS)

PATCH_TORSO_PX = 100.0  # the torso (hip midpoint -> shoulder midpoint) is resampled to this
CENTRE_TORSO = 0.2      # region centre: this far up the torso from the hip midpoint
HALF_WIDTH_TORSO = 0.45
BELOW_TORSO, ABOVE_TORSO = 0.38, 0.3  # region rows around the centre, along the image vertical
MAX_TILT_DEG = 35.0
TILT_STEP_DEG = 1.0
EDGE_STEP_PX = 2         # colour difference between rows y - 2 and y + 2 of the patch
REFINE_PX = 4            # per-column search around the Radon line
MIN_COLUMNS = 8


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
    # outside the frame is not the person either
    x_img = centre[0] + (np.arange(pw) - origin[0]) / scale
    y_img = centre[1] + (np.arange(ph) - origin[1]) / scale
    person &= ((y_img >= 0) & (y_img < h))[:, None] & ((x_img >= 0) & (x_img < w))[None, :]
    out[7] = person.sum() / PATCH_TORSO_PX ** 2
    hip_uv = origin + (hip - centre) * scale
    line = waist_line(patch, person, hip_uv, axis, rgb=rgb)
    if line is None:
        return out
    tilt_deg, se_deg, (u, v), contrast, support = line
    x, y = centre + (np.array([u, v]) - origin) / scale
    height = float(np.dot(np.array([x, y]) - hip, axis)) / torso
    out[:7] = [tilt_deg, se_deg, height, contrast, support, x / w, y / h]
    return out


# linear opponent colour space (luma, red-green, yellow-blue) for RGB input: colour
# distances like Lab's at a fraction of the cost, in grey levels
_OPPONENT = np.array([[0.299, 0.587, 0.114], [0.5, -0.5, 0.0], [0.25, 0.25, -0.5]],
                     np.float32)
SHIRT_AT_TORSO = 0.42    # the upper garment is sampled this far up the torso from the hips
SAMPLE_RADIUS_TORSO = 0.06
MIN_GARMENT_CONTRAST = 6.0  # grey levels: below, upper and lower garment look alike
ZONE_TORSO = (0.1, 0.5)  # the waist line passes this far above the hip midpoint (vertical)


def opponent(patch: np.ndarray, *, rgb: bool = True) -> np.ndarray:
    """(H, W, 3) uint8 → (H, W, 3) float32 opponent colour, lightly smoothed."""
    blur = cv2.GaussianBlur(patch, (0, 0), 1.0).astype(np.float32)
    if not rgb:
        blur = blur[..., ::-1]
    return blur @ _OPPONENT.T


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


def waist_line(patch: np.ndarray, person: np.ndarray, hip_uv: np.ndarray, axis: np.ndarray,
               *, rgb: bool = True):
    """The strongest straight upper-garment → lower-garment edge above the hips.

    ``hip_uv`` is the hip midpoint in patch pixels and ``axis`` the unit torso direction
    (hips → shoulders). Returns ``(tilt_deg, se_deg, (u, v) centre, contrast, support)``
    or None; ``tilt_deg`` + = the line's right end lower (patch and image y point down).
    """
    opp = opponent(patch, rgb=rgb)
    radius = SAMPLE_RADIUS_TORSO * PATCH_TORSO_PX
    upper = garment_colour(opp, person, hip_uv + SHIRT_AT_TORSO * PATCH_TORSO_PX * axis, radius)
    lower = garment_colour(opp, person, hip_uv, radius)
    direction = None
    if upper is not None and lower is not None:
        change = lower - upper
        if np.linalg.norm(change) >= MIN_GARMENT_CONTRAST:
            direction = change / np.linalg.norm(change)
    d = edge_strength(opp, person, direction)
    ph = d.shape[0]
    cols = np.flatnonzero(person.any(axis=0))
    if cols.size < MIN_COLUMNS:
        return None
    xc = (cols[0] + cols[-1]) / 2.0
    dc = np.vstack([d[:, cols], np.zeros((1, cols.size), np.float32)])  # last row: outside
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
        return None
    # refine: per column, the strongest edge near the Radon line (sub-pixel parabola)
    yl = y0 + tans[ia] * (cols - xc)
    win = np.round(yl)[:, None].astype(int) + np.arange(-REFINE_PX, REFINE_PX + 1)[None, :]
    win = np.clip(win, 1, ph - 2)
    vals = d[win, cols[:, None]]  # (C, 2R+1)
    k = np.argmax(vals, axis=1)
    yk = win[np.arange(cols.size), k]
    peak = vals[np.arange(cols.size), k]
    y_m, y_0, y_p = d[yk - 1, cols], d[yk, cols], d[yk + 1, cols]
    den = y_m - 2 * y_0 + y_p
    off = np.where(den < 0, 0.5 * (y_m - y_p) / np.where(den < 0, den, -1.0), 0.0)
    ok = peak > 0
    if ok.sum() < MIN_COLUMNS:
        return None
    # the slope is read at the body's midline (the hips' x): a shallow arc stays unbiased
    x0 = float(hip_uv[0]) if cols[0] <= hip_uv[0] <= cols[-1] else xc
    xs = (cols - x0)[ok].astype(float)
    ys = yk[ok] + np.clip(off[ok], -0.5, 0.5)
    ws = peak[ok].astype(float)
    fit = robust_line(xs, ys, ws, curved=True)
    if fit is None:
        return None
    intercept, slope, se_slope, inliers = fit
    contrast = float(np.median(ws[inliers]))
    support = float(inliers.sum() / cols.size)
    tilt = float(np.degrees(np.arctan(slope)))
    se = float(np.degrees(se_slope / (1.0 + slope * slope)))
    return tilt, se, (x0, intercept), contrast, support


def robust_line(x: np.ndarray, y: np.ndarray, w: np.ndarray, *, curved: bool = False,
                iterations: int = 6, tukey_c: float = 4.685, min_scale: float = 0.35):
    """Weighted Tukey-biweight fit of ``y = a + b x (+ c x^2 if curved)``, arrays (N,).

    Returns ``(a, b, standard error of b, inlier mask)`` or None if degenerate. With
    ``curved``, ``b`` is the slope at x = 0: a waistband seen from above or below is a
    shallow arc, and its slope at the body's midline is the tilt. ``min_scale`` (px)
    floors the residual scale: sub-pixel edges are never exact.
    """
    cols = [np.ones_like(x), x] + ([x * x] if curved else [])
    design = np.stack(cols, axis=1)
    wt = w.astype(float).copy()
    scale, coef, cov = min_scale, None, None
    for _ in range(iterations):
        if (wt > 0).sum() < design.shape[1] + 2:
            return None
        sw = np.sqrt(wt)[:, None]
        gram = (design * sw).T @ (design * sw)
        if np.linalg.cond(gram) > 1e12:
            return None
        cov = np.linalg.inv(gram)
        coef = cov @ ((design * wt[:, None]).T @ y)
        r = y - design @ coef
        keep = wt > 0
        scale = max(1.4826 * float(np.median(np.abs(r[keep]))), min_scale)
        u = r / (tukey_c * scale)
        wt = w * np.where(np.abs(u) < 1, (1 - u * u) ** 2, 0.0)
    inliers = wt > 0
    if coef is None or inliers.sum() < design.shape[1] + 1:
        return None
    # weights are edge strengths, not inverse variances: rescale to a per-point variance
    wbar = float(np.mean(w[inliers]))
    se = scale * np.sqrt(cov[1, 1] * wbar)
    return float(coef[0]), float(coef[1]), float(se), inliers
