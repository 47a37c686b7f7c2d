"""The pelvis benchmark set (issue 9): small synthetic clips with known pelvic drop and tilt.

Front clips: drop 0-12 deg (free side down) and hikes, alone and with the confounders that
fool the hip landmarks (knee valgus, lateral trunk lean, stance hip adduction); side clips:
pelvic tilt -10..+15 deg with the usual and a large forward trunk lean. Body sizes, shirt
fits (tight, tucked, loose), camera heights, stance legs and free-leg positions vary.
Two reps per clip with different magnitudes, short tempo, 360x480 px at 20 fps (figure
~380 px tall): the whole set renders and is tracked in a few CPU-minutes per core.
Deterministic for a seed; pose tracks (with pelvis evidence) are cached beside the clips.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..synth.body import BodySpec, Outfit
from ..synth.clip import CameraSpec, ClipSpec
from ..synth.motion import MotionSpec, Tempo
from ..synth.render import Scene

# (rep 1, rep 2) pelvic drop in deg (+ free side down, - hike) and the confounders of both reps
FRONT_PLAN: list[tuple[tuple[float, float], dict[str, float]]] = [
    ((0.0, 8.0), {}),
    ((12.0, 2.0), {}),
    ((5.0, -6.0), {}),
    ((0.0, 10.0), {"knee_valgus": 18.0}),
    ((6.0, 1.0), {"knee_valgus": 15.0}),
    ((-4.0, 0.0), {"knee_valgus": 20.0}),
    ((0.0, 7.0), {"lateral_trunk_lean": 10.0}),
    ((9.0, 2.0), {"lateral_trunk_lean": -8.0}),
    ((0.0, 5.0), {"hip_adduction": 8.0}),
    ((11.0, 0.0), {"hip_adduction": 6.0}),
    ((0.0, 6.0), {"knee_valgus": 15.0, "lateral_trunk_lean": 8.0}),
    ((2.0, 12.0), {"knee_valgus": 12.0, "hip_adduction": 6.0}),
    ((0.0, 4.0), {"lateral_trunk_lean": 12.0, "hip_adduction": 5.0}),
    ((8.0, -8.0), {"knee_valgus": 10.0}),
    ((1.0, 9.0), {}),
    ((0.0, 3.0), {"knee_valgus": 18.0, "lateral_trunk_lean": -6.0}),
]
LOOSE_FRONT = 4  # extra front clips in a loose shirt (the waist hidden: not assessable)
# (rep 1, rep 2) pelvic tilt in deg (+ anterior) and the forward trunk lean at the bottom
SIDE_PLAN: list[tuple[tuple[float, float], float | None]] = [
    ((0.0, 10.0), None),
    ((15.0, 0.0), None),
    ((-10.0, 5.0), None),
    ((0.0, 12.0), 50.0),
    ((10.0, 0.0), 55.0),
    ((-6.0, 15.0), 45.0),
    ((0.0, -10.0), None),
    ((8.0, 0.0), 50.0),
]
FITS = ("tight", "tucked")
CAMERA_HEIGHTS = (0.35, 0.55, 0.75)  # of body height
BODIES = ((1.55, 0.95, 0.85), (1.75, 1.0, 1.0), (1.92, 1.05, 1.2), (1.65, 1.0, 1.1),
          (1.85, 0.97, 0.9))  # height m, leg ratio, girth


def plan_pelvis_set(seed: int = 9) -> list[tuple[str, ClipSpec]]:
    """(name, ClipSpec) of every clip of the set, in a fixed order."""
    rng = np.random.default_rng(seed)
    plans = []
    front = [(d, c, fit) for i, (d, c) in enumerate(FRONT_PLAN)
             for fit in [FITS[i % len(FITS)]]]
    for k in range(LOOSE_FRONT):
        d, c = FRONT_PLAN[(3 * k) % len(FRONT_PLAN)]
        front.append((d, c, "loose"))
    for i, (drops, conf, fit) in enumerate(front):
        stance = ("left", "right")[i % 2]
        faults = tuple({**conf, "pelvic_drop": d} if d else dict(conf) for d in drops)
        name = f"p{i:02d}_front_{fit}_drop{drops[0]:+.0f}{drops[1]:+.0f}_" + (
            "-".join(sorted(conf)) or "clean")
        plans.append((name, _spec(rng, i, "front", stance, faults, fit)))
    for j, (tilts, trunk) in enumerate(SIDE_PLAN):
        i = len(front) + j
        stance = ("left", "right")[j % 2]
        faults = tuple(({"pelvic_tilt": t} if t else {})
                       | ({"trunk_lean": trunk} if trunk else {}) for t in tilts)
        fit = FITS[j % len(FITS)]
        name = f"p{i:02d}_side_{fit}_tilt{tilts[0]:+.0f}{tilts[1]:+.0f}_trunk" + (
            f"{trunk:.0f}" if trunk else "30")
        plans.append((name, _spec(rng, i, "side", stance, faults, fit)))
    return plans


def _spec(rng: np.random.Generator, i: int, view: str, stance: str, faults: tuple[dict, ...],
          fit: str) -> ClipSpec:
    height, leg, girth = BODIES[i % len(BODIES)]
    outfit = replace(Outfit.random(rng), shirt_fit=fit)
    body = BodySpec(height_m=height, leg_ratio=leg, girth=girth, outfit=outfit)
    motion = MotionSpec(exercise="single_leg_squat", stances=(stance,) * len(faults),
                        rep_faults=faults, free_leg=("forward", "behind")[(i // 2) % 2],
                        depth_deg=float(rng.uniform(60, 80)), tempo=Tempo().scaled(0.8))
    facing = "camera" if view == "front" else ("left", "right")[(i // 3) % 2]
    cam = CameraSpec(view=view, facing=facing, distance_m=float(rng.uniform(3.0, 4.2)),
                     height_m=round(height * CAMERA_HEIGHTS[i % len(CAMERA_HEIGHTS)], 3),
                     fill=0.8, width=360, height=480, fps=20.0)
    scene = Scene(noise_sigma=float(rng.uniform(0.5, 2.5)), blur_px=float(rng.uniform(0.4, 0.9)))
    return ClipSpec(motion=motion, body=body, camera=cam, scene=scene,
                    faults={k: v for f in faults for k, v in f.items()}, seed=1000 + i)


def _make_one(job: tuple[str, ClipSpec, str]) -> str:
    from ..pose.extract import extract_pose
    from ..synth.clip import generate_clip

    name, spec, folder = job
    video = Path(folder) / f"{name}.mp4"
    if not (video.exists() and video.with_suffix(".json").exists()):
        generate_clip(spec, video)
    track = video.with_suffix(".npz")
    if not track.exists():
        # every frame inferred: the benchmark judges the measurement, not the rate cap
        extract_pose(video, workers=1, max_inference_hz=None, image_evidence=True).save(track)
    return name


def generate_pelvis_set(out_dir: str | Path, *, seed: int = 9, processes: int = 2,
                        progress: Callable[[float, str], None] | None = None) -> list[Path]:
    """Render the set into ``out_dir`` (clips already there are kept) and cache each clip's
    pose track as ``<stem>.npz``; returns the video paths in plan order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plans = plan_pelvis_set(seed)
    jobs = [(name, spec, str(out_dir)) for name, spec in plans]
    done = 0
    if processes > 1:
        with ProcessPoolExecutor(processes) as pool:
            for name in pool.map(_make_one, jobs):
                done += 1
                if progress:
                    progress(done / len(jobs), name)
    else:
        for job in jobs:
            _make_one(job)
            done += 1
            if progress:
                progress(done / len(jobs), job[0])
    return [out_dir / f"{name}.mp4" for name, _ in plans]
