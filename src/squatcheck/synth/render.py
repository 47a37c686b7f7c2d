"""Software renderer: exact per-pixel depth, Lambert shading, floor, wall, contact shadows.

Each primitive is ray-cast only over its projected bounding box, so a 480x640
frame of ~60 primitives takes a few tens of milliseconds on one core, with no
GPU and no display. Flat fills made a heel lift unreadable to the pose model;
shading and true depth order fixed that (FACTS.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .camera import Camera

FRAME_HALF_WIDTH_M = 0.03  # a door or shelf frame 6 cm wide


@dataclass(frozen=True)
class Scene:
    """Room and image settings. Colours are BGR."""

    wall: tuple[int, int, int] = (200, 205, 210)
    floor: tuple[int, int, int] = (120, 140, 160)
    wall_distance_m: float = 2.5  # behind the subject, along the camera axis
    noise_sigma: float = 1.5  # grey levels of Gaussian sensor noise
    exposure: float = 1.0  # the light's strength: < 1 a dim room (before the noise)
    blur_px: float = 0.6  # Gaussian blur sigma (soft, camera-like edges); 0 = off
    # vertical door or shelf frames on the wall: their centres, metres along the wall from
    # the point straight behind the subject (+ = camera's right); none = a plain wall
    edges_m: tuple[float, ...] = ()


@dataclass
class RenderBuffers:
    """One rendered frame: ``image`` BGR uint8 (H, W, 3), ``depth`` (H, W) metres along
    the ray (background: floor/wall distance), ``index`` (H, W) primitive per pixel (-1 =
    floor/wall) and ``prim_parts`` the body part of each primitive."""

    image: np.ndarray
    depth: np.ndarray
    index: np.ndarray
    prim_parts: list[str]

    @property
    def parts(self) -> list[str]:
        return sorted(set(self.prim_parts))

    @property
    def part(self) -> np.ndarray:
        """(H, W) index into ``parts`` of the body part seen at each pixel (-1 = none)."""
        parts = self.parts
        lookup = np.array([parts.index(p) for p in self.prim_parts] + [-1], np.int32)
        return lookup[self.index]


class Renderer:
    """Renders primitive lists for one camera (rays and light are computed once)."""

    def __init__(self, camera: Camera, scene: Scene | None = None, seed: int = 0):
        self.cam, self.scene = camera, scene or Scene()
        self.rays = camera.rays()
        self.origin = camera.position.astype(np.float32)
        self.rng = np.random.default_rng(seed)
        fwd, down, right = camera.rotation[2], camera.rotation[1], camera.rotation[0]
        key = -fwd - 0.7 * down - 0.35 * right
        fill = -fwd + 0.2 * down + 0.8 * right
        self.key = (key / np.linalg.norm(key)).astype(np.float32)
        self.fill = (fill / np.linalg.norm(fill)).astype(np.float32)
        self._background()

    def _background(self) -> None:
        """Floor (z = 0) and a wall facing the camera behind the subject."""
        h, w = self.cam.height, self.cam.width
        d = self.rays.reshape(-1, 3)
        o = self.origin
        fwd = self.cam.rotation[2].copy()
        fwd[2] = 0.0
        fwd /= np.linalg.norm(fwd)
        horiz_dist = float(np.hypot(*(self.cam.position[:2])))
        wall_plane = horiz_dist + self.scene.wall_distance_m
        with np.errstate(divide="ignore", invalid="ignore"):
            t_floor = np.where(d[:, 2] < -1e-6, -o[2] / d[:, 2], np.inf)
            t_wall = np.where(d @ fwd > 1e-6, wall_plane / (d @ fwd), np.inf)
        floor = t_floor < t_wall
        depth = np.where(floor, t_floor, t_wall)
        img = np.empty((h * w, 3), np.float32)
        img[:] = self.scene.wall
        vgrad = np.linspace(1.04, 0.94, h, dtype=np.float32).repeat(w)
        img *= vgrad[:, None]
        if self.scene.edges_m:
            side = np.cross(fwd, [0.0, 0.0, 1.0])  # horizontal, the camera's right
            wall = ~floor & np.isfinite(t_wall)
            along = (o + t_wall[wall, None] * d[wall]) @ side
            frame = np.min(np.abs(along[:, None] - np.asarray(self.scene.edges_m)), axis=1)
            idx = np.flatnonzero(wall)[frame < FRAME_HALF_WIDTH_M]
            img[idx] *= 0.45
        hit = o + t_floor[floor, None] * d[floor]
        self.floor_xy = np.full((h * w, 2), np.nan, np.float32)
        self.floor_xy[floor] = hit[:, :2]
        fade = np.clip(1.05 - 0.04 * t_floor[floor], 0.75, 1.05)
        img[floor] = np.asarray(self.scene.floor, np.float32) * fade[:, None]
        self.floor_mask = floor
        self.bg_image = img
        self.bg_depth = np.where(np.isfinite(depth), depth, 1e6).astype(np.float32)

    def render(self, prims: list, shadows: list[tuple[np.ndarray, float, float]] = ()
               ) -> RenderBuffers:
        """Draw ``prims``; ``shadows`` are (floor point xy, radius m, strength 0..1) blobs."""
        cam = self.cam
        h, w = cam.height, cam.width
        depth = self.bg_depth.reshape(h, w).copy()
        if not hasattr(self, "_normal"):
            self._normal = np.zeros((h, w, 3), np.float32)
        normal = self._normal  # only read where ``index`` marks a hit this frame
        index = np.full((h, w), -1, np.int32)
        union = [w, 0, h, 0]
        for i, prim in enumerate(prims):
            box = self._bbox(prim)
            if box is None:
                continue
            x0, x1, y0, y1 = box
            shape = (y1 - y0, x1 - x0)
            t, n = prim.intersect(self.origin, self.rays[y0:y1, x0:x1].reshape(-1, 3))
            t = t.reshape(shape)
            zb = depth[y0:y1, x0:x1]
            closer = t < zb
            np.copyto(zb, t, where=closer)
            np.copyto(normal[y0:y1, x0:x1], n.reshape(*shape, 3), where=closer[..., None])
            np.copyto(index[y0:y1, x0:x1], i, where=closer)
            union = [min(union[0], x0), max(union[1], x1), min(union[2], y0), max(union[3], y1)]
        img = self.bg_image.copy()
        if shadows:
            self._shadows(img, shadows)
        img = img.reshape(h, w, 3)
        x0, x1, y0, y1 = union
        if x1 > x0 and y1 > y0:
            colours = np.array([p.colour for p in prims] + [(0, 0, 0)], np.float32)
            idx = index[y0:y1, x0:x1]
            nrm = normal[y0:y1, x0:x1]
            lam = (0.32 + 0.62 * np.clip(nrm @ self.key, 0, None)
                   + 0.18 * np.clip(nrm @ self.fill, 0, None))
            shaded = colours[idx] * lam[..., None]
            np.copyto(img[y0:y1, x0:x1], shaded, where=(idx >= 0)[..., None])
        if self.scene.blur_px > 0 and x1 > x0 and y1 > y0:  # the wall and floor are smooth
            pad = int(np.ceil(3 * self.scene.blur_px)) + 1
            ya, yb, xa, xb = max(y0 - pad, 0), min(y1 + pad, h), max(x0 - pad, 0), min(x1 + pad, w)
            img[ya:yb, xa:xb] = cv2.GaussianBlur(img[ya:yb, xa:xb], (0, 0), self.scene.blur_px)
        if self.scene.exposure != 1.0:
            img *= self.scene.exposure
        if self.scene.noise_sigma > 0:
            img += self._noise()
        np.clip(img, 0, 255, out=img)
        return RenderBuffers(img.astype(np.uint8), depth, index, [p.part for p in prims])

    def _noise(self) -> np.ndarray:
        """Sensor noise: a few random frames drawn once, picked and shifted per frame."""
        w = self.cam.width
        if not hasattr(self, "_bank"):
            shape = (self.cam.height, w + w // 2, 3)
            self._bank = [self.rng.normal(0, self.scene.noise_sigma, shape).astype(np.float32)
                          for _ in range(3)]
        k, shift = int(self.rng.integers(len(self._bank))), int(self.rng.integers(w // 2))
        return self._bank[k][:, shift:shift + w]

    def _shadows(self, img: np.ndarray, shadows) -> None:
        """Darken floor pixels (in place, ``img`` flat (H*W, 3)) under the given blobs."""
        h, w = self.cam.height, self.cam.width
        img2 = img.reshape(h, w, 3)
        floor_xy = self.floor_xy.reshape(h, w, 2)
        for centre, radius, strength in shadows:
            reach = 2.5 * radius
            ring = np.array([[centre[0] + dx, centre[1] + dy, 0.0]
                             for dx in (-reach, reach) for dy in (-reach, reach)])
            uv, z = self.cam.project(ring)
            if np.any(z <= 0):
                continue
            x0, y0 = np.maximum(np.floor(uv.min(0)).astype(int), 0)
            x1, y1 = np.minimum(np.ceil(uv.max(0)).astype(int) + 1, [w, h])
            if x1 <= x0 or y1 <= y0:
                continue
            xy = floor_xy[y0:y1, x0:x1]
            d2 = ((xy - np.asarray(centre[:2], np.float32)) ** 2).sum(-1)
            dark = np.nan_to_num(strength * np.exp(-d2 / (2 * radius ** 2)), nan=0.0)
            img2[y0:y1, x0:x1] *= (1.0 - dark)[..., None]

    def _bbox(self, prim) -> tuple[int, int, int, int] | None:
        lo = np.array([np.inf, np.inf])
        hi = -lo
        for centre, radius in prim.bound():
            uv, z = self.cam.project(centre)
            if z <= radius + 1e-3:
                return (0, self.cam.width, 0, self.cam.height)  # too close: test everything
            r_px = self.cam.focal_px * radius / np.sqrt(max(z * z - radius * radius, 1e-9))
            r_px = r_px * 1.15 + 2.0
            lo = np.minimum(lo, uv - r_px)
            hi = np.maximum(hi, uv + r_px)
        x0, y0 = max(int(lo[0]), 0), max(int(lo[1]), 0)
        x1, y1 = min(int(np.ceil(hi[0])), self.cam.width), min(int(np.ceil(hi[1])),
                                                               self.cam.height)
        if x1 <= x0 or y1 <= y0:
            return None
        return x0, x1, y0, y1
