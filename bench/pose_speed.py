"""How fast is pose extraction, and what does it cost in memory and agreement?

Prints frames/s for: decode alone, bare inference (no decode), end-to-end
``squatcheck pose`` as a whole process (default 15 Hz inference with 2 and 1 processes,
and every frame with 2),
and the legacy ``mp.solutions.pose`` loop (model_complexity=1) in its own
environment; on a real clip and on a 1080p upscale of it. End-to-end runs are
interleaved (A, B, C, A, B, C, ...) and medians reported, because other work on
the machine makes single runs noisy. Then: landmark agreement of the sharded
run with the one-process run, and peak memory on a short vs a 3x longer input.

    .venv/bin/python bench/pose_speed.py [--clip PATH] [--rounds 3] [--quick]

The legacy environment is made on first use (pip: mediapipe==0.10.21, numpy<2)
at $LEGACY_VENV (default /tmp/legacy-venv). Scratch files go to a temp folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CLIPS = ROOT.parent / "shared" / "clips"
PY = Path(sys.executable)
SQUATCHECK = PY.with_name("squatcheck")
LEGACY = Path(os.environ.get("LEGACY_VENV", "/tmp/legacy-venv"))
KEY = [11, 12, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32]  # shoulders, hips, legs, feet


def legacy_python() -> Path:
    py = LEGACY / "bin" / "python"
    if not py.exists():
        print(f"making the legacy environment in {LEGACY} (pip, once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(LEGACY)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "mediapipe==0.10.21", "numpy<2"],
                       check=True)
    return py


# -- inputs -------------------------------------------------------------------------------

def upscale_1080p(src: Path, dst: Path, max_frames: int) -> Path:
    """Re-encode ``src`` (H.264, libx264) with its long side at 1920 px."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vin = inp.streams.video[0]
        w, h = vin.codec_context.width, vin.codec_context.height
        scale = 1920 / max(w, h)
        size = (round(w * scale / 2) * 2, round(h * scale / 2) * 2)
        rate = vin.average_rate or Fraction(30)
        vout = out.add_stream("libx264", rate=rate, options={"preset": "veryfast", "crf": "20"})
        vout.codec_context.time_base = 1 / Fraction(rate)
        vout.width, vout.height, vout.pix_fmt = size[0], size[1], "yuv420p"
        for n, frame in enumerate(inp.decode(vin)):
            if n >= max_frames:
                break
            img = frame.reformat(width=size[0], height=size[1], format="yuv420p")
            img.pts, img.time_base = n, 1 / Fraction(rate)
            for packet in vout.encode(img):
                out.mux(packet)
        for packet in vout.encode(None):
            out.mux(packet)
    return dst


def concatenate(src: Path, dst: Path, times: int) -> Path:
    """``src`` played ``times`` times in a row, by copying packets (no re-encoding)."""
    with av.open(str(src)) as probe:
        vin = probe.streams.video[0]
        span = max((p.pts or 0) + (p.duration or 0) for p in probe.demux(vin) if p.pts is not None)
    with av.open(str(dst), "w") as out:
        vout = None
        for k in range(times):
            with av.open(str(src)) as inp:
                vin = inp.streams.video[0]
                if vout is None:
                    vout = out.add_stream_from_template(vin)
                for packet in inp.demux(vin):
                    if packet.dts is None:
                        continue
                    packet.pts += k * span
                    packet.dts += k * span
                    packet.stream = vout
                    out.mux(packet)
    return dst


# -- measurements ------------------------------------------------------------------------

def decode_fps(path: Path, max_side_px: int | None) -> float:
    from squatcheck.video import VideoReader

    t0 = time.perf_counter()
    with VideoReader(path, max_side_px=max_side_px, colour="rgb") as reader:
        n = sum(1 for _ in reader)
    return n / (time.perf_counter() - t0)


