"""``squatcheck pose VIDEO -o track.npz``: run the pose model once and keep the track."""

from __future__ import annotations

from pathlib import Path

from ..analysis.analyze import extract_upright
from ..pose.extract import DEFAULT_MAX_INFERENCE_HZ
from .common import (
    ProgressBar,
    add_model_argument,
    not_negative,
    positive,
    refuse_overwriting_input,
)


def register(sub) -> None:
    p = sub.add_parser("pose", help="extract the pose track of a video into an .npz",
                       description="Run the pose model over VIDEO and save the subject's "
                       "landmarks, so analysis can be re-run without inference.",
                       epilog="example:\n  squatcheck pose clip.mp4 -o clip.npz",
                       formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    p.add_argument("video", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True, metavar="TRACK.npz")
    add_model_argument(p)
    p.add_argument("--people", type=positive(int), default=1, metavar="N",
                   help="people the model looks for per frame (default 1; 2 helps when "
                   "someone stands close to the subject)")
    p.add_argument("--max-hz", type=not_negative(float), default=DEFAULT_MAX_INFERENCE_HZ,
                   metavar="HZ",
                   help="run the model at most this often, interpolating frames in between "
                   f"(default {DEFAULT_MAX_INFERENCE_HZ:g}; 0 = every frame)")
    p.set_defaults(run=run)


def run(args) -> int:
    refuse_overwriting_input(args.output, args.video)
    track = extract_upright(args.video, model=args.model, workers=args.workers,
                            num_poses=args.people, max_inference_hz=args.max_hz,
                            progress=ProgressBar("pose"))
    track.save(args.output)
    found = int(track.detected.sum())
    print(f"{args.output}: {len(track)} frames, {track.duration_s:.2f} s, "
          f"person found in {found} ({found / max(len(track), 1):.0%}); subject: "
          f"{track.meta.subject}")
    return 0
