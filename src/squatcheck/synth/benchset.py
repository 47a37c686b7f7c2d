"""A varied set of synthetic clips for benchmarks: views, legs, bodies, faults
below and above their thresholds, each clear of its label's guard band
(``faults.GUARD_BANDS``). Deterministic for a given seed; generated on demand
(never committed)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from .body import BodySpec, Outfit
from .clip import CameraSpec, ClipSpec, generate_clip
from .faults import FAULTS, clear_of_label
from .motion import MotionSpec, Tempo
from .render import Scene
from .truth import write_json_atomic

SIDE_FAULTS = ["knee_past_toes", "heel_lift", "trunk_lean", "quad_dominant", "hip_dominant",
               "pelvic_tilt"]
FRONT_FAULTS = ["knee_valgus", "pelvic_drop", "lateral_trunk_lean"]
WALLS = [(200, 205, 210), (170, 190, 200), (215, 215, 205), (150, 160, 170), (205, 225, 235)]
FLOORS = [(120, 140, 160), (90, 100, 110), (140, 150, 150), (60, 90, 120)]


def _magnitude(rng: np.random.Generator, name: str, above: bool) -> float:
    """A magnitude spread over the fault's range above (0.75-1.2 x its default) or below
    (0.5-1 x its "below" value) its label level, the part of it inside the label's guard
    band left out (drawn from what remains, so none piles up at the band's edge)."""
    info = FAULTS[name]
    lo, hi = ((0.75 * info.default, 1.2 * info.default) if above
              else sorted((0.5 * info.below, info.below)))
    lo, hi = sorted((clear_of_label(name, lo, above), clear_of_label(name, hi, above)))
    return round(float(rng.uniform(lo, hi)), 3)


def in_a_room(spec: ClipSpec, seed: int) -> ClipSpec:
    """The same clip filmed with the phone 1-5 deg off level (either way) in front of a
    wall with two door or shelf frames each side: what ``pose/camera_roll.py`` reads and
    undoes. Drawn from their own generator, so the clip is otherwise unchanged."""
    rng = np.random.default_rng(seed + 5_000_000)
    roll = float(rng.choice([-1, 1]) * rng.uniform(1.0, 5.0))
    near, far = rng.uniform(0.6, 1.0, 2), rng.uniform(1.1, 1.8, 2)
    edges = tuple(round(float(x), 3) for x in (-far[0], -near[0], near[1], far[1]))
    return replace(spec, camera=replace(spec.camera, roll_deg=round(roll, 2)),
                   scene=replace(spec.scene, edges_m=edges))


def turned_from_the_camera(spec: ClipSpec, seed: int) -> ClipSpec:
    """A front view of a body turned 5-25 deg (either way) from the camera: people rarely
    stand square to it, and the engine's front view reaches 30 deg ([view]
    front_max_yaw_deg). Other views are returned unchanged. Drawn from its own generator,
    so the clip is otherwise unchanged."""
    return _turned(spec, seed, "front")


def turned_from_side_on(spec: ClipSpec, seed: int) -> ClipSpec:
    """A side view of a body turned 5-25 deg (either way: its front or its back towards the
    camera) from side-on: a phone propped at home is rarely at a right angle to the body,
    and the engine's side view starts at 60 deg ([view] side_min_yaw_deg). Other views are
    returned unchanged."""
    return _turned(spec, seed, "side")


def _turned(spec: ClipSpec, seed: int, view: str) -> ClipSpec:
    if spec.camera.view != view:
        return spec
    rng = np.random.default_rng(seed + 9_000_000)
    turn = float(rng.choice([-1, 1]) * rng.uniform(5.0, 25.0))
    return replace(spec, camera=replace(spec.camera,
                                        azimuth_deg=round(spec.camera.azimuth + turn, 2)))


def in_dim_light(spec: ClipSpec, seed: int) -> ClipSpec:
    """The same clip filmed in a dim room (an evening at home): the picture at 45-70 % of
    its brightness after the phone's exposure has done what it can, with the sensor noise
    a high ISO brings (5-9 grey levels) and a softer image (blur 1-1.6 px: noise reduction
    and slower shutters). Drawn from its own generator, so the clip is otherwise unchanged."""
    rng = np.random.default_rng(seed + 11_000_000)
    return replace(spec, scene=replace(spec.scene,
                                       exposure=round(float(rng.uniform(0.45, 0.7)), 3),
                                       noise_sigma=round(float(rng.uniform(5.0, 9.0)), 2),
                                       blur_px=round(float(rng.uniform(1.0, 1.6)), 2)))


def barefoot(spec: ClipSpec) -> ClipSpec:
    """The same clip barefoot, as a physiotherapist often screens the single-leg squat:
    the feet the skin's colour (the shape stays the shoe's, whose tip the truth measures
    to)."""
    return replace(spec, body=replace(spec.body, outfit=replace(spec.body.outfit, barefoot=True)))


def in_leggings(spec: ClipSpec) -> ClipSpec:
    """The same clip in full-length leggings (the shorts' colour down to the socks), as
    many people train at home: the knees and shins no longer show skin."""
    return replace(spec, body=replace(spec.body, outfit=replace(spec.body.outfit, leggings=True)))


def held_high(spec: ClipSpec, seed: int) -> ClipSpec:
    """The same clip filmed by someone holding the phone at chest or eye height: the camera
    at 0.8-0.95 of the body's height, looking down at it (the README asks for hip height).
    Drawn from its own generator, so the clip is otherwise unchanged."""
    rng = np.random.default_rng(seed + 13_000_000)
    height = spec.body.height_m * float(rng.uniform(0.8, 0.95))
    return replace(spec, camera=replace(spec.camera, height_m=round(height, 3)))


def on_the_floor(spec: ClipSpec, seed: int) -> ClipSpec:
    """The same clip filmed with the phone propped on the floor (against a shoe, a book, a
    step): the camera 5-20 cm up, looking up at the body. Drawn from its own generator, so
    the clip is otherwise unchanged."""
    rng = np.random.default_rng(seed + 15_000_000)
    return replace(spec, camera=replace(spec.camera,
                                        height_m=round(float(rng.uniform(0.05, 0.2)), 3)))


def with_phone_camera(spec: ClipSpec, seed: int) -> ClipSpec:
    """The same clip filmed with a phone's main camera: 63-72 deg across the image's long
    side (24-28 mm equivalent lenses), so framing the body to the same ``fill`` puts the
    camera 1.3-2.7 m away instead of 3-4.5 m behind a long lens, and perspective is as
    strong as on a phone video. Drawn from its own generator, so the clip is otherwise
    unchanged."""
    rng = np.random.default_rng(seed + 7_000_000)
    cam = spec.camera
    fov = np.radians(rng.uniform(63.0, 72.0))
    focal = max(cam.width, cam.height) / 2 / np.tan(fov / 2)
    distance = focal * 1.02 * spec.body.height_m / (cam.fill * cam.height)
    return replace(spec, camera=replace(cam, focal_px=round(float(focal), 1),
                                        distance_m=round(float(distance), 3)))


def plan_set(n: int, seed: int = 0, *, fps: float | None = None,
             size: tuple[int, int] | None = None, reps: int | None = None,
             room: bool = False, phone: bool = False,
             turned: bool = False) -> list[tuple[str, ClipSpec]]:
    """``n`` named clip specs cycling through views, stance legs and fault levels; with
    ``room``, each filmed off level in front of door frames (``in_a_room``); with
    ``phone``, each filmed with a phone's wide lens from nearer (``with_phone_camera``);
    with ``turned``, front views of a body turned 5-25 deg (``turned_from_the_camera``)."""
    rng = np.random.default_rng(seed)
    views = ["side", "front", "oblique", "side", "front"]
    plans = []
    for i in range(n):
        view = views[i % len(views)]
        double = rng.random() < 0.25
        pool = SIDE_FAULTS if view == "side" else FRONT_FAULTS if view == "front" else (
            SIDE_FAULTS + FRONT_FAULTS)
        if double:
            pool = [f for f in pool if f != "pelvic_drop"]
        faults: dict[str, float] = {}
        level = ["clean", "below", "above", "above"][i % 4]
        if level != "clean":
            for name in rng.choice(pool, size=1 + int(rng.random() < 0.3), replace=False):
                if {name, *faults} >= {"quad_dominant", "hip_dominant"}:
                    continue
                faults[str(name)] = _magnitude(rng, str(name), level == "above")
        n_reps = reps or int(rng.integers(2, 4))
        if double:
            stances = ("both",) * n_reps
        elif rng.random() < 0.2 and n_reps >= 2:
            first = str(rng.choice(["left", "right"]))
            second = "right" if first == "left" else "left"
            stances = tuple([first] * (n_reps // 2) + [second] * (n_reps - n_reps // 2))
        else:
            stances = (str(rng.choice(["left", "right"])),) * n_reps
        rep_faults = tuple({k: clear_of_label(k, v * float(rng.uniform(0.92, 1.08)),
                                              level == "above")
                            for k, v in faults.items()} for _ in range(n_reps))
        motion = MotionSpec(exercise="double_leg_squat" if double else "single_leg_squat",
                            stances=stances, rep_faults=rep_faults,
                            free_leg=str(rng.choice(["forward", "behind"])),
                            depth_deg=None if rng.random() < 0.5 else float(
                                rng.uniform(85, 105) if double else rng.uniform(60, 80)),
                            tempo=Tempo().scaled(float(rng.uniform(0.8, 1.2))))
        body = BodySpec(height_m=round(float(rng.uniform(1.5, 1.95)), 3),
                        leg_ratio=round(float(rng.uniform(0.94, 1.06)), 3),
                        girth=round(float(rng.uniform(0.85, 1.2)), 3),
                        outfit=replace(Outfit.random(rng),
                                       shirt_fit="loose" if rng.random() < 0.2 else "tucked"))
        w, h = size or ((480, 640) if rng.random() < 0.7 else (640, 480))
        facing = {"side": str(rng.choice(["left", "right"])),
                  "front": "camera" if rng.random() < 0.9 else "away"}.get(view)
        cam = CameraSpec(view=view, facing=facing,
                         # clearly oblique by the engine's own definition ([view] in the
                         # default profile: front up to 30 deg, side from 60), 5 deg margin
                         azimuth_deg=float(rng.choice([-1, 1]) * rng.uniform(35, 55))
                         if view == "oblique" else None,
                         distance_m=round(float(rng.uniform(3.0, 4.5)), 2),
                         height_m=round(float(body.height_m * rng.uniform(0.35, 0.75)), 3),
                         fill=float(rng.uniform(0.72, 0.85)), width=w, height=h,
                         fps=fps or float(rng.choice([25.0, 30.0])))
        scene = Scene(wall=WALLS[int(rng.integers(len(WALLS)))],
                      floor=FLOORS[int(rng.integers(len(FLOORS)))],
                      noise_sigma=float(rng.uniform(0.5, 3.0)),
                      blur_px=float(rng.uniform(0.4, 1.0)))
        tag = "dls" if double else "sls"
        fault_tag = "-".join(faults) or "clean"
        name = f"{i:03d}_{tag}_{view}_{level}_{fault_tag}"
        spec = ClipSpec(motion=motion, body=body, camera=cam, scene=scene, faults=faults,
                        seed=seed * 1000 + i)
        if room:
            spec = in_a_room(spec, spec.seed)
        if phone:
            spec = with_phone_camera(spec, spec.seed)
        if turned:
            spec = turned_from_the_camera(spec, spec.seed)
        plans.append((name, spec))
    return plans


def generate_set(n: int, out_dir: str | Path, seed: int = 0, *, suffix: str = ".mp4",
                 progress=None, **plan_kw) -> list[Path]:
    """Write ``n`` clips (+ truth JSON) to ``out_dir`` and an ``index.json`` listing them."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, (name, spec) in enumerate(plan_set(n, seed, **plan_kw)):
        res = generate_clip(spec, out_dir / f"{name}{suffix}")
        paths.append(res.video)
        if progress:
            progress((k + 1) / n)
    write_json_atomic(out_dir / "index.json", {"generator": "squatcheck.synth", "seed": seed,
                                               "clips": [p.name for p in paths]})
    return paths
