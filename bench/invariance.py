"""Does the engine say the same thing when the same squat is filmed a little differently?

The real clips are few; the rules must hold on phones, rooms and people we have not seen.
This re-encodes every real clip (``shared/clips``) under changes that leave the squat as it
was — mirrored, half the resolution, a dim noisy room, half the frame rate, heavy JPEG
compression, a phone held 5 deg off level, filmed from further away, out of focus,
over-exposed, held in the hand (evaluation/invariance.py)
— runs the whole pipeline (pose model included) on each, and compares the
result with the untouched clip's: view, facing, exercise, rep count, each rep's stance leg
(matched by bottom time) and each finding (clip level: present in any rep, absent, or not
assessable). A mirrored clip must swap left and right (stance, side-view facing) and nothing
else.

    .venv/bin/python bench/invariance.py --dir /tmp/invariance [--only tux_hyva7 ...]

Videos and tracks are cached in --dir; the first run extracts about 10 × 5,300 frames
(about 25 minutes on 2 cores). Prints agreement per item and change, then every difference.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

from squatcheck.analysis.analyze import analyze_track
from squatcheck.evaluation.clips import default_clips_dir, load_labels
from squatcheck.evaluation.invariance import CHANGES, compare, render, summarise
from squatcheck.pose.extract import extract_pose
from squatcheck.pose.track import PoseTrack


def track_of(video: Path, cache: Path) -> PoseTrack:
    if not cache.is_file():
        extract_pose(video).save(cache)
    return PoseTrack.load(cache)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/invariance"))
    ap.add_argument("--clips", type=Path, default=default_clips_dir())
    ap.add_argument("--only", nargs="*", default=None, help="clip stems")
    ap.add_argument("--changes", nargs="*", default=list(CHANGES), choices=list(CHANGES))
    args = ap.parse_args()
    folder, labels = load_labels(args.clips)
    args.dir.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    agree: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    misses: list[str] = []
    for label in labels:
        src = folder / label["file"]
        if args.only and src.stem not in args.only:
            continue
        print(f"{src.name}: original", file=sys.stderr)
        base = summarise(analyze_track(track_of(src, args.dir / f"{src.stem}.npz")), False)
        for change in args.changes:
            video = args.dir / f"{src.stem}.{change}.mp4"
            if not video.is_file():
                render(src, change, video)
            print(f"{src.name}: {change}", file=sys.stderr)
            track = track_of(video, args.dir / f"{src.stem}.{change}.npz")
            other = summarise(analyze_track(track), change == "mirror")
            for item, diff in compare(base, other).items():
                tally = agree[item][change]
                tally[1] += 1
                tally[0] += diff is None
                if diff:
                    misses.append(f"{change:10s} {src.name}: {item}: {diff}")
    changes = args.changes
    print(f"{'item':16s}" + "".join(f"{c:>12s}" for c in changes))
    for item, per in agree.items():
        print(f"{item:16s}" + "".join(f"{per[c][0]:>8d}/{per[c][1]:<3d}" for c in changes))
    print("\ndifferences from the untouched clip:")
    print("\n".join(f"  {m}" for m in misses) or "  none")
    print(f"\n({time.monotonic() - t0:.0f} s; videos and tracks cached in {args.dir})")


if __name__ == "__main__":
    main()
