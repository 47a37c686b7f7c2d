"""Batch throughput: clips per minute with 1 and 2 local workers on the same clips.

Runs are interleaved (1, 2, 2, 1, 1, 2, ...) so that load from other programs
hits both settings alike; each run starts from an empty output folder (no
resume). Besides wall time it reports, per run:

- ``in flight``: the sum of per-clip wall times over the batch's wall time, i.e. how
  many clips were being worked on at once on average (the executor's side of the
  bargain: close to the worker count when it keeps every worker busy);
- ``CPU/wall``: CPU seconds all workers got per wall second (how many cores the
  machine actually gave us: on a shared box this, not the batch, caps the speed-up);
- the 1-minute load average.

It ends with the measured speed-up; the speed-up the measured per-clip CPU
seconds would give on dedicated cores (longest-first schedule plus the measured
worker start-up); and a control: how many cores 1 and 2 plain busy-loop processes
get right now. On a shared Linux box with per-session fair scheduling (autogroup)
the control shows the cap that any program started from this session meets.

    .venv/bin/python bench/batch_throughput.py                # 4 short clips, 2 rounds
    .venv/bin/python bench/batch_throughput.py --rounds 3 --clips tux_hyva6.mp4 ...
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from squatcheck.batch import run_batch

CLIPS = Path(__file__).resolve().parents[1].parent / "shared" / "clips"
DEFAULT = ("dnly_gf_1.gif", "lnewco_bad_7029.mov", "lnewco_good_7026.mov", "tux_hyva6.mp4")


def one_run(folder: Path, workers: int) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as out:
        t0 = time.perf_counter()
        run = run_batch(folder, out, workers=workers, progress=False)
        wall = time.perf_counter() - t0
        records = [json.loads(p.read_text())
                   for p in (Path(out) / ".squatcheck-batch" / "done").glob("*.json")]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if run.counts["ok"] != len(run.rows):
        raise SystemExit(f"some clips failed: {run.counts}")
    clip_wall = sum(r["seconds"] for r in records)
    clip_cpu = [r["cpu_seconds"] for r in records]
    return {"workers": workers, "wall_s": wall, "clips": len(run.rows),
            "clips_per_min": 60 * len(run.rows) / wall, "worker_cpu_s": cpu, "load1": load,
            "in_flight": clip_wall / wall, "clip_cpu_s": clip_cpu,
            "startup_cpu_s": max(0.0, cpu - sum(clip_cpu)) / workers}


def _spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def control_cores(n: int, seconds: float = 3.0) -> float:
    """Cores that ``n`` busy-loop processes get together right now (CPU s / wall s)."""
    import multiprocessing as mp

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    procs = [mp.get_context("spawn").Process(target=_spin, args=(seconds,)) for _ in range(n)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu / (time.perf_counter() - t0)


def lpt_makespan(costs: list[float], workers: int) -> float:
    """Longest-first greedy schedule of ``costs`` on ``workers`` identical cores."""
    loads = [0.0] * workers
    for c in sorted(costs, reverse=True):
        loads[loads.index(min(loads))] += c
    return max(loads)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", nargs="+", default=list(DEFAULT),
                    help=f"file names in {CLIPS} (default: %(default)s)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args(argv)
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-batch-in-") as tmp:
        folder = Path(tmp)
        for name in args.clips:
            (folder / name).symlink_to(CLIPS / name)
        print(f"{len(args.clips)} clips: {', '.join(args.clips)}; {os.cpu_count()} cores; "
              f"load average at start {os.getloadavg()[0]:.1f}", flush=True)
        for r in range(args.rounds):
            order = args.workers if r % 2 == 0 else list(reversed(args.workers))
            for w in order:
                res = one_run(folder, w)
                runs.append(res)
                print(f"round {r + 1}  workers={w}  wall {res['wall_s']:6.1f} s  "
                      f"{res['clips_per_min']:5.2f} clips/min  in flight "
                      f"{res['in_flight']:.2f}  worker CPU {res['worker_cpu_s']:5.1f} s  "
                      f"CPU/wall {res['worker_cpu_s'] / res['wall_s']:.2f}  "
                      f"load1 {res['load1']:.1f}", flush=True)
    control = {w: [] for w in args.workers}
    for r in range(2):
        for w in (args.workers if r % 2 == 0 else list(reversed(args.workers))):
            control[w].append(control_cores(w))
    print("control, cores given to busy loops now: " + ", ".join(
        f"{w} process(es) {statistics.mean(v):.2f}" for w, v in control.items()))
    med = {w: statistics.median(x["clips_per_min"] for x in runs if x["workers"] == w)
           for w in args.workers}
    print("median clips/min: " + ", ".join(f"{w} workers {v:.2f}" for w, v in med.items()))
    per_clip = [statistics.median(c) for c in zip(*(sorted(x["clip_cpu_s"]) for x in runs),
                                                  strict=True)]
    startup = statistics.median(x["startup_cpu_s"] for x in runs)
    print(f"per-clip CPU s (median over runs): {', '.join(f'{c:.1f}' for c in per_clip)}; "
          f"worker start-up CPU s: {startup:.1f}")
    if 1 in med and len(med) > 1:
        for w in args.workers:
            if w != 1:
                ideal = (startup + sum(per_clip)) / (startup + lpt_makespan(per_clip, w))
                cap = statistics.mean(control[w]) / statistics.mean(control[1])
                print(f"speed-up {w} vs 1 workers: measured {med[w] / med[1]:.2f}x; "
                      f"on {w} dedicated cores (from the CPU seconds) {ideal:.2f}x; "
                      f"busy loops now {cap:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
