"""The engine on perfect landmarks: a synthetic set's tracks with the exact joints.

For each clip of a synthetic set (video, truth JSON, cached MediaPipe track), writes to
OUT the truth JSON and a pose track whose image landmarks are the mannequin's exact
joints projected through the clip's own camera (the truth's ``frames.landmarks_2d``) and
whose world landmarks are those joints in camera axes about the hips' midpoint,
visibility 1. The image evidence the pose stage measured from the video (waist line,
soles, thighs) and the track's metadata (camera roll) are kept. Then

    squatcheck eval --synthetic OUT --no-clips

scores the engine with no pose-model error: what is left is the camera's geometry (a
lens, a turned body) and the engine's own rules. Set beside the same eval on the set
itself, it tells which of the two a miss comes from.

    .venv/bin/python bench/exact_joints.py /tmp/sideturn /tmp/sideturn_exact
"""

from __future__ import annotations

import argparse
import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np

from squatcheck.pose import landmarks as L
from squatcheck.pose.track import PoseTrack


def exact_track(track: PoseTrack, truth: dict) -> PoseTrack:
    """``track`` with its landmarks replaced by the truth's, row by row at the nearest
    rendered frame."""
    t_true = np.asarray(truth["frames"]["t_s"], float)
    rows = np.clip(np.searchsorted(t_true, track.t_s - 0.5 / truth["fps"]), 0, len(t_true) - 1)
    xy = np.asarray(truth["frames"]["landmarks_2d"], float)[rows]
    cam = truth["camera"]
    rot = np.asarray(cam["rotation_world_to_camera"], float)
    in_camera = (np.asarray(truth["frames"]["landmarks_3d"], float)[rows]
                 - np.asarray(cam["position_m"], float)) @ rot.T
    hips = (in_camera[:, L.LEFT_HIP] + in_camera[:, L.RIGHT_HIP]) / 2
    seen = np.ones_like(track.visibility)
    return replace(track, xy=xy.astype(track.xy.dtype),
                   world=(in_camera - hips[:, None]).astype(track.world.dtype),
                   visibility=seen, presence=seen)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("set", type=Path, help="a synthetic set folder (clips, truth, tracks)")
    ap.add_argument("out", type=Path, help="where to write the exact-joint tracks")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    n = 0
    for path in sorted(args.set.glob("*.json")):
        truth = json.loads(path.read_text())
        track_path = path.with_suffix(".npz")
        if truth.get("generator") != "squatcheck.synth" or not track_path.exists():
            continue
        exact_track(PoseTrack.load(track_path), truth).save(args.out / track_path.name)
        shutil.copy(path, args.out / path.name)
        n += 1
    print(f"{n} exact-joint tracks in {args.out}; score them with "
          f"`squatcheck eval --synthetic {args.out} --no-clips`")


if __name__ == "__main__":
    main()
