"""``squatcheck eval``: agreement of the engine with labels (real clips and synthetic truth)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..analysis.profile import as_profile

EPILOG = """examples:
  squatcheck eval                                  # ../shared/clips, tracks cached in /tmp/tracks
  squatcheck eval --clips ../shared/clips --tracks /tmp/tracks --only tux_hyva7
  squatcheck eval --synthetic /tmp/synthset        # clips made by 'squatcheck synth --set N'
  squatcheck eval --synthetic /tmp/synthset --no-clips --json scores.json
  squatcheck eval --synthetic /tmp/sets/* --no-clips   # several sets, pooled
  squatcheck eval --synthetic /tmp/synthset --no-clips --reps-csv reps.csv  # rep by rep
  squatcheck eval --pelvis /tmp/pelvis_bench --no-clips   # pelvic drop/tilt benchmark

Pose tracks are extracted once per clip (slow: about 30-80 frames/s) and cached:
real clips in --tracks, synthetic clips beside their video.
"""


def register(sub) -> None:
    p = sub.add_parser("eval", help="compare the engine with labelled clips and synthetic truth",
                       description="Print, per item (view, facing, exercise, rep count, stance "
                       "leg, each finding), how often the engine agrees with the labels, and "
                       "list the misses.", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clips", type=Path, default=None, metavar="DIR|clips.json",
                   help="labelled real clips (default: shared/clips beside the repository)")
    p.add_argument("--no-clips", action="store_true", help="skip the real clips")
    p.add_argument("--tracks", type=Path, default=Path("/tmp/tracks"), metavar="DIR",
                   help="cache of the real clips' pose tracks (default /tmp/tracks)")
    p.add_argument("--only", action="append", default=None, metavar="CLIP",
                   help="only this clip (file name or stem); repeatable")
    p.add_argument("--synthetic", type=Path, nargs="+", default=None, metavar="DIR",
                   help="folder(s) of synthetic clips with truth JSON ('squatcheck synth'); "
                   "several are scored as one pool")
    p.add_argument("--oracle", action="store_true",
                   help="synthetic findings: use the truth's view and reps (judge the clinical "
                   "stage alone) instead of the whole engine")
    p.add_argument("--pelvis", type=Path, default=None, metavar="DIR",
                   help="pelvis benchmark: render its clips into DIR where missing, then "
                   "score pelvic drop and tilt against the truth (docs/pelvis.md)")
    p.add_argument("--profile", type=Path, default=None, metavar="TOML",
                   help="thresholds profile (default: the built-in one)")
    p.add_argument("--json", type=Path, default=None, metavar="PATH",
                   help="also write all scores as JSON")
    p.add_argument("--reps-csv", type=Path, default=None, metavar="PATH",
                   help="synthetic sets: also write one row per rep (truth, ours, error for "
                   "every finding and measurement) as CSV, for a spreadsheet")
    p.set_defaults(run=run)


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def run(args) -> int:
    from ..evaluation.clips import default_clips_dir, run_clips, score_clips

    profile = as_profile(args.profile)
    scores: dict = {}
    blocks = []
    if not args.no_clips:
        source = args.clips or default_clips_dir()
        runs = run_clips(source, tracks_dir=args.tracks, profile=profile, only=args.only,
                         progress=_say)
        tally = score_clips(runs)
        scores["clips"] = tally.to_dict()
        blocks.append(tally.format(f"Real clips ({source}): {len(runs)} clips"))
    if args.synthetic:
        from ..evaluation.synthetic import score_synthetic
        from ..evaluation.synthetic_findings import (
            evaluate_dirs,
            format_report,
            score,
            write_reps_csv,
        )

        tally = score_synthetic(args.synthetic, profile=profile, progress=_say)
        scores["synthetic"] = tally.to_dict()
        where = ", ".join(str(d) for d in args.synthetic)
        blocks.append(tally.format(f"Synthetic clips ({where}): clip level"))
        outcomes = evaluate_dirs(args.synthetic, profile,
                                 mode="oracle" if args.oracle else "engine")
        findings = score(outcomes)
        if args.reps_csv:
            write_reps_csv(outcomes, args.reps_csv)
        scores["synthetic_findings"] = findings
        blocks.append(format_report(findings))
    if args.pelvis:
        from ..evaluation.pelvis_eval import run_pelvis_benchmark

        scores["pelvis"], text = run_pelvis_benchmark(args.pelvis, profile, progress=_say)
        blocks.append(text)
    print("\n\n".join(blocks))
    if args.json:
        tmp = args.json.with_name(args.json.name + ".partial")
        tmp.write_text(json.dumps(scores, indent=1, default=str))
        tmp.replace(args.json)
    return 0
