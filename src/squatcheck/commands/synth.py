"""``squatcheck synth``: render a synthetic squat clip with exact truth, or a benchmark set."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from ..errors import SquatcheckError
from .common import ProgressBar

EXAMPLES = """examples:
  squatcheck synth --view side --stance left --fault heel_lift=3cm --fault knee_past_toes -o c.mp4
  squatcheck synth --view front --stance right --fault pelvic_drop=8 --fault knee_valgus -o f.mp4
  squatcheck synth --exercise dls --view oblique --azimuth 40 --fault quad_dominant -o q.webm
  squatcheck synth --set 12 -o /tmp/synthset      # a varied benchmark set (+ index.json)

faults (NAME or NAME=MAGNITUDE; a bare name gets a clearly faulty default):
"""


class SynthUsageError(SquatcheckError):
    """A synth option that cannot be honoured."""

    exit_code = 2


def register(sub) -> None:
    from ..synth.faults import FAULTS

    epilog = EXAMPLES + "\n".join(f"  {k:<19} {v.help} [{v.unit}, default {v.default:g}]"
                                  for k, v in FAULTS.items())
    p = sub.add_parser("synth", help="render a synthetic squat video with ground-truth JSON",
                       description="Render an articulated mannequin squatting, with faults of "
                       "known size, and write VIDEO plus its truth JSON beside it (same stem).",
                       epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-o", "--output", type=Path, required=True, metavar="VIDEO|DIR",
                   help="video file (.mp4 = mp4v, .webm = VP8), or a folder with --set")
    p.add_argument("--set", type=int, metavar="N", help="generate N varied clips into the folder")
    g = p.add_argument_group("movement")
    g.add_argument("--exercise", choices=["sls", "dls", "single_leg_squat", "double_leg_squat"],
                   help="default: sls, or dls with --stance both")
    g.add_argument("--stance", default=None, metavar="SIDE",
                   help="left | right | both | switch (half the reps on each leg) | a comma list "
                   "per rep, e.g. left,left,right (default left)")
    g.add_argument("--free-leg", choices=["forward", "behind"], default="forward")
    g.add_argument("--reps", type=int, default=3)
    g.add_argument("--fault", action="append", default=[], metavar="NAME[=MAG]")
    g.add_argument("--depth", type=float, metavar="DEG", help="knee flexion at the bottom")
    g.add_argument("--tempo", type=float, default=1.0, help="duration scale (2 = half speed)")
    g.add_argument("--arms", choices=["forward", "down", "hips", "crossed"],
                   default="forward",
                   help="hips: hands on the hips; crossed: arms folded on the chest "
                   "(clinicians ask for either)")
    b = p.add_argument_group("body")
    b.add_argument("--body-height", type=float, default=1.75, metavar="M")
    b.add_argument("--leg-ratio", type=float, default=1.0)
    b.add_argument("--girth", type=float, default=1.0)
    b.add_argument("--shirt", choices=["tight", "tucked", "loose"], default="tucked",
                   help="loose hangs over the waistband and hides the waist")
    b.add_argument("--outfit", choices=["default", "random"], default="default",
                   help="clothing colours (random uses --seed)")
    c = p.add_argument_group("camera")
    c.add_argument("--view", choices=["front", "side", "oblique"], default="side")
    c.add_argument("--facing", choices=["camera", "away", "left", "right"],
                   help="how the subject faces in the image")
    c.add_argument("--azimuth", type=float, metavar="DEG",
                   help="camera angle from the subject's front (+ = its left): an oblique "
                   "view, or a body turned from square-on (front) or side-on (side)")
    c.add_argument("--distance", type=float, default=3.6, metavar="M")
    c.add_argument("--camera-height", type=float, metavar="M")
    c.add_argument("--focal", type=float, metavar="PX", help="default: frame the body")
    c.add_argument("--size", default="480x640", metavar="WxH")
    c.add_argument("--fps", type=float, default=30.0)
    c.add_argument("--noise", type=float, default=1.5, metavar="SIGMA")
    c.add_argument("--blur", type=float, default=0.6, metavar="PX")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=run)


def _stances(text: str | None, reps: int, double: bool) -> tuple[str, ...]:
    if double or text == "both":
        return ("both",) * reps
    text = text or "left"
    if text == "switch":
        return tuple(["left"] * (reps // 2) + ["right"] * (reps - reps // 2))
    items = [s.strip() for s in text.split(",")]
    if any(s not in ("left", "right") for s in items):
        raise SynthUsageError(f"--stance '{text}' is not left, right, both, switch or a "
                              "comma list of left/right.")
    if len(items) == 1:
        return (items[0],) * reps
    return tuple(items)


def build_spec(args):
    """Turn parsed arguments into a ``ClipSpec`` (raises ``SynthUsageError``)."""
    import numpy as np

    from ..synth.body import BodySpec, Outfit
    from ..synth.clip import CameraSpec, ClipSpec
    from ..synth.faults import parse_fault
    from ..synth.motion import MotionSpec, Tempo
    from ..synth.render import Scene

    try:
        faults = dict(parse_fault(f) for f in args.fault)
        exercise = args.exercise or ("dls" if args.stance == "both" else "sls")
        exercise = {"sls": "single_leg_squat", "dls": "double_leg_squat"}.get(exercise, exercise)
        double = exercise == "double_leg_squat"
        if args.reps < 1:
            raise ValueError("--reps must be at least 1")
        stances = _stances(args.stance, args.reps, double)
        w, _, h = args.size.lower().partition("x")
        size = (int(w), int(h))
        outfit = Outfit.random(np.random.default_rng(args.seed)) if args.outfit == "random" \
            else Outfit()
        motion = MotionSpec(exercise=exercise, stances=stances,
                            rep_faults=tuple(dict(faults) for _ in stances),
                            free_leg=args.free_leg, depth_deg=args.depth, arms=args.arms,
                            tempo=Tempo().scaled(args.tempo))
        body = BodySpec(height_m=args.body_height, leg_ratio=args.leg_ratio, girth=args.girth,
                        outfit=replace(outfit, shirt_fit=args.shirt))
        camera = CameraSpec(view=args.view, facing=args.facing, azimuth_deg=args.azimuth,
                            distance_m=args.distance, height_m=args.camera_height,
                            focal_px=args.focal, width=size[0], height=size[1], fps=args.fps)
        scene = Scene(noise_sigma=args.noise, blur_px=args.blur)
    except ValueError as exc:
        raise SynthUsageError(f"{exc}.".replace("..", ".")) from None
    _check_facing(args)
    return ClipSpec(motion=motion, body=body, camera=camera, scene=scene, faults=faults,
                    seed=args.seed)


def _check_facing(args) -> None:
    allowed = {"front": {None, "camera", "away"}, "side": {None, "left", "right"},
               "oblique": {None, "left", "right", "camera", "away"}}[args.view]
    if args.facing not in allowed:
        raise SynthUsageError(f"--facing {args.facing} does not fit --view {args.view}; use "
                              f"{' or '.join(sorted(a for a in allowed if a))}.")


def run(args) -> int:
    from ..synth.benchset import generate_set
    from ..synth.clip import generate_clip

    if args.set is not None:
        if args.set < 1:
            raise SynthUsageError("--set needs a positive number of clips.")
        if args.output.suffix:
            raise SynthUsageError("with --set, -o must be a folder (no file extension).")
        try:
            paths = generate_set(args.set, args.output, seed=args.seed,
                                 progress=ProgressBar("synth set"))
        except OSError as exc:
            raise SynthUsageError(f"cannot write into {args.output} ({exc.strerror or exc}); "
                                  "choose a folder you can write to.") from None
        print(f"{args.output}: {len(paths)} clips with truth JSON (index.json lists them)")
        return 0
    spec = build_spec(args)
    try:
        res = generate_clip(spec, args.output, progress=ProgressBar("synth"))
    except ValueError as exc:
        raise SynthUsageError(f"{exc}.") from None
    except OSError as exc:
        raise SynthUsageError(f"cannot write {args.output} ({exc.strerror or exc}); choose "
                              "a folder you can write to.") from None
    truth = res.truth
    found = {k for k, v in truth["findings"].items() if v}
    print(f"{res.video}: {truth['frame_count']} frames, {truth['duration_s']:.1f} s, "
          f"{truth['rep_count']} reps, {truth['view']} view facing {truth['facing']}, "
          f"findings: {', '.join(sorted(found)) or 'none'}; truth in {res.truth_path.name} "
          f"({res.seconds:.1f} s)")
    return 0
