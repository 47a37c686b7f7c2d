"""``squatcheck live``: webcam (or a clip played like one) with cues while you squat."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..live.loop import LiveOptions, run_live


def register(sub) -> None:
    p = sub.add_parser(
        "live", help="live webcam mode: skeleton, rep count and cues while you squat",
        description="Show the camera with the skeleton and the rep count; right after each "
        "rep, a short verdict and plain cues (knee past toes, heel lifting, hips dropping, "
        "knee caving in). A setup screen first checks the framing. The session is recorded; "
        "when you stop (q or Esc in the window, Ctrl-C here, or the camera stops) DIR gets "
        "the recording, its pose track and the same reports as 'squatcheck analyze'.",
        epilog="examples:\n  squatcheck live -o session/\n"
        "  squatcheck live --camera 1 -o session/\n"
        "  squatcheck live --source clip.mp4 -o replay/      # a clip played like a camera\n"
        "  squatcheck live --no-window -o session/           # record and report, no window",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group()
    src.add_argument("--camera", type=int, default=None, metavar="N",
                     help="camera index (default 0)")
    src.add_argument("--source", type=Path, default=None, metavar="FILE",
                     help="play a video file in real time instead of a camera (frames are "
                     "dropped when the machine is behind, as with a camera)")
    p.add_argument("-o", "--output", type=Path, default=Path("live_session"), metavar="DIR",
                   help="output folder (default: ./live_session)")
    p.add_argument("--no-window", action="store_true",
                   help="no window: record, analyse and report only")
    p.add_argument("--mirror", action=argparse.BooleanOptionalAction, default=None,
                   help="show the window flipped left-right like a mirror (default: on for "
                   "a camera, off for --source); the recording and the report are never "
                   "flipped, and left/right always mean your own left and right")
    p.add_argument("--every-frame", action="store_true",
                   help="with --source: analyse every frame in order instead of real time")
    p.add_argument("--record-format", choices=("avi", "webm"), default="avi",
                   help="session video: avi = Motion-JPEG, cheap enough to record live "
                   "(default); webm = VP8, plays in browsers but costs ~35 ms of CPU per "
                   "640x480 frame")
    p.add_argument("--no-evidence", action="store_true",
                   help="skip the segmentation mask and the image evidence (waist line, "
                   "soles) for a faster loop on a slow machine; the report then says pelvic "
                   "drop is not assessable and reads heel lift from the landmarks")
    p.add_argument("--profile", type=Path, default=None, metavar="TOML",
                   help="thresholds profile (default: the built-in one)")
    p.add_argument("--model", metavar="PATH",
                   help="an official pose_landmarker_{lite,full,heavy}.task to use instead "
                   "of the bundled model")
    p.set_defaults(run=run)


def run(args) -> int:
    if args.every_frame and args.source is None:
        print("squatcheck live: --every-frame needs --source FILE", file=sys.stderr)
        return 2
    options = LiveOptions(out_dir=args.output, camera=args.camera, source=args.source,
                          window=not args.no_window, realtime=not args.every_frame,
                          record_format=args.record_format, model=args.model,
                          profile=args.profile, evidence=not args.no_evidence,
                          mirror=args.mirror)
    outcome = run_live(options, log=lambda text: print(text, file=sys.stderr))
    s = outcome.summary
    reps = outcome.report_rep_count
    print(f"{args.output}: {s.frames_processed} of {s.frames_grabbed} frames analysed live "
          f"({s.fps_processed:.1f} frames/s, median latency {s.latency_ms_median} ms); "
          f"{'no report' if reps is None else f'{reps} reps in the report'}")
    for kind, path in sorted(outcome.outputs.items()):
        print(f"  {kind}: {path}")
    for note in outcome.notes:
        print(f"  note: {note}", file=sys.stderr)
    return 0
