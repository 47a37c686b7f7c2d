"""Argument helpers and progress display shared by the commands."""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from ..errors import OutputNotWritable


def _number(kind, accept, rule: str):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not (math.isfinite(value) and accept(value)):
            raise argparse.ArgumentTypeError(rule)
        return value
    return parse


def positive(kind):
    """An argparse type: a finite number of ``kind`` greater than 0."""
    return _number(kind, lambda v: v > 0, "must be greater than 0")


def not_negative(kind):
    """An argparse type: a finite number of ``kind``, 0 or more."""
    return _number(kind, lambda v: v >= 0, "must be 0 or more")


def refuse_overwriting_input(output: Path | None, source: Path) -> None:
    """An output path that is the input file itself would destroy the video."""
    if output is not None and source.is_file() and output.exists() and output.samefile(source):
        raise OutputNotWritable(f"{output} is the input itself and would be overwritten; "
                                "choose another output path.")


def add_model_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="PATH",
                        help="an official pose_landmarker_{lite,full,heavy}.task to use "
                        "instead of the bundled model")
    parser.add_argument("--workers", type=positive(int), default=None, metavar="N",
                        help="processes for one clip (default: one per idle core)")


class ProgressBar:
    """A one-line progress bar on stderr, with ETA; silent when stderr is not a terminal
    unless ``force`` is set (then it prints a line per 10 %)."""

    def __init__(self, label: str, *, stream=None, force: bool = False):
        self.label, self.stream = label, stream or sys.stderr
        self.tty = self.stream.isatty()
        self.enabled = self.tty or force
        self.t0 = time.monotonic()
        self.last_decile = -1

    def __call__(self, fraction: float) -> None:
        if not self.enabled:
            return
        fraction = min(max(fraction, 0.0), 1.0)
        elapsed = time.monotonic() - self.t0
        eta = elapsed * (1 - fraction) / fraction if fraction > 0.02 else float("nan")
        eta_text = f"ETA {eta:4.0f} s" if eta == eta else "ETA    ? s"
        if self.tty:
            bar = "#" * int(fraction * 30)
            self.stream.write(f"\r{self.label} [{bar:<30}] {fraction:4.0%} {eta_text}")
            if fraction >= 1.0:
                self.stream.write("\n")
            self.stream.flush()
        elif int(fraction * 10) > self.last_decile:
            self.last_decile = int(fraction * 10)
            self.stream.write(f"{self.label}: {fraction:.0%} ({elapsed:.0f} s)\n")
