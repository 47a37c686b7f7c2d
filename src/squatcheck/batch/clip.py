"""The work of one clip, as run inside a worker process (local pool or Ray).

Thin on purpose: ``squatcheck.analyze`` (one process per clip, which runs the clip's
chunks in turn: the same track as the CLI's) then ``squatcheck.report.write_outputs``. Every
exception is turned into an outcome here, so one bad clip never stops a batch.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import SquatcheckError
from .state import file_sha256

RATING_ORDER = ("good", "fair", "poor")  # worst wins across reps


@dataclass(frozen=True)
class ClipTask:
    """What a worker needs. ``work_dir`` is where to write outputs when the worker
    shares the output disk (local pool); None means "return the files" (Ray)."""

    clip_id: str
    path: str
    sha256: str
    profile: object | None = None  # a loaded Profile (it pickles): nodes need no file
    work_dir: str | None = None


@dataclass
class ClipOutcome:
    """``status``: "ok", "failed" (a user error: ``reason`` says what to do) or
    "internal_error" (a bug or crash: ``reason`` is one line)."""

    clip_id: str
    sha256: str
    status: str
    reason: str = ""
    fields: dict = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # kind -> name in the clip folder
    files: dict[str, bytes] | None = None  # name -> bytes, when the driver must write them
    seconds: float = 0.0  # wall time in the worker
    cpu_seconds: float = 0.0  # CPU time of the worker process (all its threads)


def run_clip(task: ClipTask, data: bytes | None = None) -> ClipOutcome:
    """Analyse one clip and write its reports; never raises.

    ``data``, the clip's bytes, is given when ``task.path`` is not readable here
    with the right content, e.g. on a Ray node without the clinic's disk.
    """
    t0, cpu0 = time.monotonic(), time.process_time()
    local_copy = None
    try:
        source = Path(task.path)
        if data is not None:
            local_copy = Path(tempfile.mkdtemp(prefix="squatcheck-batch-in-"))
            source = local_copy / Path(task.path).name
            source.write_bytes(data)
        outcome = _analyse(task, source)
    except SquatcheckError as exc:
        outcome = ClipOutcome(task.clip_id, task.sha256, "failed", exc.message)
    except Exception as exc:  # noqa: BLE001 - any other failure is listed, the batch goes on
        outcome = internal_error(task, exc)
    finally:
        if local_copy is not None:
            shutil.rmtree(local_copy, ignore_errors=True)
    if local_copy is not None:  # say the user's path, not our temporary copy
        outcome.reason = outcome.reason.replace(str(local_copy / Path(task.path).name),
                                                task.path)
    outcome.seconds = round(time.monotonic() - t0, 3)
    outcome.cpu_seconds = round(time.process_time() - cpu0, 3)
    return outcome


def _analyse(task: ClipTask, source: Path) -> ClipOutcome:
    from .. import analyze
    from ..report import write_outputs

    analysis = analyze(source, workers=1, profile=task.profile)
    if str(source) != task.path:  # a shipped copy: name the user's file, not our temp one
        analysis.result.source = task.path
        if getattr(analysis.track, "meta", None) is not None:
            analysis.track.meta = replace(analysis.track.meta, source=task.path)
    fields = clip_fields(analysis.result)
    if task.work_dir is not None:
        out = Path(task.work_dir)
        written = write_outputs(analysis, out)
        return ClipOutcome(task.clip_id, task.sha256, "ok", fields=fields,
                           outputs=_relative(written, out))
    with tempfile.TemporaryDirectory(prefix="squatcheck-batch-out-") as tmp:
        out = Path(tmp)
        written = write_outputs(analysis, out)
        files = {p.relative_to(out).as_posix(): p.read_bytes()
                 for p in sorted(out.rglob("*")) if p.is_file()}
        return ClipOutcome(task.clip_id, task.sha256, "ok", fields=fields,
                           outputs=_relative(written, out), files=files)


def same_content(path: Path, sha256: str) -> bool:
    try:
        return path.is_file() and file_sha256(path) == sha256
    except OSError:
        return False


def _relative(written: dict, out: Path) -> dict[str, str]:
    rel = {}
    for kind, path in written.items():
        path = Path(path)
        rel[str(kind)] = (path.relative_to(out).as_posix() if path.is_relative_to(out)
                          else path.name)
    return rel


def internal_error(task: ClipTask, exc: BaseException) -> ClipOutcome:
    text = " ".join(str(exc).split())[:200]
    reason = f"internal error ({type(exc).__name__}{': ' + text if text else ''})"
    return ClipOutcome(task.clip_id, task.sha256, "internal_error", reason)


def clip_fields(result) -> dict:
    """The summary columns of one ``AnalysisResult``: plain strings and ints, stable order.

    - ``stance``: the stance legs of the reps, in the order first used ("left, right").
    - ``findings``: each finding present in at least one rep, in the result's order,
      with how many of the reps that could assess it showed it ("knee_valgus 2/3").
    - ``rating``: the clip's overall rating from the engine's summary; without one,
      the worst per-rep overall rating (a clinician acts on the worst rep).
    """
    from ..analysis.result import FINDING_NAMES

    reps = list(result.reps)
    stances = list(dict.fromkeys(rep.stance for rep in reps))
    names = list(FINDING_NAMES) + sorted({n for rep in reps for n in rep.findings}
                                         - set(FINDING_NAMES))
    verdicts = result.summary.get("findings") if isinstance(result.summary, dict) else None
    found = []
    for name in names:
        verdict = verdicts.get(name) if isinstance(verdicts, dict) else None
        if isinstance(verdict, dict) and "reps_present" in verdict:
            hits, of = verdict["reps_present"], verdict.get("reps_assessed", len(reps))
        else:
            got = [getattr(rep.findings.get(name), "present", None) for rep in reps]
            hits, of = sum(1 for g in got if g), sum(1 for g in got if g is not None)
        if hits:
            found.append(f"{name} {hits}/{of}")
    return {
        "exercise": str(result.exercise),
        "view": " then ".join(view for view, _ in result.views()),
        "stance": ", ".join(stances),
        "reps": len(reps),
        "findings": "; ".join(found),
        "rating": _clip_rating(result.summary, reps),
    }


def _clip_rating(summary, reps) -> str:
    rating = summary.get("rating") if isinstance(summary, dict) else None
    if isinstance(rating, dict):
        rating = rating.get("overall")
    if isinstance(rating, str) and rating:
        return rating
    per_rep = [rep.rating.get("overall") for rep in reps if isinstance(rep.rating, dict)]
    ranked = [r for r in per_rep if r in RATING_ORDER]
    if ranked:
        return max(ranked, key=RATING_ORDER.index)
    return "not_assessable" if reps else ""


def init_worker(parent_pid: int, period_s: float = 1.0) -> None:
    """Worker initializer: one core per clip, and leave when the batch process is
    gone (e.g. ``kill -9``) instead of analysing on as an orphan.

    OpenCV's own thread pool is turned off: the batch already runs one clip per
    core, and extra threads would only fight over the same cores.
    """
    import cv2

    cv2.setNumThreads(1)

    def watch() -> None:
        while True:
            time.sleep(period_s)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()
