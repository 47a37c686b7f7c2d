"""Low-pass filters: zero-phase Butterworth offline, causal Butterworth for live.

Sports2D smooths 2D landmarks with a 4th-order Butterworth at 6 Hz; squats are
slow (< 2 Hz), while landmark jitter is broadband. Offline we filter forwards and
backwards (no lag), and only NaN-free stretches longer than ``padlen`` (as
Pose2Sim's ``butterworth_filter_1d`` does): filtering across a gap would smear it.
Live, the same design runs forwards only (a small lag, about 0.05-0.1 s at 6 Hz).
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from .gaps import finite_runs


def butter_sos(fs_hz: float, *, cutoff_hz: float, order: int) -> np.ndarray:
    """Second-order sections of a low-pass Butterworth; cutoff capped below Nyquist."""
    wn = min(cutoff_hz / (fs_hz / 2.0), 0.99)
    return signal.butter(order, wn, btype="low", output="sos")


def lowpass_zero_phase(x: np.ndarray, fs_hz: float, *, cutoff_hz: float = 6.0,
                       order: int = 4) -> np.ndarray:
    """Zero-phase low-pass of each column, on finite runs longer than ``padlen``.

    Shorter finite runs are kept unfiltered (too short to filter without edge
    artefacts); NaN stays NaN.

    x : (T, ...) -> (T, ...) copy
    """
    x = np.array(x, float, copy=True)
    if len(x) == 0:
        return x
    sos = butter_sos(fs_hz, cutoff_hz=cutoff_hz, order=order)
    # scipy's sosfiltfilt default padlen: 3 * (2 * len(sos) + 1 - min(zeros at origin))
    padlen = 3 * (2 * len(sos) + 1)
    flat = x.reshape(len(x), -1)
    for col in range(flat.shape[1]):
        v = flat[:, col]
        for start, stop in finite_runs(v):
            if stop - start > padlen:
                v[start:stop] = signal.sosfiltfilt(sos, v[start:stop])
    return flat.reshape(x.shape)


class CausalLowpass:
    """Forward-only Butterworth for frames that arrive one at a time.

    ``update(x)`` takes one sample of shape ``shape`` and returns the filtered
    sample. A NaN channel returns NaN and its filter restarts (settled at the next
    finite value) so a dropout does not ring.
    """

    def __init__(self, shape: tuple[int, ...], fs_hz: float, *, cutoff_hz: float = 6.0,
                 order: int = 4):
        self.shape = tuple(shape)
        self.sos = butter_sos(fs_hz, cutoff_hz=cutoff_hz, order=order)
        self._zi_unit = signal.sosfilt_zi(self.sos)  # (n_sections, 2) for a unit step
        n = int(np.prod(self.shape))
        self._state = np.zeros((n, len(self.sos), 2))
        self._live = np.zeros(n, bool)

    def update(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, float).reshape(-1)
        ok = np.isfinite(x)
        self._live &= ok
        fresh = ok & ~self._live
        self._state[fresh] = self._zi_unit[None] * x[fresh, None, None]
        self._live |= ok
        y = np.where(ok, x, 0.0)
        # transposed direct form II, section by section, vectorised over channels
        for k, (b0, b1, b2, _a0, a1, a2) in enumerate(self.sos):
            z = self._state[:, k]
            out = b0 * y + z[:, 0]
            z0 = b1 * y - a1 * out + z[:, 1]
            z1 = b2 * y - a2 * out
            self._state[:, k, 0] = np.where(ok, z0, z[:, 0])
            self._state[:, k, 1] = np.where(ok, z1, z[:, 1])
            y = out
        return np.where(ok, y, np.nan).reshape(self.shape)