def bare_inference_fps(path: Path, frames: int = 150) -> tuple[float, float]:
    """MediaPipe alone on frames decoded beforehand: (frames/s wall, frames/s of CPU)."""
    from squatcheck.pose.estimator import PoseEstimator
    from squatcheck.video import VideoReader

    with VideoReader(path, max_side_px=960, colour="rgb") as reader:
        images = [(f.image, f.t_s) for _, f in zip(range(frames), reader, strict=False)]
    with PoseEstimator(num_poses=1) as est:
        est.detect(images[0][0], -1.0, rgb=True)  # graph start-up is not inference
        w0, c0 = time.perf_counter(), time.process_time()
        for image, t in images:
            est.detect(image, t, rgb=True)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return len(images) / wall, len(images) / cpu


class TreeMemory:
    """Peak of the summed RSS of a process and all its descendants, polled every 50 ms."""

    def __init__(self, pid: int):
        self.pid, self.peak_kb, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        pids, i = [self.pid], 0
        while i < len(pids):
            try:  # a process may end while we look
                for task in Path(f"/proc/{pids[i]}/task").iterdir():
                    pids += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
            i += 1
        return pids

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in self._tree():
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
                except OSError:
                    pass
            self.peak_kb = max(self.peak_kb, total)
            self._stop.wait(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak_kb


def run_process(cmd: list[str]) -> dict:
    """Wall time, CPU time and memory of one whole process (and its children)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    mem = TreeMemory(proc.pid)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    tree_kb = mem.stop()
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "max_rss_mb": usage.ru_maxrss / 1024, "tree_peak_mb": tree_kb / 1024, "out": out}


def pose_cmd(video: Path, out: Path, workers: int, max_hz: float = 15.0) -> list[str]:
    return [str(SQUATCHECK), "pose", str(video), "-o", str(out), "--workers", str(workers),
            "--max-hz", str(max_hz)]


def frames_of(path: Path) -> int:
    from squatcheck.video import count_frames

    return count_frames(path)[0]


def compare_tracks(a_path: Path, b_path: Path) -> str:
    from squatcheck.pose.track import PoseTrack

    a, b = PoseTrack.load(a_path), PoseTrack.load(b_path)
    assert np.array_equal(a.frame_index, b.frame_index)
    d = np.linalg.norm(a.xy_px[:, KEY] - b.xy_px[:, KEY], axis=-1)
    y = a.xy_px[a.detected, :, 1]
    body = np.median(y.max(axis=1) - y.min(axis=1))
    differ = np.nan_to_num(d, nan=0.0).max(axis=1) > 0.5
    return (f"key landmarks (shoulders..feet), px: median {np.nanmedian(d):.2f}, "
            f"p95 {np.nanpercentile(d, 95):.2f}, max {np.nanmax(d):.1f} "
            f"(body ≈ {body:.0f} px tall: p95 = {np.nanpercentile(d, 95) / body:.2%}); "
            f"knee angle, deg: p95 {np.nanpercentile(_knee_diff(a, b), 95):.2f}, "
            f"max {np.nanmax(_knee_diff(a, b)):.2f}; "
            f"frames differing by > 0.5 px: {differ.sum()} of {len(a)}, "
            f"from t = {a.t_s[differ][0] if differ.any() else float('nan'):.2f} s")


def _knee_diff(a, b) -> np.ndarray:
    def angle(t, hip, knee, ankle):
        p = t.xy_px
        u, v = p[:, hip] - p[:, knee], p[:, ankle] - p[:, knee]
        cos = (u * v).sum(-1) / np.linalg.norm(u, axis=-1) / np.linalg.norm(v, axis=-1)
        return np.degrees(np.arccos(np.clip(cos, -1, 1)))

    return np.concatenate([np.abs(angle(a, 23, 25, 27) - angle(b, 23, 25, 27)),
                           np.abs(angle(a, 24, 26, 28) - angle(b, 24, 26, 28))])


def interleaved(configs: dict[str, list[str]], rounds: int, frames: int) -> dict[str, list]:
    runs: dict[str, list] = {name: [] for name in configs}
    for r in range(rounds):
        for name, cmd in configs.items():
            res = run_process(cmd)
            runs[name].append(res)
            print(f"  round {r + 1} {name:<22} {res['wall_s']:6.2f} s wall "
                  f"{frames / res['wall_s']:6.1f} frames/s  cpu {res['cpu_s']:6.2f} s  "
                  f"peak tree RSS {res['tree_peak_mb']:5.0f} MB", flush=True)
    return runs


def summary(runs: dict[str, list], frames: int, baseline: str) -> None:
    base = statistics.median(frames / r["wall_s"] for r in runs[baseline])
    for name, rs in runs.items():
        fps = statistics.median(frames / r["wall_s"] for r in rs)
        print(f"  {name:<22} median {fps:6.1f} frames/s  = {fps / base:4.2f}x {baseline}  "
              f"(cpu {statistics.median(r['cpu_s'] for r in rs):5.1f} s, "
              f"peak tree RSS {max(r['tree_peak_mb'] for r in rs):4.0f} MB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clip", type=Path, default=CLIPS / "rohan_squat.mp4")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="skip the 1080p and memory parts")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = ap.parse_args()
    legacy = legacy_python()
    tmp = Path(tempfile.mkdtemp(prefix="pose_speed_"))
    try:
        run(args, legacy, tmp)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


def run(args, legacy: Path, tmp: Path) -> None:
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} at start "
          "(other work shares the CPU: read the medians)")
    inputs = [("real", args.clip)]
    if not args.quick:
        inputs.append(("1080p", upscale_1080p(args.clip, tmp / "clip_1080p.mp4", 300)))
    for label, clip in inputs:
        frames = frames_of(clip)
        print(f"\n== {label}: {clip.name}, {frames} frames")
        print(f"  decode alone (PyAV, to RGB, <= 960 px): {decode_fps(clip, 960):7.1f} frames/s;"
              f" full size: {decode_fps(clip, None):7.1f} frames/s")
        wall_fps, cpu_fps = bare_inference_fps(clip)
        print(f"  bare inference (Tasks API, VIDEO mode, no decode): {wall_fps:6.1f} frames/s "
              f"wall, {cpu_fps:6.1f} per CPU-second")
        configs = {
            "legacy mp.solutions": [str(legacy), str(ROOT / "bench/legacy_pose_loop.py"),
                                    str(clip)],
            "squatcheck 2 proc": pose_cmd(clip, tmp / "w2.npz", 2),
            "squatcheck 1 proc": pose_cmd(clip, tmp / "w1.npz", 1),
            "squatcheck 2 proc all fr": pose_cmd(clip, tmp / "w2_all.npz", 2, 0.0),
        }
        runs = interleaved(configs, args.rounds, frames)
        print("  end-to-end, whole process (medians):")
        summary(runs, frames, "legacy mp.solutions")
        print("  agreement, 2 processes vs 1 (both 15 Hz): "
              + compare_tracks(tmp / "w1.npz", tmp / "w2.npz"))
        print("  agreement, 15 Hz vs every frame (both 2 processes): "
              + compare_tracks(tmp / "w2_all.npz", tmp / "w2.npz"))
    if not args.quick:
        long_clip = concatenate(args.clip, tmp / "clip_x3.mp4", 3)
        print(f"\n== memory: {args.clip.name} ({frames_of(args.clip)} frames) vs 3x "
              f"({frames_of(long_clip)} frames), 2 workers")
        for label, clip in (("short", args.clip), ("long", long_clip)):
            res = run_process(pose_cmd(clip, tmp / f"mem_{label}.npz", 2))
            print(f"  {label:<5} peak tree RSS {res['tree_peak_mb']:5.0f} MB, largest process "
                  f"{res['max_rss_mb']:5.0f} MB, {res['wall_s']:.1f} s")
    print(f"\nload average at end {os.getloadavg()[0]:.1f}")
    print(json.dumps({"clip": str(args.clip), "rounds": args.rounds}))


if __name__ == "__main__":
    main()
