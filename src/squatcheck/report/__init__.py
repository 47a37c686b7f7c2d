"""Reports people read: annotated video, HTML with plots, JSON and CSV.

``write_outputs(analysis, out_dir)`` is what every edge calls (CLI, web app,
batch, live); it reads an ``Analysis`` and never recomputes it. Modules:
``overlay`` (annotators) + ``timeline`` (what to draw per frame), ``video``
(annotated WebM and rep stills), ``plots``, ``html`` + ``html_parts`` +
``wording`` (the page), ``json_io`` + ``schema.json``, ``csv_io``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import OutputNotWritable
from ..files import folder_not_writable, writing_failed
from .csv_io import write_csv
from .html import write_html
from .json_io import write_json
from .plots import empty_panels, make_plots, plotted_legs
from .video import render

OUTPUT_NAMES = {"html": "report.html", "video": "annotated.webm", "json": "result.json",
                "csv": "reps.csv", "track": "track.npz"}

STAGE_PREFIX = ".squatcheck-partial-"
STALE_S = 6 * 3600.0  # a stage folder this old belongs to no running write

__all__ = ["OUTPUT_NAMES", "write_outputs"]


def write_outputs(analysis, out_dir: str | Path, *, video: bool = True,
                  progress: Callable[[float], None] | None = None) -> dict[str, Path]:
    """Write every report for one analysis into ``out_dir``; return {kind: path}.

    Kinds and names: ``html`` report.html, ``video`` annotated.webm (only when
    ``video`` is true and the source video can be read), ``json`` result.json,
    ``csv`` reps.csv, ``track`` track.npz (the pose track, to re-run the analysis
    with ``squatcheck analyze track.npz``). Everything is written under a hidden
    temporary folder inside ``out_dir`` and renamed into place at the end, so an
    error leaves no half-written file (earlier outputs of the same names stay).
    ``progress`` receives fractions 0..1 (the video takes most of the time).
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_stages(out_dir)
        stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=out_dir))
    except OSError as exc:
        raise folder_not_writable(out_dir, exc) from None
    report = progress or (lambda _f: None)
    try:
        staged: dict[str, Path] = {}
        rendered = render(analysis, stage / OUTPUT_NAMES["video"] if video else None,
                          progress=lambda f: report(0.85 * f))
        if rendered.video is not None:
            staged["video"] = rendered.video
        result = analysis.result
        staged["html"] = write_html(
            analysis, stage / OUTPUT_NAMES["html"], plots=make_plots(result),
            empty_plots=empty_panels(result.series, plotted_legs(result)), rendered=rendered,
            video_name=OUTPUT_NAMES["video"] if "video" in staged else None)
        staged["json"] = write_json(result, stage / OUTPUT_NAMES["json"])
        staged["csv"] = write_csv(result, stage / OUTPUT_NAMES["csv"])
        staged["track"] = analysis.track.save(stage / OUTPUT_NAMES["track"])
        final = {}
        for kind in ("video", "track", "json", "csv", "html"):  # the report last: it links them
            if kind in staged:
                final[kind] = out_dir / OUTPUT_NAMES[kind]
                os.replace(staged[kind], final[kind])
        report(1.0)
        return final
    except OutputNotWritable as exc:  # a report's own write: name the folder, not the stage
        cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else OSError(exc.message)
        raise folder_not_writable(out_dir, cause) from None
    except OSError as exc:
        if writing_failed(exc, out_dir):
            raise folder_not_writable(out_dir, exc) from None
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _remove_stale_stages(out_dir: Path) -> None:
    """Temporary folders left by a killed run (kill -9, power loss) older than STALE_S."""
    now = time.time()
    for stage in out_dir.glob(f"{STAGE_PREFIX}*"):
        try:
            if stage.is_dir() and now - stage.stat().st_mtime > STALE_S:
                shutil.rmtree(stage, ignore_errors=True)
        except OSError:
            continue
