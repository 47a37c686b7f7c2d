"""A thin, quiet wrapper around MediaPipe's Tasks ``PoseLandmarker``.

It returns plain arrays (every candidate person, not just the first) so that
subject selection and everything after it never touch MediaPipe types.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .model import resolve_model
from .track import N_LANDMARKS

os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@dataclass(frozen=True)
class Detections:
    """Everyone the model found in one frame.

    ``image`` is (K, 33, 5): normalised x, y, relative z, visibility, presence.
    ``world`` is (K, 33, 3) in metres. ``masks`` is (K, H, W) float32 in 0..1, or None.
    """

    image: np.ndarray
    world: np.ndarray
    masks: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.image)


@contextlib.contextmanager
def _quiet_stderr():
    """Silence the C++ libraries' start-up chatter on fd 2 (not Python errors)."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


class PoseEstimator:
    """MediaPipe ``PoseLandmarker`` in VIDEO mode (tracking across frames).

    Use as a context manager; timestamps passed to :meth:`detect` must rise.
    """

    def __init__(self, model: str | Path | None = None, *, num_poses: int = 2,
                 segmentation: bool = False, min_confidence: float = 0.5):
        with _quiet_stderr():
            from mediapipe.tasks.python import BaseOptions, vision

            options = vision.PoseLandmarkerOptions(
                base_options=BaseOptions(model_asset_path=str(resolve_model(model))),
                running_mode=vision.RunningMode.VIDEO,
                num_poses=num_poses,
                min_pose_detection_confidence=min_confidence,
                min_pose_presence_confidence=min_confidence,
                min_tracking_confidence=min_confidence,
                output_segmentation_masks=segmentation,
            )
            self._landmarker = vision.PoseLandmarker.create_from_options(options)
        self._last_ms = -1
        self._warmed_up = False  # the landmark graph has run once (it logs on its first run)

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._landmarker is not None:
            with _quiet_stderr():
                self._landmarker.close()
            self._landmarker = None

    def detect(self, image: np.ndarray, t_s: float, *, rgb: bool = False) -> Detections:
        """Everyone in one (H, W, 3) uint8 frame, BGR unless ``rgb``; ``t_s`` must rise."""
        import mediapipe as mp

        t_ms = max(int(round(t_s * 1000.0)), self._last_ms + 1)
        self._last_ms = t_ms
        pixels = np.ascontiguousarray(image if rgb else image[..., ::-1])
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=pixels)
        if self._warmed_up:
            result = self._landmarker.detect_for_video(image, t_ms)
        else:
            # The landmark graph logs C++ warnings to fd 2 the first time it runs, which is
            # the first frame with a person in it, however late in the clip that comes.
            with _quiet_stderr():
                result = self._landmarker.detect_for_video(image, t_ms)
            self._warmed_up = bool(result.pose_landmarks)
        k = len(result.pose_landmarks)
        image = np.empty((k, N_LANDMARKS, 5))
        world = np.empty((k, N_LANDMARKS, 3))
        for i, (lms, wlms) in enumerate(zip(result.pose_landmarks, result.pose_world_landmarks,
                                            strict=True)):
            image[i] = [(p.x, p.y, p.z, p.visibility or 0.0, p.presence or 0.0) for p in lms]
            world[i] = [(p.x, p.y, p.z) for p in wlms]
        masks = None
        if result.segmentation_masks:
            masks = np.stack([m.numpy_view() for m in result.segmentation_masks])
        return Detections(image, world, masks)
