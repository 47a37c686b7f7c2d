"""What the image evidence costs during pose extraction (issues 4 and 9).

Per frame, CPU time (process time, so other load on the machine counts less) of:
the pose model alone, the model with ``output_segmentation_masks=True``, and on top the
waist-line evidence (pose/silhouette.py), the feet evidence (pose/foot_silhouette.py) and
the thighs' edges (pose/thigh_silhouette.py).
Runs on the first ``--frames`` frames.

    .venv/bin/python bench/pelvis_evidence_cost.py ../shared/clips/tux_hyva7.mp4 --frames 150
"""

from __future__ import annotations

import argparse
import time

from squatcheck.pose.estimator import PoseEstimator
from squatcheck.pose.foot_silhouette import foot_evidence
from squatcheck.pose.silhouette import pelvis_evidence
from squatcheck.pose.thigh_silhouette import thigh_evidence
from squatcheck.video import VideoReader


def run(path: str, frames: int) -> dict:
    with VideoReader(path, max_side_px=1280, colour="rgb") as reader:
        clip = []
        for f in reader:
            clip.append((f.image.copy(), f.t_s))
            if len(clip) >= frames:
                break
    out = {"frames": len(clip), "size": clip[0][0].shape[1::-1]}
    for seg in (False, True):
        with PoseEstimator(None, num_poses=1, segmentation=seg) as est:
            est.detect(clip[0][0], clip[0][1], rgb=True)  # warm-up
            c0 = time.process_time()
            found = [est.detect(img, t, rgb=True) for img, t in clip[1:]]
            out["model_ms" if not seg else "model_mask_ms"] = (
                1000 * (time.process_time() - c0) / (len(clip) - 1))
        if seg:
            for name, measure in (("pelvis_ms", lambda img, d: pelvis_evidence(
                    img, d.masks[0], d.image[0])), ("feet_ms", lambda img, d: foot_evidence(
                    d.masks[0], d.image[0])), ("thighs_ms", lambda img, d: thigh_evidence(
                    d.masks[0], d.image[0]))):
                c0 = time.process_time()
                for (img, _), d in zip(clip[1:], found, strict=True):
                    if len(d):
                        measure(img, d)
                out[name] = 1000 * (time.process_time() - c0) / (len(clip) - 1)
    out["extra_share"] = (out["model_mask_ms"] + out["pelvis_ms"] + out["feet_ms"]
                          + out["thighs_ms"]) / out["model_ms"] - 1
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("videos", nargs="+")
    ap.add_argument("--frames", type=int, default=150)
    args = ap.parse_args()
    for path in args.videos:
        r = run(path, args.frames)
        print(f"{path}: {r['frames']} frames {r['size'][0]}x{r['size'][1]}: model "
              f"{r['model_ms']:.1f} ms, with mask {r['model_mask_ms']:.1f} ms, waist line "
              f"{r['pelvis_ms']:.1f} ms, feet {r['feet_ms']:.2f} ms, thighs "
              f"{r['thighs_ms']:.2f} ms per frame -> "
              f"+{100 * r['extra_share']:.0f} % CPU")


if __name__ == "__main__":
    main()
