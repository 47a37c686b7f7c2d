"""Pose tracks of real clips, extracted once per test session (inference is the slow part)."""

from __future__ import annotations

from pathlib import Path

from squatcheck.pose.extract import extract_pose
from squatcheck.pose.track import PoseTrack


class TrackCache:
    """``cache.track(path)``: the clip's pose track, extracted on first use into ``folder``."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def track(self, video: Path) -> PoseTrack:
        path = self.folder / f"{Path(video).stem}.npz"
        if not path.is_file():
            extract_pose(video, workers=1).save(path)
        return PoseTrack.load(path)
