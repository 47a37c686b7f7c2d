"""The analysis process: receives jobs on a pipe, runs ``analyze`` and ``write_outputs``.

It runs in its own (spawned) process so a crash or runaway inside the pose
model cannot take the server down, and so a job can be stopped. It imports no
web code. Messages sent back on the pipe::

    ("progress", stage, fraction)       stage is "pose" or "report", fraction in [0, 1]
    ("done", {kind: file name}, summary)
    ("failed", sentence)                a SquatcheckError's message, or a plain "internal error"
"""

from __future__ import annotations

import inspect
import os
import shutil
import sys
import time
import traceback
from pathlib import Path

POSE_SHARE = 0.85  # of the progress bar: pose extraction; the rest is writing the reports
INTERNAL_ERROR = ("Something went wrong inside squatcheck while analysing this video (a bug, "
                  "not your video's fault); the server log has the details.")


def worker_main(conn, workers: int | None) -> None:
    """Serve jobs until the pipe closes or ``None`` arrives."""
    # Own process group: stopping a job ends the shard processes it started too.
    os.setpgrp()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if job is None:
            return
        try:
            conn.send(run_job(*job, workers=workers, send=conn.send))
        except (BrokenPipeError, OSError):
            return


def run_job(video: str, out_dir: str, display_name: str, *, workers: int | None,
            send) -> tuple:
    """Analyse one uploaded video into ``out_dir`` (written whole or not at all)."""
    from .. import analyze
    from ..errors import SquatcheckError
    from ..report import write_outputs

    out = Path(out_dir)
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    progress = _Throttle(send)
    try:
        analysis = analyze(video, workers=workers, progress=lambda f: progress("pose", f))
        # Show the user's file name, not the server's storage path, in the reports
        # (the track keeps the real path: the annotated video is drawn from it).
        analysis.result.source = display_name
        progress("report", 0.0)
        kwargs = {}
        if "progress" in inspect.signature(write_outputs).parameters:
            kwargs["progress"] = lambda f: progress("report", f)
        written = write_outputs(analysis, partial, **kwargs)
        shutil.rmtree(out, ignore_errors=True)
        partial.replace(out)
        outputs = {kind: Path(path).name for kind, path in written.items()}
        return ("done", outputs, _summary(analysis))
    except SquatcheckError as exc:
        return ("failed", exc.message.replace(str(video), display_name))
    except Exception:
        print(f"squatcheck web: analysis of {video} failed:", file=sys.stderr)
        traceback.print_exc()
        return ("failed", INTERNAL_ERROR)
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def _summary(analysis) -> dict:
    """The few facts the history page lists (the full result is in result.json)."""
    result = analysis.result
    summary = result.summary if isinstance(result.summary, dict) else {}
    rating = summary.get("rating") if isinstance(summary.get("rating"), dict) else {}
    findings = summary.get("findings") if isinstance(summary.get("findings"), dict) else {}
    views = " then ".join(view for view, _ in result.views())
    return {"exercise": result.exercise, "view": views, "reps": len(result.reps),
            "overall": rating.get("overall"),
            "present": sorted(k for k, v in findings.items()
                              if isinstance(v, dict) and v.get("present") is True),
            "frames": len(analysis.track),
            "duration_s": round(float(analysis.track.duration_s), 2),
            "usable_fraction": round(float(result.usable_fraction), 3)}


class _Throttle:
    """Send progress at most every 0.25 s or 1 %, whichever is rarer, and on stage change."""

    def __init__(self, send):
        self.send, self.last, self.last_t, self.stage = send, -1.0, 0.0, None

    def __call__(self, stage: str, fraction: float) -> None:
        share = POSE_SHARE if stage == "pose" else 1.0 - POSE_SHARE
        offset = 0.0 if stage == "pose" else POSE_SHARE
        overall = offset + share * min(max(float(fraction), 0.0), 1.0)
        now = time.monotonic()
        if stage == self.stage and (overall - self.last < 0.01 or now - self.last_t < 0.25):
            return
        self.stage, self.last, self.last_t = stage, overall, now
        self.send(("progress", stage, round(overall, 4)))
