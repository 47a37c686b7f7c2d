"""Outlier rejection: a Hampel filter (running median ± k·MAD) that turns spikes into NaN.

Pose models occasionally put one landmark far away for a frame or two (a
shadow, the other leg, a second person). A running median ignores such a spike;
the MAD scales the tolerance to the local jitter, and a floor (in pixels, from the
body size) keeps still stretches, where the MAD is ~0, from rejecting normal jitter.
"""

from __future__ import annotations

import numpy as np

_MAD_TO_SIGMA = 1.4826  # MAD of a normal distribution times this = its standard deviation


def hampel_mask(x: np.ndarray, *, window: int, n_sigmas: float, min_dev: float) -> np.ndarray:
    """True where a sample lies more than ``max(n_sigmas·σ_MAD, min_dev)`` from the
    running median of the ``window`` samples centred on it (NaN ignored).

    x : (T, ...) -> (T, ...) bool
    """
    x = np.asarray(x, float)
    n = len(x)
    if n == 0:
        return np.zeros(x.shape, bool)
    half = max(int(window) // 2, 1)
    flat = x.reshape(n, -1)
    padded = np.pad(flat, ((half, half), (0, 0)), constant_values=np.nan)
    win = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1, axis=0)  # (T, C, W)
    with np.errstate(all="ignore"), _quiet():
        med = np.nanmedian(win, axis=-1)
        mad = np.nanmedian(np.abs(win - med[..., None]), axis=-1)
    tol = np.maximum(n_sigmas * _MAD_TO_SIGMA * np.nan_to_num(mad), min_dev)
    out = np.abs(flat - med) > tol
    return out.reshape(x.shape)


def reject_outliers(xy: np.ndarray, *, window: int, n_sigmas: float,
                    min_dev_px: float) -> tuple[np.ndarray, np.ndarray]:
    """Set landmarks whose x or y is a Hampel outlier to NaN (both coordinates).

    xy : (T, K, 2) pixels -> (cleaned copy, rejected (T, K) bool)
    """
    xy = np.array(xy, float, copy=True)
    bad = hampel_mask(xy, window=window, n_sigmas=n_sigmas, min_dev=min_dev_px).any(axis=-1)
    xy[bad] = np.nan
    return xy, bad


class _quiet:
    """Silence numpy's 'All-NaN slice' warnings inside a block."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)
