"""How well are the camera's pitch and roll read from the room? (pose/camera_roll.py)

For each clip of a synthetic set filmed before door frames (``--room``), reads the room's
vertical edges as pose extraction does and turns their convergence into a pitch, with the
clip's true lens (from its truth file) and with the lens the engine assumes
(``[measurements] camera_fov_deg``). Prints each against the truth camera's pitch and the
error summary, and the roll against the truth's. About 2 s per clip.

    .venv/bin/python -m squatcheck.evaluation.synthetic_set /tmp/roomphone --room --phone
    .venv/bin/python bench/camera_pitch.py /tmp/roomphone
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from squatcheck.analysis.profile import load_profile
from squatcheck.pose.camera_roll import camera_pitch_deg, measure_camera_roll
from squatcheck.pose.track import PoseTrack


def true_pitch_deg(camera: dict) -> float:
    """+ = looking down: the optical axis (third row of world->camera) below horizontal."""
    axis = np.asarray(camera["rotation_world_to_camera"])[2]
    return float(np.degrees(np.arcsin(-axis[2])))


def true_fov_deg(camera: dict) -> float:
    """Field of view across the long side."""
    side = max(camera["width"], camera["height"])
    return float(np.degrees(2 * np.arctan(side / 2 / camera["focal_px"])))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path, help="a synthetic set rendered with --room")
    args = ap.parse_args()
    assumed = load_profile().value("measurements", "camera_fov_deg")
    errors: dict[str, list[float]] = {"true lens": [], f"{assumed:g} deg lens": []}
    roll_errors: list[float] = []
    unread = 0
    print(f"{'clip':36s} {'pitch':>6s} {'true lens':>10s} {f'{assumed:g} deg':>8s} "
          f"{'roll':>5s} {'read':>5s}")
    for truth_path in sorted(args.folder.glob("*.json")):
        truth = json.loads(truth_path.read_text())
        track = PoseTrack.load(truth_path.with_suffix(".npz"))
        w, h = truth["image_size"]
        roll = measure_camera_roll(truth_path.with_suffix(".mp4"), track.frame_index,
                                   track.xy[..., :2] * (w, h), truth["duration_s"])
        pitch = true_pitch_deg(truth["camera"])
        true_roll = truth["camera"].get("roll_deg", 0.0)
        if roll.roll_deg is not None:
            roll_errors.append(roll.roll_deg - true_roll)
        if roll.slope_deg_per_side is None:
            unread += 1
            print(f"{truth_path.stem[:36]:36s} {pitch:6.1f} {'not read':>10s}  ({roll.reason})")
            continue
        got = [camera_pitch_deg(roll.slope_deg_per_side, true_fov_deg(truth["camera"])),
               camera_pitch_deg(roll.slope_deg_per_side, assumed)]
        for key, value in zip(errors, got, strict=True):
            errors[key].append(value - pitch)
        print(f"{truth_path.stem[:36]:36s} {pitch:6.1f} {got[0]:10.1f} {got[1]:8.1f} "
              f"{true_roll:5.1f} {roll.roll_deg:5.1f}")
    print(f"\npitch read on {len(errors['true lens'])} clips, not read on {unread}; "
          f"roll read on {len(roll_errors)}")
    for key, err in errors.items():
        e = np.asarray(err)
        if e.size:
            print(f"{key:12s} bias {e.mean():+.2f}  median |err| {np.median(np.abs(e)):.2f}  "
                  f"p90 |err| {np.percentile(np.abs(e), 90):.2f} deg")
    e = np.asarray(roll_errors)
    if e.size:
        print(f"{'roll':12s} bias {e.mean():+.2f}  median |err| {np.median(np.abs(e)):.2f}  "
              f"p90 |err| {np.percentile(np.abs(e), 90):.2f} deg")


if __name__ == "__main__":
    main()
