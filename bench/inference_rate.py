"""What does capping the inference rate cost in accuracy? (decides DEFAULT_MAX_INFERENCE_HZ)

Runs the pose model on real squat clips at every frame and at capped rates (frames
in between interpolated), one process each, and compares the capped tracks with
the every-frame one: key-landmark distance (as a share of body height) and knee
angle, overall and at the labelled rep bottoms (clips.json), plus CPU seconds.

    .venv/bin/python bench/inference_rate.py [--rates 15 10] [--clips a.mp4 b.mp4]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from squatcheck.pose.extract import extract_pose

CLIPS = Path(__file__).resolve().parents[2] / "shared" / "clips"
KEY = [11, 12, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32]
DEFAULT = ["rohan_squat.mp4", "locv_output_sample.mp4", "nowva_squats.mp4", "tux_hyva7.mp4"]


def knee_deg(track) -> np.ndarray:
    """(T, 2) interior knee angle, left and right, in degrees (pixels, image plane)."""
    p = track.xy_px
    out = []
    for hip, knee, ankle in ((23, 25, 27), (24, 26, 28)):
        u, v = p[:, hip] - p[:, knee], p[:, ankle] - p[:, knee]
        cos = (u * v).sum(-1) / np.linalg.norm(u, axis=-1) / np.linalg.norm(v, axis=-1)
        out.append(np.degrees(np.arccos(np.clip(cos, -1, 1))))
    return np.stack(out, 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rates", type=float, nargs="+", default=[15.0, 10.0])
    ap.add_argument("--clips", nargs="+", default=DEFAULT)
    ap.add_argument("--noise-floor", action="store_true",
                    help="also compare with every frame decoded at 960 px instead of 1280 px: "
                    "how much the model moves for a change nobody would call a change")
    args = ap.parse_args()
    labels = {c["file"]: c for c in json.loads((CLIPS / "clips.json").read_text())}
    for name in args.clips:
        runs = {}
        for hz in [0.0, *args.rates] + (["960 px"] if args.noise_floor else []):
            c0 = time.process_time()
            runs[hz] = (extract_pose(CLIPS / name, workers=1, max_inference_hz=0,
                                     max_side_px=960) if hz == "960 px" else
                        extract_pose(CLIPS / name, workers=1, max_inference_hz=hz))
            runs[hz].meta.extra["cpu_s"] = time.process_time() - c0
        ref = runs[0.0]
        body = np.nanmedian(np.nanmax(ref.xy_px[..., 1], 1) - np.nanmin(ref.xy_px[..., 1], 1))
        bottoms = [r["bottom_s"] for r in labels.get(name, {}).get("reps", [])]
        print(f"\n{name}: {len(ref)} frames at {ref.fps:.1f} fps, body ≈ {body:.0f} px; "
              f"every frame: CPU {ref.meta.extra['cpu_s']:.1f} s")
        for hz in [h for h in runs if h != 0.0]:
            t = runs[hz]
            d = np.linalg.norm(t.xy_px[:, KEY] - ref.xy_px[:, KEY], axis=-1) / body
            dk = np.abs(knee_deg(t) - knee_deg(ref))
            at_bottom = []
            for b in bottoms:  # deepest knee angle within 0.5 s of the labelled bottom
                w = np.abs(ref.t_s - b) <= 0.5
                at_bottom.append(np.nanmin(knee_deg(t)[w], 0) - np.nanmin(knee_deg(ref)[w], 0))
            ab = np.abs(np.concatenate(at_bottom)) if at_bottom else np.array([np.nan])
            label = f"{hz:4.0f} Hz" if isinstance(hz, float) else f"every frame, {hz}"
            print(f"  {label}: CPU {t.meta.extra['cpu_s']:5.1f} s; key landmarks "
                  f"p50 {np.nanmedian(d):.2%} p95 {np.nanpercentile(d, 95):.2%} of body height; "
                  f"knee angle p50 {np.nanmedian(dk):.2f}° p95 {np.nanpercentile(dk, 95):.2f}° "
                  f"max {np.nanmax(dk):.1f}°; deepest knee angle at {len(bottoms)} rep "
                  f"bottom(s): max |Δ| {np.nanmax(ab):.2f}°; detected "
                  f"{t.detected.mean():.0%} vs {ref.detected.mean():.0%}")


if __name__ == "__main__":
    main()
