"""The committed sample clips (``sample_videos/``): their specs, and a command to rebuild them.

    .venv/bin/python -m squatcheck.synth.samples sample_videos/
"""

from __future__ import annotations

import sys
from pathlib import Path

from .body import BodySpec, Outfit
from .clip import CameraSpec, ClipSpec, generate_clip
from .motion import MotionSpec, Tempo
from .render import Scene

_TEMPO = Tempo().scaled(0.9)
_SCENE = Scene(noise_sigma=0.6, blur_px=0.6)


def _sls(stances, faults, **kw) -> MotionSpec:
    return MotionSpec(exercise="single_leg_squat", stances=tuple(stances),
                      rep_faults=tuple(dict(faults) for _ in stances), tempo=_TEMPO, **kw)


def sample_specs() -> dict[str, ClipSpec]:
    """File name → spec of every committed sample clip."""
    heel_knee = {"knee_past_toes": 0.4, "heel_lift": 4.0}
    drop_valgus = {"pelvic_drop": 10.0, "knee_valgus": 20.0}
    quad = {"quad_dominant": 25.0}
    return {
        "sls_clean_side.mp4": ClipSpec(
            motion=_sls(["right"] * 3, {}), camera=CameraSpec(view="side", facing="right"),
            scene=_SCENE, seed=1),
        "sls_side_knee_heel.mp4": ClipSpec(
            motion=_sls(["left"] * 3, heel_knee), camera=CameraSpec(view="side", facing="left"),
            scene=_SCENE, faults=heel_knee, seed=2),
        "sls_front_drop_valgus.mp4": ClipSpec(
            motion=_sls(["right"] * 3, drop_valgus, free_leg="behind"),
            camera=CameraSpec(view="front", facing="camera"), scene=_SCENE,
            body=BodySpec(height_m=1.65, girth=0.95,
                          outfit=Outfit(shirt=(60, 160, 60), shorts=(40, 40, 110),
                                        skin=(120, 150, 200))),
            faults=drop_valgus, seed=3),
        "dls_quad_dominant.mp4": ClipSpec(
            motion=MotionSpec(exercise="double_leg_squat", stances=("both",) * 3,
                              rep_faults=(quad,) * 3, tempo=_TEMPO),
            camera=CameraSpec(view="side", facing="right"), scene=_SCENE,
            body=BodySpec(height_m=1.85, outfit=Outfit(shirt=(40, 40, 40), shorts=(110, 60, 20),
                                                      shoes=(20, 120, 200))),
            faults=quad, seed=4),
        "sls_side_knee_heel_rolled.mp4": ClipSpec(
            motion=_sls(["left"] * 3, heel_knee),
            camera=CameraSpec(view="side", facing="left", roll_deg=4.0, fill=0.6),
            scene=Scene(noise_sigma=0.6, blur_px=0.6, edges_m=(-1.9, -1.3, 1.1, 1.7)),
            faults=heel_knee, seed=2),
        "sls_front_switch.mp4": ClipSpec(
            motion=_sls(["left", "left", "right"], {}),
            camera=CameraSpec(view="front", facing="camera"), scene=_SCENE, seed=5),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0] if argv else "sample_videos")
    for name, spec in sample_specs().items():
        res = generate_clip(spec, out / name)
        print(f"{res.video}: {res.truth['frame_count']} frames, {res.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
