"""Signal cleaning: gap filling, outlier rejection, left/right swap and front/back flip
repair, zero-phase (offline) and causal (live) low-pass filters, per-frame quality.

``clean_track(track, SignalSettings.from_profile(profile))`` turns a ``PoseTrack``
into the ``Signals`` every analysis stage reads; ``LiveCleaner`` does the same one
frame at a time, causally.
"""

from .clean import CleaningReport, SignalSettings, clean_track, rough_leg_length_px
from .filters import CausalLowpass, lowpass_zero_phase
from .gaps import fill_gaps, nan_runs
from .live import LiveCleaner
from .outliers import hampel_mask, reject_outliers
from .quality import landmark_ok, usable_frames
from .swaps import detect_body_flips, detect_leg_swaps

__all__ = ["CausalLowpass", "CleaningReport", "LiveCleaner", "SignalSettings", "clean_track",
           "detect_body_flips", "detect_leg_swaps", "fill_gaps", "hampel_mask", "landmark_ok",
           "lowpass_zero_phase", "nan_runs", "reject_outliers", "rough_leg_length_px",
           "usable_frames"]
