"""``squatcheck batch INPUT -o OUT``: every clip of a folder or manifest, one summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..batch import run_batch
from ..errors import BATCH_CLIPS_FAILED


def register(sub) -> None:
    p = sub.add_parser(
        "batch", help="analyse a folder or manifest CSV of clips, with one summary",
        description="Analyse every video in INPUT (a folder, searched recursively, or a "
        "manifest CSV with a 'path' column and any others, e.g. patient, visit_date, side) "
        "into OUT/clips/<id>/, and write OUT/summary.csv and OUT/summary.html. Failed clips "
        "are listed with their reason. Run it again to resume: clips already done (same "
        "bytes, same settings) are skipped.",
        epilog="examples:\n  squatcheck batch visits/ -o overnight/\n"
        "  squatcheck batch manifest.csv -o out/ --workers 2\n"
        "  squatcheck batch manifest.csv -o out/ --executor ray --address ray://head:10001\n\n"
        "exit status:\n  0   every clip succeeded\n"
        f"  {BATCH_CLIPS_FAILED}  the batch ran to the end but some clips failed or hit an "
        "internal error;\n      every output and the summary are still written (the "
        "summary says why)\n"
        "  other codes (see 'squatcheck --help'): the batch could not run at all",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", type=Path, metavar="INPUT", help="folder of videos or manifest CSV")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT",
                   help="output folder (created; reused to resume)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="clips analysed at once (default: one per core locally, the "
                   "cluster's CPUs on Ray)")
    p.add_argument("--executor", choices=("local", "ray"), default="local",
                   help="local processes (default) or a Ray cluster")
    p.add_argument("--address", default=None, metavar="ADDR",
                   help="Ray cluster address (e.g. ray://head:10001 or 'auto'); default: "
                   "start a local Ray")
    p.add_argument("--profile", type=Path, default=None, metavar="TOML",
                   help="thresholds profile for every clip (default: the built-in one)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(run=run)


def run(args) -> int:
    usage = ("--workers must be at least 1" if args.workers is not None and args.workers < 1
             else "--address needs --executor ray" if args.address and args.executor != "ray"
             else None)
    if usage:
        print(f"squatcheck batch: {usage}", file=sys.stderr)
        return 2
    result = run_batch(args.input, args.output, workers=args.workers, executor=args.executor,
                       address=args.address, profile=args.profile, progress=not args.quiet)
    c = result.counts
    print(f"{len(result.rows)} clips: {c['ok']} ok, {c['failed']} failed, "
          f"{c['internal_error']} internal errors ({result.ran} analysed now, "
          f"{result.skipped} done before, {result.seconds:.0f} s)")
    print(f"summary: {result.summary_html}  {result.summary_csv}")
    if c["failed"] or c["internal_error"]:  # a script must see it without parsing the summary
        print(f"squatcheck batch: {c['failed'] + c['internal_error']} of {len(result.rows)} "
              f"clips failed; the summary says why (exit {BATCH_CLIPS_FAILED}).",
              file=sys.stderr)
        return BATCH_CLIPS_FAILED
    return 0
