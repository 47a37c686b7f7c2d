"""The ``squatcheck`` command: one subcommand per module in ``squatcheck.commands``.

Each command module has ``register(subparsers)`` and a ``run(args) -> int``.
This file only dispatches and turns errors into one plain sentence.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import warnings

from .errors import EXIT_CODES, SquatcheckError

# (name, module under squatcheck.commands): add a line here to add a command.
COMMANDS = [
    ("analyze", "analyze"),
    ("pose", "pose"),
    ("synth", "synth"),
    ("eval", "evaluate"),
    ("live", "live"),
    ("serve", "serve"),
    ("batch", "batch"),
]

EPILOG = "exit codes:\n" + "\n".join(f"  {code:>3}  {text}" for code, text in EXIT_CODES.items())


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser; with ``only``, just that command's (so ``squatcheck pose`` does
    not import the web server, plotting and the rest)."""
    parser = argparse.ArgumentParser(
        prog="squatcheck",
        description="Squat form analysis from ordinary video (single-leg squat first).",
        epilog="example:\n  squatcheck analyze sample_videos/sls_side_knee_heel.mp4 -o out/\n\n"
        + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module in COMMANDS:
        if only is not None and name != only:
            continue
        importlib.import_module(f".commands.{module}", __package__).register(sub)
    return parser


def _stop(_signum, _frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    first = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(first if first in {name for name, _ in COMMANDS} else None)
    args = parser.parse_args(argv)
    if not args.debug:  # numpy's "invalid value" on a degenerate frame: NaN is handled
        warnings.simplefilter("ignore", RuntimeWarning)
    if args.command != "serve":  # (the web server stops on its own terms)
        # `timeout`, systemd and docker stop a job with SIGTERM: clean up as for Ctrl-C
        signal.signal(signal.SIGTERM, _stop)
    try:
        return int(args.run(args) or 0)
    except SquatcheckError as exc:
        print(f"squatcheck: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("squatcheck: interrupted; nothing half-written was kept.", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so plainly, traceback only on request
        if args.debug:
            raise
        print(f"squatcheck: internal error ({type(exc).__name__}: {exc}); please report it "
              "with the input file (run with --debug for details).", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
