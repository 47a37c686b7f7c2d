"""squatcheck: squat form analysis from ordinary video.

Data flows one way: video → pose track → signals → reps → measurements →
findings → reports. The public entry points are re-exported here.
"""

# OpenCV before PyAV, always: both wheels bundle libxcb-shm/-shape/-xfixes under the same
# file names, and whichever loads first binds them to its own libxcb. If PyAV's win, the
# Qt window of cv2.imshow (live mode) hangs on open. Importing cv2 first costs nothing.
import cv2 as _cv2  # noqa: F401

from .analysis.analyze import Analysis, analyze, analyze_track
from .pose.extract import extract_pose
from .pose.track import PoseTrack

__all__ = ["Analysis", "PoseTrack", "analyze", "analyze_track", "extract_pose"]
__version__ = "0.1.0"
