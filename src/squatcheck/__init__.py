"""squatcheck: squat form analysis from ordinary video.

Data flows one way: video → pose track → signals → reps → measurements →
findings → reports. The public entry points are re-exported here.
"""

# OpenCV before PyAV, always: both wheels bundle libxcb-shm/-shape/-xfixes under the same
# file names, and whichever loads first binds them to its own libxcb. If PyAV's win, the
# Qt window of cv2.imshow (live mode) hangs on open. Importing cv2 first costs nothing.
import cv2 as _cv2  # noqa: F401

__all__ = ["Analysis", "PoseTrack", "analyze", "analyze_track", "extract_pose"]
__version__ = "0.1.0"

# Imported on first use, not here: the analysis stack pulls in scipy.signal (seconds of
# start-up), which every pose worker process and `squatcheck pose` would otherwise pay.
_LAZY = {"Analysis": ".analysis.analyze", "analyze": ".analysis.analyze",
         "analyze_track": ".analysis.analyze", "extract_pose": ".pose.extract",
         "PoseTrack": ".pose.track"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    try:  # a subpackage, e.g. squatcheck.analysis after a bare `import squatcheck`
        import importlib

        return importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError:
        pass
    raise AttributeError(f"module 'squatcheck' has no attribute {name!r}")
