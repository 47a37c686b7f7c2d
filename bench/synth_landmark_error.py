"""How well MediaPipe reads the mannequin: detection rate and landmark error vs truth.

Generates a varied synthetic set (views, legs, body sizes, faults), runs
``squatcheck.extract_pose`` on every frame of every clip (no inference-rate cap, so
the figures are MediaPipe's own) and prints, per view, the detection
rate and the median / 90th-percentile distance between MediaPipe's landmarks and
the projected true joints, in % of leg length (hip→knee→ankle, at the subject's
depth in pixels). "stance" rows use only the stance leg (both legs in a
double-leg squat); "visible" rows both legs where the truth says the joint is
not hidden by another body part; "all" rows both legs in every frame.

    .venv/bin/python bench/synth_landmark_error.py            # 10 clips, ~3-5 min
    .venv/bin/python bench/synth_landmark_error.py --clips 5 --keep /tmp/synthset
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from squatcheck import extract_pose
from squatcheck.pose.landmarks import LEG
from squatcheck.synth.benchset import generate_set

KINDS = ["hip", "knee", "ankle", "heel", "toe"]


def clip_errors(video: Path, cache: Path | None = None) -> dict:
    """Per-frame errors (% leg length) per landmark kind, for one clip and its truth."""
    truth = json.loads(video.with_suffix(".json").read_text())
    npz = cache / (video.stem + ".npz") if cache else None
    if npz is not None and npz.exists():
        from squatcheck import PoseTrack
        track = PoseTrack.load(npz)
    else:
        track = extract_pose(video, workers=1, max_inference_hz=None)  # every frame
        if npz is not None:
            track.save(npz)
    w, h = truth["image_size"]
    t_true = np.asarray(truth["frames"]["t_s"])
    lm2 = np.asarray(truth["frames"]["landmarks_2d"]) * [w, h]  # (T, 33, 2) px
    lm3 = np.asarray(truth["frames"]["landmarks_3d"])
    cam = truth["camera"]
    rot, pos = np.asarray(cam["rotation_world_to_camera"]), np.asarray(cam["position_m"])
    pelvis = (lm3[:, 23] + lm3[:, 24]) / 2
    depth = ((pelvis - pos) @ rot.T)[:, 2]
    leg_px = cam["focal_px"] * truth["body"]["leg_length_m"] / depth  # (T,)
    # match rows by timestamp (the decoder's times may differ by rounding)
    rows = np.clip(np.searchsorted(t_true, track.t_s - 0.5 / truth["fps"]), 0, len(t_true) - 1)
    stance_per_frame = _stance_per_frame(truth, t_true)[rows]
    found = track.detected
    est = track.xy_px
    seen = np.asarray(truth["frames"]["visible"], bool)[rows]
    out = {"frames": len(track), "detected": int(found.sum()), "stance": defaultdict(list),
           "visible": defaultdict(list), "all": defaultdict(list)}
    for side in ("left", "right"):
        for kind in KINDS:
            i = LEG[side][kind]
            err = np.linalg.norm(est[:, i] - lm2[rows, i], axis=1) / leg_px[rows] * 100
            ok = found & np.isfinite(err)
            out["all"][kind].extend(err[ok].tolist())
            is_stance = (stance_per_frame == side) | (stance_per_frame == "both")
            out["stance"][kind].extend(err[ok & is_stance].tolist())
            out["visible"][kind].extend(err[ok & seen[:, i]].tolist())
    return out


def _stance_per_frame(truth: dict, t: np.ndarray) -> np.ndarray:
    """The leg bearing weight in each frame: a rep's stance during the rep, else the
    next rep's (standing phases before a rep), both for double-leg squats."""
    out = np.full(len(t), "both", dtype=object)
    if truth["exercise"] == "double_leg_squat":
        return out
    reps = truth["reps"]
    for k, ti in enumerate(t):
        nxt = next((r for r in reps if ti <= r["end_s"]), reps[-1])
        out[k] = nxt["stance"]
    # standing on both feet before the free leg first lifts
    first_standing = truth["standing_s"][0]
    out[t <= first_standing[1]] = "both"
    return out


def table(results: dict[str, list[dict]]) -> str:
    lines = []
    head = f"{'view':<8} {'clips':>5} {'frames':>6} {'detected':>8}  {'legs':<7} " + " ".join(
        f"{k:>11}" for k in KINDS)
    lines += [head, " " * 39 + " ".join(f"{'med / p90':>11}" for _ in KINDS), "-" * len(head)]
    for view in sorted(results) + ["ALL"]:
        clips = [c for v in results for c in results[v]] if view == "ALL" else results[view]
        frames = sum(c["frames"] for c in clips)
        det = sum(c["detected"] for c in clips)
        for legs in ("stance", "visible", "all"):
            cells = []
            for kind in KINDS:
                e = np.concatenate([np.asarray(c[legs][kind]) for c in clips])
                cells.append(f"{np.median(e):4.1f} /{np.percentile(e, 90):5.1f}" if len(e)
                             else f"{'-':>11}")
            first = f"{view:<8} {len(clips):>5} {frames:>6} {det / max(frames, 1):>8.1%}" \
                if legs == "stance" else " " * 30
            lines.append(f"{first}  {legs:<7} " + " ".join(f"{c:>11}" for c in cells))
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--reps", type=int, default=2, help="reps per clip (keeps clips short)")
    ap.add_argument("--keep", type=Path, help="folder to keep clips and tracks in")
    ap.add_argument("--reuse", action="store_true", help="reuse clips/tracks already in --keep")
    args = ap.parse_args(argv)
    out = args.keep or Path(tempfile.mkdtemp(prefix="synthset_"))
    t0 = time.monotonic()
    if args.reuse and (out / "index.json").exists():
        videos = [out / n for n in json.loads((out / "index.json").read_text())["clips"]]
    else:
        videos = generate_set(args.clips, out, seed=args.seed, reps=args.reps)
    t_gen = time.monotonic() - t0
    results: dict[str, list[dict]] = defaultdict(list)
    for v in videos:
        view = json.loads(v.with_suffix(".json").read_text())["view"]
        r = clip_errors(v, cache=out if args.keep else None)
        results[view].append(r)
        print(f"  {v.name}: detected {r['detected']}/{r['frames']}", file=sys.stderr)
    print(f"{len(videos)} clips (seed {args.seed}) generated in {t_gen:.0f} s, "
          f"pose in {time.monotonic() - t0 - t_gen:.0f} s; errors in % of leg length\n")
    print(table(results))
    if not args.keep:
        import shutil
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
