"""Pelvis benchmark (issue 9): render the set (cached), score pelvic drop and tilt.

Prints measured vs true drop and tilt (slope, bias, error spread, |error| P90), detection
and false-raise rates, how much valgus, trunk lean and hip adduction leak into the
reading, with the hip-landmark line as the baseline method; same as
``squatcheck eval --pelvis DIR --no-clips``.

    .venv/bin/python bench/pelvis_benchmark.py --dir /tmp/pelvis_bench [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from squatcheck.evaluation.pelvis_eval import run_pelvis_benchmark


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/pelvis_bench"))
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    t0 = time.monotonic()
    scores, text = run_pelvis_benchmark(args.dir, processes=args.processes,
                                        progress=lambda s: print(s, file=sys.stderr))
    print(text)
    print(f"\n({time.monotonic() - t0:.0f} s, clips and tracks cached in {args.dir})")
    if args.json:
        args.json.write_text(json.dumps(scores, indent=1, default=str))


if __name__ == "__main__":
    main()
