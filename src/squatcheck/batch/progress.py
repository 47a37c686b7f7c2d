"""Batch progress on stderr: a bar with clips done and ETA, and one line per finished clip.

On a terminal the bar redraws about once a second; in a log file (overnight
runs) only the per-clip lines appear, each with its count.
"""

from __future__ import annotations

import sys
import time


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class BatchProgress:
    """Counts clips to run (skipped ones are already done) and estimates the time left.

    The ETA is the mean wall time per finished clip (with all workers busy)
    times the clips left; it appears once the first clip has finished.
    """

    def __init__(self, total: int, *, stream=None, enabled: bool = True):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and self.stream.isatty()
        self.t0 = time.monotonic()

    def eta_s(self) -> float | None:
        if self.done == 0:
            return None
        return (time.monotonic() - self.t0) / self.done * (self.total - self.done)

    def clip_done(self, label: str, status: str, detail: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        width = len(str(self.total))
        line = f"[{self.done:>{width}}/{self.total}] {label}: {status}{detail}"
        self.stream.write(("\r\033[K" if self.tty else "") + line + "\n")
        self.tick()

    def tick(self) -> None:
        if not self.tty:
            self.stream.flush()
            return
        frac = self.done / self.total if self.total else 1.0
        eta = self.eta_s()
        eta_text = f"ETA {_duration(eta)}" if eta is not None else "ETA ?"
        elapsed = _duration(time.monotonic() - self.t0)
        bar = "#" * int(frac * 30)
        self.stream.write(f"\r\033[Kbatch [{bar:<30}] {self.done}/{self.total} clips, "
                          f"{elapsed}, {eta_text}")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\r\033[K")
            self.stream.flush()
