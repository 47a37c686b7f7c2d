"""A pinhole camera placed around the subject by view, azimuth, height and distance.

Azimuth is measured around the subject from its front: 0 = camera in front
(the subject faces the camera), +90 = camera at the subject's left (the subject
faces image-left), -90 = at its right (faces image-right), 180 = behind.
Camera axes follow OpenCV: x right, y down, z forward (into the scene).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

VIEWS = ("front", "side", "oblique")
FACINGS = ("camera", "away", "left", "right")


def azimuth_for(view: str, facing: str | None, azimuth_deg: float | None = None) -> float:
    """Camera azimuth (deg) for a view and the subject's facing direction in the image;
    ``azimuth_deg`` overrides it (a body turned from square-on or side-on, an oblique view)."""
    if azimuth_deg is not None:
        return float(azimuth_deg)
    if view == "front":
        return 180.0 if facing == "away" else 0.0
    if view == "side":
        return -90.0 if facing == "right" else 90.0
    return {"right": -45.0, "away": 135.0}.get(facing or "left", 45.0)


def facing_for(azimuth_deg: float, view: str | None = None) -> str:
    """How the subject appears: facing the camera, away, or toward image-left/right. In a
    front view a body turned from the camera still faces it (or away)."""
    a = (azimuth_deg + 180.0) % 360.0 - 180.0
    if abs(a) < 1e-6 or (view == "front" and abs(a) < 90.0):
        return "camera"
    if abs(abs(a) - 180.0) < 1e-6 or view == "front":
        return "away"
    return "left" if a > 0 else "right"


@dataclass(frozen=True)
class Camera:
    """Intrinsics (pixels) and pose. ``rotation`` rows are the camera's x, y, z axes in
    world coordinates, so ``cam = rotation @ (world - position)``."""

    width: int
    height: int
    focal_px: float
    position: np.ndarray
    rotation: np.ndarray

    @classmethod
    def look_at(cls, width: int, height: int, focal_px: float, position, target,
                roll_deg: float = 0.0) -> Camera:
        """Aimed at ``target``; ``roll_deg`` turns it about its axis so that the room's
        verticals lean with their tops that many degrees to image-right (the sign of
        ``pose/camera_roll.py``)."""
        position, target = np.asarray(position, float), np.asarray(target, float)
        fwd = target - position
        fwd /= np.linalg.norm(fwd)
        right = np.cross(fwd, [0.0, 0.0, 1.0])
        right /= np.linalg.norm(right)
        down = np.cross(fwd, right)
        a = np.radians(roll_deg)
        right, down = right * np.cos(a) - down * np.sin(a), down * np.cos(a) + right * np.sin(a)
        return cls(width, height, float(focal_px), position, np.stack([right, down, fwd]))

    @classmethod
    def around(cls, *, azimuth_deg: float, distance_m: float, height_m: float,
               target_m, width: int, height: int, focal_px: float,
               roll_deg: float = 0.0) -> Camera:
        """Camera ``distance_m`` from ``target_m`` (horizontally) at ``azimuth_deg``."""
        a = np.radians(azimuth_deg)
        target = np.asarray(target_m, float)
        pos = target + np.array([np.cos(a) * distance_m, np.sin(a) * distance_m, 0.0])
        pos[2] = height_m
        return cls.look_at(width, height, focal_px, pos, target, roll_deg)

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """World points (..., 3) → camera coordinates (..., 3)."""
        return (np.asarray(points, float) - self.position) @ self.rotation.T

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """World points (..., 3) → pixel coordinates (..., 2) and depth (...) in metres."""
        c = self.to_camera(points)
        z = c[..., 2]
        uv = self.focal_px * c[..., :2] / z[..., None]
        uv += np.array([self.width / 2.0, self.height / 2.0])
        return uv, z

    def rays(self) -> np.ndarray:
        """Unit world-space ray directions through every pixel centre, (H, W, 3) float32."""
        u = (np.arange(self.width) + 0.5 - self.width / 2.0) / self.focal_px
        v = (np.arange(self.height) + 0.5 - self.height / 2.0) / self.focal_px
        d = np.stack(np.broadcast_arrays(u[None, :], v[:, None], np.ones((1, 1))), axis=-1)
        d = d @ self.rotation
        return (d / np.linalg.norm(d, axis=-1, keepdims=True)).astype(np.float32)

    def to_json(self) -> dict:
        return {"width": self.width, "height": self.height, "focal_px": round(self.focal_px, 3),
                "position_m": [round(float(x), 4) for x in self.position],
                "rotation_world_to_camera": [[round(float(x), 6) for x in r]
                                             for r in self.rotation],
                "convention": "pixel = focal_px * (x, y) / z + (width/2, height/2) with "
                              "(x, y, z) = rotation @ (world - position); OpenCV axes"}
