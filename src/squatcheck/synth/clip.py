"""One synthetic clip: motion + body + camera → video file and truth JSON beside it."""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np

from .body import BodySpec, Segments
from .camera import VIEWS, Camera, azimuth_for, facing_for
from .faults import LABEL_CRITERIA, label_findings
from .figure import build_figure
from .kinematics import forward_kinematics
from .motion import MotionSpec, build_timeline, rep_truth
from .render import Renderer, Scene
from .truth import frames_block, landmarks_3d, round_values, visibility, write_json_atomic

GENERATOR = "squatcheck.synth"
FOURCC = {".mp4": "mp4v", ".m4v": "mp4v", ".avi": "MJPG", ".webm": "VP80", ".mkv": "VP80"}


@dataclass(frozen=True)
class CameraSpec:
    """Where the camera stands. ``focal_px`` None frames the body to ``fill`` of the
    image height at ``distance_m``."""

    view: str = "side"
    facing: str | None = None  # camera|away (front), left|right (side, oblique)
    azimuth_deg: float | None = None  # a turned body, an oblique view; overrides facing
    distance_m: float = 3.6
    height_m: float | None = None  # None = 0.55 x body height
    focal_px: float | None = None
    fill: float = 0.8
    width: int = 480
    height: int = 640
    fps: float = 30.0
    roll_deg: float = 0.0  # the phone off level: + = the room's verticals lean image-right

    def __post_init__(self) -> None:
        if self.view not in VIEWS:
            raise ValueError(f"view must be one of {VIEWS}")
        if self.width < 64 or self.height < 64 or self.fps <= 0 or self.distance_m <= 0.5:
            raise ValueError("image size >= 64 px, fps > 0 and distance > 0.5 m are required")

    @property
    def azimuth(self) -> float:
        return azimuth_for(self.view, self.facing, self.azimuth_deg)

    def build(self, body: BodySpec, points: np.ndarray | None = None) -> Camera:
        """The camera; with ``points`` (N, 3), everything the subject reaches during the
        clip, it aims sideways (and zooms out if needed) so they all stay in the image."""
        h = body.height_m
        focal = self.focal_px or self.fill * self.height * self.distance_m / (1.02 * h)
        target = np.array([0.1, 0.0, 0.5 * h])
        cam_h = self.height_m if self.height_m is not None else 0.55 * h

        def make(target, focal):
            return Camera.around(azimuth_deg=self.azimuth, distance_m=self.distance_m,
                                 height_m=cam_h, target_m=target, width=self.width,
                                 height=self.height, focal_px=focal, roll_deg=self.roll_deg)

        cam = make(target, focal)
        if points is None:
            return cam
        for _ in range(3):
            uv, z = cam.project(points)
            margin = cam.focal_px * 0.09 / z  # limb radii around the joints
            lo, hi = (uv[:, 0] - margin).min(), (uv[:, 0] + margin).max()
            shift_px = (lo + hi) / 2 - self.width / 2
            target = target + cam.rotation[0] * shift_px * self.distance_m / cam.focal_px
            if self.focal_px is None and hi - lo > 0.96 * self.width:
                focal *= 0.96 * self.width / (hi - lo)
            cam = make(target, focal)
        return cam


@dataclass(frozen=True)
class ClipSpec:
    motion: MotionSpec = field(default_factory=MotionSpec)
    body: BodySpec = field(default_factory=BodySpec)
    camera: CameraSpec = field(default_factory=CameraSpec)
    scene: Scene = field(default_factory=Scene)
    faults: dict = field(default_factory=dict)  # the clip-level request, for the record
    seed: int = 0


@dataclass
class ClipResult:
    video: Path
    truth_path: Path
    truth: dict
    seconds: float


def simulate(spec: ClipSpec, progress=None):
    """Render every frame; yields (frame index, t_s, BGR image, landmarks, visibility)."""
    seg = Segments.of(spec.body)
    timeline = build_timeline(seg, spec.motion)
    cam = frame_camera(spec, seg, timeline)
    renderer = Renderer(cam, spec.scene, seed=spec.seed)
    n = int(math.floor(timeline.duration_s * spec.camera.fps + 1e-9))
    for i in range(n):
        t = i / spec.camera.fps
        sk = forward_kinematics(seg, timeline.pose_at(t))
        buf = renderer.render(build_figure(sk, seg, spec.body.outfit), _shadows(sk, seg))
        lm = landmarks_3d(sk)
        if progress:
            progress((i + 1) / n)
        yield i, t, buf.image, lm, visibility(lm, cam, buf)


