"""``LiveCleaner``: the cleaning pipeline one frame at a time, using only the past.

Same steps as :func:`clean_track`, made causal: the Hampel median looks back
only, short dropouts are held at the last good value instead of interpolated,
leg swaps are judged against the last repaired frame, a reversed torso order
is flipped back until it has lasted ``max_flip_s`` (then it is a real turn), and
the low-pass is the forward-only Butterworth (a lag of a few frames).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from ..pose import landmarks as L
from .clean import SignalSettings
from .filters import CausalLowpass
from .outliers import _MAD_TO_SIGMA
from .quality import landmark_ok, usable_frames
from .swaps import (
    KNEE_PAIRS,
    LEG_PAIRS,
    SWAP_GROUPS,
    anchor_pair,
    continuity_verdict,
    hangs_worse_swapped,
    knees_on_wrong_shanks,
    shank_lengths_px,
    swap_pairs,
)

LENGTH_SAMPLES = 300  # leg and shank lengths: the median of the first this many readings
MIN_SHANK_SAMPLES = 15  # half a second at 30 fps before a shank length is trusted


class LiveCleaner:
    """Stateful ``update(t_s, xy_px, visibility, world) -> (xy_px, world, usable, visibility)``.

    xy_px : (33, 2) pixels; visibility : (33,); world : (33, 3) metres. Rows of
    NaN (no person) are accepted and return NaN.
    """

    def __init__(self, image_size: tuple[int, int], settings: SignalSettings, *,
                 fs_hz: float = 30.0):
        self.size = tuple(int(v) for v in image_size)
        self.s = settings
        self.fs = float(fs_hz)
        self.window = max(int(round(settings.outlier_window_s * self.fs)) | 1, 3)
        self._hist: deque[np.ndarray] = deque(maxlen=self.window)
        self._lp_xy = CausalLowpass((33, 2), self.fs, cutoff_hz=settings.cutoff_hz,
                                    order=settings.filter_order)
        self._lp_world = CausalLowpass((33, 3), self.fs, cutoff_hz=settings.cutoff_hz,
                                       order=settings.filter_order)
        self._last_xy = np.full((33, 2), np.nan)
        self._last_world = np.full((33, 3), np.nan)
        self._last_t = np.full(33, -np.inf)
        self._ref: tuple[np.ndarray, np.ndarray] | None = None
        self._legs: list[float] = []
        self._shanks: tuple[list[float], list[float]] = ([], [])  # left, right, px
        self._order_votes = 0.0  # running sum of torso-order signs (+ = left on image-right)
        self._reversed_since: float | None = None

    @property
    def leg_length_px(self) -> float:
        return float(np.median(self._legs)) if self._legs else 0.4 * self.size[1]

    def _update_leg_length(self, xy: np.ndarray) -> None:
        if len(self._legs) >= LENGTH_SAMPLES:
            return
        for side in ("left", "right"):
            leg = L.LEG[side]
            v = (np.linalg.norm(xy[leg["knee"]] - xy[leg["hip"]])
                 + np.linalg.norm(xy[leg["ankle"]] - xy[leg["knee"]]))
            if np.isfinite(v):
                self._legs.append(float(v))

    def _repair_knees_by_shank(self, xy: np.ndarray, vis: np.ndarray, wo: np.ndarray,
                               leg_px: float) -> None:
        """``knees_on_wrong_shanks`` against the shank lengths seen so far (the first
        ``LENGTH_SAMPLES`` rows, mostly standing); in place."""
        if min(len(v) for v in self._shanks) >= MIN_SHANK_SAMPLES:
            usual = (float(np.median(self._shanks[0])), float(np.median(self._shanks[1])))
            if knees_on_wrong_shanks(
                    xy, usual, tolerance=self.s.knee_shank_tolerance,
                    anatomy_margin_px=self.s.swap_anatomy_margin_leg_lengths * leg_px):
                for arr in (xy, vis, wo):
                    arr[:] = swap_pairs(arr[None], KNEE_PAIRS)[0]
        for samples, length in zip(self._shanks, shank_lengths_px(xy), strict=True):
            if np.isfinite(length) and len(samples) < LENGTH_SAMPLES:
                samples.append(float(length))

    def _flip_needed(self, t_s: float, xy: np.ndarray) -> bool:
        dx = (xy[L.LEFT_SHOULDER, 0] - xy[L.RIGHT_SHOULDER, 0]
              + xy[L.LEFT_HIP, 0] - xy[L.RIGHT_HIP, 0]) / 2
        torso = np.linalg.norm(xy[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER]].mean(0)
                               - xy[[L.LEFT_HIP, L.RIGHT_HIP]].mean(0))
        if not (np.isfinite(dx) and torso > 0 and abs(dx) / torso >= self.s.flip_min_width_ratio):
            return self._reversed_since is not None
        sign = np.sign(dx)
        if self._order_votes == 0 or sign == np.sign(self._order_votes):
            self._reversed_since = None
            self._order_votes += sign
            return False
        if self._reversed_since is None:
            self._reversed_since = t_s
        if t_s - self._reversed_since > self.s.max_flip_s:  # a real turn: adopt it
            self._order_votes = sign
            self._reversed_since = None
            return False
        return True

    def update(self, t_s: float, xy_px: np.ndarray, visibility: np.ndarray,
               world: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool, np.ndarray]:
        xy = np.array(xy_px, float).reshape(33, 2)
        vis = np.array(visibility, float).reshape(33)
        wo = np.array(world, float).reshape(33, 3)
        keep = landmark_ok(xy[None], vis[None], self.size, min_visibility=self.s.drop_visibility,
                           edge_margin=self.s.edge_margin_fraction)[0]
        xy[~keep] = np.nan
        wo[~keep] = np.nan
        self._update_leg_length(xy)
        leg_px = self.leg_length_px

        if self._flip_needed(t_s, xy):
            for arr in (xy, vis, wo):
                arr[:] = swap_pairs(arr[None], L.LEFT_RIGHT_PAIRS)[0]
        li = [a for a, _ in LEG_PAIRS]
        ri = [b for _, b in LEG_PAIRS]
        if self._ref is not None:
            for pairs in SWAP_GROUPS:
                gl = [li.index(a) for a, _ in pairs]
                gi = [a for a, _ in pairs]
                gr = [b for _, b in pairs]
                verdict = continuity_verdict(
                    xy[gi], xy[gr], self._ref[0][gl], self._ref[1][gl],
                    min_jump_px=self.s.swap_min_jump_leg_lengths * leg_px,
                    max_cost_ratio=self.s.swap_max_cost_ratio)
                if verdict == "swap" and not hangs_worse_swapped(
                        xy, pairs, anchor_pair(pairs),
                        self.s.swap_anatomy_margin_leg_lengths * leg_px):
                    for arr in (xy, vis, wo):
                        arr[:] = swap_pairs(arr[None], pairs)[0]
        self._repair_knees_by_shank(xy, vis, wo, leg_px)
        if self._ref is None:
            if np.isfinite(xy[li]).all() and np.isfinite(xy[ri]).all():
                self._ref = (xy[li].copy(), xy[ri].copy())
        else:
            self._ref = (np.where(np.isfinite(xy[li]), xy[li], self._ref[0]),
                         np.where(np.isfinite(xy[ri]), xy[ri], self._ref[1]))

        # causal Hampel: compare with the median of the recent accepted-or-not raw rows
        self._hist.append(xy.copy())
        if len(self._hist) >= 3:
            win = np.stack(self._hist)
            with np.errstate(all="ignore"):
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    med = np.nanmedian(win, axis=0)
                    mad = np.nanmedian(np.abs(win - med), axis=0)
            tol = np.maximum(self.s.outlier_n_sigmas * _MAD_TO_SIGMA * np.nan_to_num(mad),
                             self.s.outlier_min_dev_leg_lengths * leg_px)
            bad = (np.abs(xy - med) > tol).any(axis=-1)
            xy[bad] = np.nan
            wo[bad] = np.nan

        # hold short dropouts at the last good value
        good = np.isfinite(xy).all(axis=-1)
        hold = ~good & (t_s - self._last_t <= self.s.max_gap_s)
        xy[hold] = self._last_xy[hold]
        wo[hold] = self._last_world[hold]
        self._last_xy[good] = xy[good]
        self._last_world[good] = wo[good]
        self._last_t[good] = t_s

        xy_f = self._lp_xy.update(xy)
        wo_f = self._lp_world.update(wo)
        ok = landmark_ok(xy_f[None], vis[None], self.size, min_visibility=self.s.usable_visibility,
                         edge_margin=self.s.edge_margin_fraction)
        return xy_f, wo_f, bool(usable_frames(ok)[0]), vis
