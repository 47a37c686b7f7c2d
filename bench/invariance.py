"""Does the engine say the same thing when the same squat is filmed a little differently?

The real clips are few; the rules must hold on phones, rooms and people we have not seen.
This re-encodes every real clip (``shared/clips``) under changes that leave the squat as it
was — mirrored, half the resolution, a dim noisy room, half the frame rate, heavy JPEG
compression — runs the whole pipeline (pose model included) on each, and compares the
result with the untouched clip's: view, facing, exercise, rep count, each rep's stance leg
(matched by bottom time) and each finding (clip level: present in any rep, absent, or not
assessable). A mirrored clip must swap left and right (stance, side-view facing) and nothing
else.

    .venv/bin/python bench/invariance.py --dir /tmp/invariance [--only tux_hyva7 ...]

Videos and tracks are cached in --dir; the first run extracts about 6 × 5,300 frames
(about 15 minutes on 2 cores). Prints agreement per item and change, then every difference.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

from squatcheck.analysis.analyze import analyze_track
from squatcheck.evaluation.clips import default_clips_dir, load_labels
from squatcheck.pose.extract import extract_pose
from squatcheck.pose.track import PoseTrack
from squatcheck.video import VideoReader

FINDINGS = ["knee_past_toes", "heel_lift", "knee_valgus", "trunk_lean", "pelvic_drop",
            "pelvic_tilt", "quad_dominant"]
SWAP = {"left": "right", "right": "left"}


def _dim(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A dim room: 40 % of the light, a lifted black level and sensor noise (sd 4 levels)."""
    out = img.astype(np.float32) * 0.4 + 6 + rng.normal(0, 4, img.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


def _jpeg(img: np.ndarray, _rng) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 15])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


# name -> (per-frame transform, keep every n-th frame)
CHANGES = {
    "mirror": (lambda img, _r: cv2.flip(img, 1), 1),
    "half_size": (lambda img, _r: cv2.resize(img, None, fx=0.5, fy=0.5,
                                              interpolation=cv2.INTER_AREA), 1),
    "dim_noisy": (_dim, 1),
    "half_fps": (lambda img, _r: img, 2),
    "jpeg_q15": (_jpeg, 1),
}


def render(src: Path, change: str, out: Path) -> None:
    transform, every = CHANGES[change]
    rng = np.random.default_rng(0)
    tmp = out.with_suffix(".part.mp4")
    writer = None
    with VideoReader(src) as reader:
        fps = reader.info.fps_nominal or 30.0
        for i, frame in enumerate(reader):
            if i % every:
                continue
            img = transform(frame.image, rng)
            if writer is None:
                h, w = img.shape[:2]
                writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"),
                                         fps / every, (w, h))
            writer.write(img)
    writer.release()
    tmp.rename(out)


def track_of(video: Path, cache: Path) -> PoseTrack:
    if not cache.is_file():
        extract_pose(video).save(cache)
    return PoseTrack.load(cache)


def summarise(result, mirrored: bool) -> dict:
    """The items compared, with left/right swapped back for a mirrored clip."""
    side = (lambda s: SWAP.get(s, s)) if mirrored else (lambda s: s)
    reps = [r for r in result.reps]
    out = {"view": result.view, "facing": side(result.facing), "exercise": result.exercise,
           "rep count": len(reps), "reps": [(r.bottom_s, side(r.stance)) for r in reps]}
    for name in FINDINGS:
        states = [r.findings[name].present for r in reps if name in r.findings]
        out[name] = ("present" if any(s is True for s in states) else
                     "absent" if any(s is False for s in states) else "n/a")
    return out


def compare(base: dict, other: dict, fps_ratio: float = 1.0) -> dict[str, str | None]:
    """item -> None when equal, else a short 'base -> other' text."""
    diffs: dict[str, str | None] = {}
    for key in ["view", "facing", "exercise", "rep count", *FINDINGS]:
        diffs[key] = None if base[key] == other[key] else f"{base[key]} -> {other[key]}"
    wrong = []
    for t, stance in base["reps"]:
        near = [s for t2, s in other["reps"] if abs(t2 - t) < 1.0]
        if near and near[0] != stance:
            wrong.append(f"{t:.1f}s {stance}->{near[0]}")
    diffs["stance leg"] = "; ".join(wrong) or None
    return diffs


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