def frame_camera(spec: ClipSpec, seg: Segments, timeline) -> Camera:
    """The clip's camera, aimed so every joint stays in the image the whole clip."""
    t = np.arange(0.0, timeline.duration_s, 0.1)
    pts = np.concatenate([landmarks_3d(forward_kinematics(seg, timeline.pose_at(x))) for x in t])
    return spec.camera.build(spec.body, pts)


def _shadows(sk, seg: Segments) -> list:
    out = []
    for s in "lr":
        foot = (sk.points[f"heel_{s}"] + sk.points[f"toe_{s}"]) / 2
        lift = max(foot[2] - 0.02, 0.0)
        out.append((foot, 0.09 * seg.girth + 0.3 * lift, 0.45 * math.exp(-lift / 0.08)))
    pelvis = sk.points["pelvis"]
    out.append((pelvis, 0.28 * seg.girth, 0.18))
    return out


def generate_clip(spec: ClipSpec, path: str | Path, progress=None) -> ClipResult:
    """Render ``spec`` to ``path`` (.mp4 with mp4v, .webm with VP8) and write the truth
    JSON beside it (same stem). Both files appear only when complete."""
    import time

    t_start = time.monotonic()
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FOURCC:
        raise ValueError(f"cannot write '{suffix}' video; use one of {', '.join(FOURCC)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    cam_spec = spec.camera
    tmp = path.with_name(f".{path.stem}.partial{suffix}")
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*FOURCC[suffix]), cam_spec.fps,
                             (cam_spec.width, cam_spec.height))
    if not writer.isOpened():
        raise OSError(f"OpenCV cannot write {suffix} video here (codec {FOURCC[suffix]})")
    t_list, lm3, vis = [], [], []
    try:
        for _i, t, image, lm, seen in simulate(spec, progress):
            writer.write(image)
            t_list.append(t)
            lm3.append(lm)
            vis.append(seen)
        writer.release()
        truth = build_truth(spec, np.asarray(t_list), np.asarray(lm3), np.asarray(vis))
        truth["video"] = path.name
        os.replace(tmp, path)
    finally:
        writer.release()
        tmp.unlink(missing_ok=True)
    truth_path = write_json_atomic(path.with_suffix(".json"), truth)
    return ClipResult(path, truth_path, truth, time.monotonic() - t_start)


def build_truth(spec: ClipSpec, t_s: np.ndarray, lm3d: np.ndarray, vis: np.ndarray) -> dict:
    """The truth dictionary (see docs/synth.md for every key)."""
    seg = Segments.of(spec.body)
    motion = spec.motion
    timeline = build_timeline(seg, motion)
    cam = frame_camera(spec, seg, timeline)
    uv, _ = cam.project(lm3d)
    lm2d = uv / np.array([cam.width, cam.height])
    reps = []
    for k, rep in enumerate(timeline.reps):
        i = int(np.argmin(np.abs(t_s - rep["bottom_s"])))
        values = rep_truth(seg, motion, timeline, k, float(t_s[i]))
        reps.append({**rep, "bottom_frame": i, "truth": round_values(values),
                     "findings": label_findings(values, motion.double)})
    findings = {k: any(r["findings"][k] for r in reps) for k in LABEL_CRITERIA}
    camera = cam.to_json()
    camera.update(view=spec.camera.view, azimuth_deg=round(spec.camera.azimuth, 3),
                  distance_m=spec.camera.distance_m, fps=spec.camera.fps,
                  roll_deg=spec.camera.roll_deg)
    return {
        "generator": GENERATOR,
        "format_version": 1,
        "view": spec.camera.view,
        "facing": facing_for(spec.camera.azimuth, spec.camera.view),
        "exercise": motion.exercise,
        "free_leg": None if motion.double else motion.free_leg,
        "fps": spec.camera.fps,
        "image_size": [cam.width, cam.height],
        "duration_s": round(len(t_s) / spec.camera.fps, 4),
        "frame_count": len(t_s),
        "camera": camera,
        "body": spec.body.to_json() | {"leg_length_m": round(seg.leg_length, 4),
                                       "foot_length_m": round(seg.foot_length, 4)},
        "faults": {k: float(v) for k, v in spec.faults.items()},
        "seed": spec.seed,
        "scene": asdict(spec.scene),
        "rep_count": len(reps),
        "standing_s": [list(s) for s in timeline.standing_s],
        "reps": reps,
        "findings": findings,
        "label_criteria": {k: {"truth_key": key, "level": level}
                           for k, (key, level) in LABEL_CRITERIA.items()},
        "frames": frames_block(t_s, lm2d, lm3d, vis),
    }
