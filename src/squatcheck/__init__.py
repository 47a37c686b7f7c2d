"""squatcheck: squat form analysis from ordinary video.

Data flows one way: video → pose track → signals → reps → measurements →
findings → reports. The public entry points are re-exported here.
"""

from .analysis.analyze import Analysis, analyze, analyze_track
from .pose.extract import extract_pose
from .pose.track import PoseTrack

__all__ = ["Analysis", "PoseTrack", "analyze", "analyze_track", "extract_pose"]
__version__ = "0.1.0"
