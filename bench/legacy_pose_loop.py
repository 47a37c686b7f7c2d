"""The baseline most open-source squat apps use: OpenCV read loop + legacy ``mp.solutions.pose``.

Runs in its own environment (``mediapipe==0.10.21``, ``numpy<2``; ``bench/pose_speed.py``
makes it), never in the project's. Prints one JSON line: frames, frames with a pose, and
the seconds spent in the loop; the caller times the whole process.

    /tmp/legacy-venv/bin/python bench/legacy_pose_loop.py VIDEO [--save landmarks.npy]
"""

import argparse
import json
import time

import cv2
import mediapipe as mp
import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("video")
    ap.add_argument("--save", help="write (T, 33, 4) x, y, z, visibility (NaN = no pose)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    cap = cv2.VideoCapture(args.video)
    rows, found = [], 0
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1,
                                min_detection_confidence=0.5,
                                min_tracking_confidence=0.5) as pose:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            result = pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            if result.pose_landmarks:
                found += 1
                rows.append([(p.x, p.y, p.z, p.visibility)
                             for p in result.pose_landmarks.landmark])
            else:
                rows.append([(np.nan,) * 4] * 33)
    cap.release()
    loop_s = time.perf_counter() - t0
    if args.save:
        np.save(args.save, np.asarray(rows, float).reshape(-1, 33, 4))
    print(json.dumps({"frames": len(rows), "found": found, "loop_s": round(loop_s, 3)}))


if __name__ == "__main__":
    main()
