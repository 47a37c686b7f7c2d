"""Live mode at 640x480: frames/s, glass-to-overlay and glass-to-cue latency.

A clip is letterboxed to 640x480 (Motion-JPEG, like most webcams) and played in
real time as a camera would deliver it (frames dropped when the loop is busy),
through the real live loop with its window (on a private Xvfb when there is no
DISPLAY), recording included, the closing report excluded. Per round it prints:

- frames/s actually analysed and shown;
- latency, frame reaching the program → its picture with overlay handed to the
  window and painted (median, 90th percentile);
- cue latency, capture of the frame whose analysis closed a rep → the verdict and
  cues on screen; and, in video time, the rep's end → its verdict on screen (this
  includes the engine's own wait for the person to be back up);
- CPU seconds used and the machine's load average (the CPU is shared: a load
  above 2 on this 2-core machine means other work competed for it);
- beside each round, the bare pose model's rate on the same frames at that moment
  (``PoseEstimator.detect`` in a tight loop, nothing else): what the machine allowed.

Targets (issue 6): >= 20 frames/s and <= 80 ms median latency.

With image evidence on (the default: segmentation masks in the pose model, waist and
soles measured after each picture is shown), ``evidence_ms_median`` is that measuring;
``--no-evidence`` runs the loop as ``squatcheck live --no-evidence``.

    .venv/bin/python bench/live_latency.py [--clip PATH] [--rounds 2] [--no-window]
                                           [--no-evidence]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = ROOT / "sample_videos" / "sls_side_knee_heel.mp4"
SIZE = (640, 480)


def letterbox_640x480(src: Path, dst: Path) -> tuple[int, float]:
    """Write ``src`` scaled into 640x480 with black bars; returns (frames, fps)."""
    from squatcheck.video import VideoReader

    with VideoReader(src) as reader:
        fps = reader.info.fps_nominal or 30.0
        writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"MJPG"), fps, SIZE)
        n = 0
        for frame in reader:
            h, w = frame.image.shape[:2]
            scale = min(SIZE[0] / w, SIZE[1] / h)
            small = cv2.resize(frame.image, (round(w * scale), round(h * scale)),
                               interpolation=cv2.INTER_AREA)
            canvas = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
            y0, x0 = (SIZE[1] - small.shape[0]) // 2, (SIZE[0] - small.shape[1]) // 2
            canvas[y0:y0 + small.shape[0], x0:x0 + small.shape[1]] = small
            writer.write(canvas)
            n += 1
        writer.release()
    return n, fps


def start_xvfb() -> tuple[subprocess.Popen, str]:
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24",
                             "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as fh:
        return proc, ":" + fh.readline().strip()


def bare_pose_fps(clip: Path, frames: int = 90) -> float:
    """Frames/s of the pose model alone on the first ``frames`` frames of ``clip``."""
    from squatcheck.pose.estimator import PoseEstimator
    from squatcheck.video import VideoReader

    with VideoReader(clip) as reader:
        images = [(f.image, f.t_s) for _, f in zip(range(frames), reader, strict=False)]
    with PoseEstimator(num_poses=1) as estimator:
        for image, t_s in images[:5]:  # warm-up
            estimator.detect(image, t_s)
        start = time.perf_counter()
        for image, t_s in images[5:]:
            estimator.detect(image, t_s + 100.0)
        return (len(images) - 5) / (time.perf_counter() - start)


def one_round(clip: Path, out: Path, window: bool, evidence: bool = True) -> dict:
    from squatcheck.live.loop import LiveOptions, run_live

    load_before = os.getloadavg()[0]
    cpu0 = os.times()
    outcome = run_live(LiveOptions(out_dir=out, source=clip, window=window, write_report=False,
                                   evidence=evidence), log=lambda text: None)
    cpu1 = os.times()
    s = outcome.summary
    events = [json.loads(line) for line in (out / "live_events.jsonl").read_text().splitlines()]
    rep_to_screen = [e["t_s"] - e["rep_end_s"] for e in events
                     if e["kind"] == "verdict" and not e.get("after_stop")]
    return {
        "frames_per_s": s.fps_processed,
        "frames": f"{s.frames_processed}/{s.frames_grabbed}",
        "latency_ms_median": s.latency_ms_median,
        "latency_ms_p90": s.latency_ms_p90,
        "pose_ms_median": s.pose_ms_median,
        "evidence_ms_median": s.evidence_ms_median,
        "cue_latency_ms_median": s.cue_latency_ms_median,
        "rep_end_to_verdict_s_median": (round(float(np.median(rep_to_screen)), 2)
                                        if rep_to_screen else None),
        "live_reps": outcome.live_rep_count,
        "cpu_s": round(cpu1.user + cpu1.system - cpu0.user - cpu0.system, 1),
        "wall_s": s.duration_s,
        "load_avg_1min": f"{load_before:.1f} -> {os.getloadavg()[0]:.1f}",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-window", action="store_true")
    parser.add_argument("--no-evidence", action="store_true",
                        help="no segmentation masks or image evidence (squatcheck live "
                        "--no-evidence)")
    args = parser.parse_args()

    xvfb = None
    window = not args.no_window
    if window and not os.environ.get("DISPLAY"):
        if not shutil.which("Xvfb"):
            print("no DISPLAY and no Xvfb: run with --no-window or install xvfb", file=sys.stderr)
            return 2
        xvfb, display = start_xvfb()
        os.environ["DISPLAY"] = display
    try:
        with tempfile.TemporaryDirectory(prefix="live-bench-") as tmp:
            clip = Path(tmp) / "clip_640x480.avi"
            frames, fps = letterbox_640x480(args.clip, clip)
            print(f"clip: {args.clip.name} letterboxed to 640x480, {frames} frames at "
                  f"{fps:g} fps; window: {'yes' if window else 'no'}; image evidence: "
                  f"{'no' if args.no_evidence else 'yes'}; cores: {os.cpu_count()}")
            rows = []
            for i in range(args.rounds):
                bare = bare_pose_fps(clip)
                row = one_round(clip, Path(tmp) / f"round{i}", window, not args.no_evidence)
                row["bare_pose_frames_per_s"] = round(bare, 1)
                rows.append(row)
                print(f"round {i + 1}: " + json.dumps(row), flush=True)
                time.sleep(1.0)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(timeout=10)
    fps_med = float(np.median([r["frames_per_s"] for r in rows]))
    lat_med = float(np.median([r["latency_ms_median"] for r in rows]))
    cue = [r["cue_latency_ms_median"] for r in rows if r["cue_latency_ms_median"] is not None]
    print(f"median over rounds: {fps_med:.1f} frames/s (target >= 20), median latency "
          f"{lat_med:.0f} ms (target <= 80), cue latency "
          f"{np.median(cue):.0f} ms" if cue else "no cue shown")
    return 0


if __name__ == "__main__":
    sys.exit(main())
