"""``run_batch``: inputs → what is left to do → executor → outputs in place → summary.

The batch process is the only writer of ``OUT``: workers write a clip's
reports into a temporary folder (or send them back, on Ray); here the folder
gets its content marker and is renamed into ``OUT/clips/<id>``, then the
done-record is written. Clips with the same bytes run once.
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis.profile import load_profile
from ..errors import SquatcheckError
from ..files import folder_not_writable, writing_failed
from ..video import VideoReader, sniff_video_file
from .clip import ClipOutcome, ClipTask
from .executors import make_executor
from .inputs import BatchInput, ClipJob, discover
from .progress import BatchProgress
from .state import (
    TMP_PREFIX,
    BatchState,
    ClipRecord,
    file_sha256,
    lock_out_dir,
    marker_matches,
    new_tmp_dir,
    place_dir,
    remove_stale_tmp,
    settings_fingerprint,
    write_marker,
)
from .summary import write_summary

PARTIAL_SUMMARY_EVERY_S = 30.0  # a summary of what is done so far, for long runs


@dataclass
class BatchRun:
    """What a batch did. ``ran`` clips were analysed now, ``skipped`` were done before."""

    batch: BatchInput
    rows: list[dict]
    summary_csv: Path
    summary_html: Path
    ran: int = 0
    skipped: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def run_batch(source: str | Path, out_dir: str | Path, *, workers: int | None = None,
              executor: str = "local", address: str | None = None,
              profile: str | Path | None = None, progress: bool = True,
              executor_obj=None) -> BatchRun:
    """Analyse every clip of a folder or manifest into ``out_dir`` and write the summary.

    Re-running into the same ``out_dir`` skips clips whose bytes (sha256) were
    already analysed with the same settings; the summary comes out the same.
    ``executor_obj`` replaces the executor built from ``executor``/``address``.
    """
    t0 = time.monotonic()
    out_dir = Path(out_dir)
    profile = load_profile(profile) if profile is not None else None  # bad file: fail now
    batch = discover(source, exclude=out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with lock_out_dir(out_dir):
            return _run_locked(batch, out_dir, profile, workers=workers, executor=executor,
                               address=address, progress=progress, executor_obj=executor_obj,
                               t0=t0)
    except OSError as exc:
        if writing_failed(exc, out_dir):
            raise folder_not_writable(out_dir, exc) from None
        raise


def _run_locked(batch: BatchInput, out_dir: Path, profile, *, workers, executor, address,
                progress, executor_obj, t0) -> BatchRun:
    clips_dir = out_dir / "clips"
    clips_dir.mkdir(exist_ok=True)
    remove_stale_tmp(clips_dir)
    settings = settings_fingerprint(profile)
    state = BatchState(out_dir, settings)
    run = _Run(batch, out_dir, clips_dir, state, settings)

    if progress:
        sys.stderr.write(f"squatcheck batch: checking {len(batch.jobs)} clips against "
                         f"{out_dir} (content hashes)...\n")
    by_sha: dict[str, list[ClipJob]] = {}
    for job in batch.jobs:
        sha = run.prepare(job)
        if sha is not None:
            by_sha.setdefault(sha, []).append(job)
    tasks = [ClipTask(jobs[0].clip_id, str(jobs[0].path), sha, profile, None)
             for sha, jobs in by_sha.items()]
    run.waiting = by_sha
    skipped = run.reused

    runner = executor_obj or make_executor(executor, workers=workers, address=address)
    if len(tasks) > (getattr(runner, "workers", None) or 1):
        # longest clips first, so no long clip is left running alone at the end
        tasks.sort(key=lambda t: -_cost(t.path))
    if runner.name == "local":
        tasks = [ClipTask(t.clip_id, t.path, t.sha256, t.profile,
                          str(new_tmp_dir(clips_dir, t.clip_id))) for t in tasks]
    run.progress = BatchProgress(len(tasks), enabled=progress)
    if progress:
        run.progress.stream.write(
            f"squatcheck batch: {len(batch.jobs)} clips, {skipped} done before, "
            f"{len(tasks)} to analyse on {runner.name} "
            f"({getattr(runner, 'workers', None) or 'all'} workers)\n")
    try:
        if tasks:
            runner.run(tasks, run.finish, run.tick)
    finally:
        run.progress.close()
        remove_stale_tmp(clips_dir)
    rows = run.ordered_rows()
    csv_path, html_path = write_summary(out_dir, batch, rows)
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("ok", "failed",
                                                                    "internal_error")}
    return BatchRun(batch, rows, csv_path, html_path, ran=len(tasks), skipped=skipped,
                    seconds=time.monotonic() - t0, counts=counts)


class _Run:
    """Book-keeping of one batch run, in the batch process."""

    def __init__(self, batch: BatchInput, out_dir: Path, clips_dir: Path, state: BatchState,
                 settings: str):
        self.batch, self.out_dir, self.clips_dir = batch, out_dir, clips_dir
        self.state, self.settings = state, settings
        self.rows: dict[int, dict] = {}
        self.waiting: dict[str, list[ClipJob]] = {}
        self.progress: BatchProgress | None = None
        self.last_partial = time.monotonic()
        self.reused = 0

    def prepare(self, job: ClipJob) -> str | None:
        """Settle ``job`` now if possible (bad row, unreadable, done before); else its sha."""
        if job.problem:
            self.rows[job.order] = _row(job, "failed", reason=job.problem)
            return None
        try:
            if not job.path.is_file():
                sniff_video_file(job.path)  # raises the plain reason: missing, a folder...
            sha = file_sha256(job.path)
        except SquatcheckError as exc:
            self.rows[job.order] = _row(job, "failed", reason=exc.message)
            return None
        except OSError as exc:
            self.rows[job.order] = _row(job, "failed", reason=f"{job.path} cannot be read "
                                        f"({exc.strerror}); check its permissions.")
            return None
        record = self.state.get(sha)
        if record is not None and self._reuse(job, record):
            self.rows[job.order] = _row(job, record.status, record, sha)
            self.reused += 1
            return None
        return sha

    def _reuse(self, job: ClipJob, record: ClipRecord) -> bool:
        """A done-record counts if the clip's folder is in place (or can be copied)."""
        if record.status != "ok":
            return True
        final = self.clips_dir / job.clip_id
        if marker_matches(final, record.sha256, self.settings):
            return True
        other = self.clips_dir / record.clip_id
        if marker_matches(other, record.sha256, self.settings):
            self._copy(other, job.clip_id)
            return True
        return False

    def _copy(self, src: Path, clip_id: str) -> None:
        tmp = new_tmp_dir(self.clips_dir, clip_id)
        shutil.copytree(src, tmp)
        place_dir(tmp, self.clips_dir / clip_id)

    def tick(self) -> None:
        self.progress.tick()
        if time.monotonic() - self.last_partial > PARTIAL_SUMMARY_EVERY_S:
            self.last_partial = time.monotonic()
            write_summary(self.out_dir, self.batch, self.ordered_rows())

    def finish(self, task: ClipTask, outcome: ClipOutcome) -> None:
        """Put one clip's outputs in place and record it (record last: crash-safe)."""
        jobs = self.waiting.pop(task.sha256)
        record = ClipRecord(task.sha256, self.settings, outcome.status, task.clip_id,
                            outcome.reason, outcome.fields, outcome.outputs, outcome.seconds,
                            outcome.cpu_seconds)
        if outcome.status == "ok":
            try:
                self._place(task, outcome)
            except OSError as exc:
                record.status = "internal_error"
                record.reason = f"internal error (could not write its reports: {exc})"
        elif task.work_dir:
            shutil.rmtree(task.work_dir, ignore_errors=True)
        if record.status == "ok":
            for job in jobs[1:]:
                self._copy(self.clips_dir / task.clip_id, job.clip_id)
        if record.status in ("ok", "failed"):
            self.state.put(record)  # internal errors are retried by the next run
        for job in jobs:
            self.rows[job.order] = _row(job, record.status, record, task.sha256)
        if record.status == "ok":
            detail = f" ({outcome.seconds:.1f} s, CPU {outcome.cpu_seconds:.1f} s)"
        else:
            detail = f": {record.reason}"
        self.progress.clip_done(jobs[0].label, record.status.replace("_", " "), detail)

    def _place(self, task: ClipTask, outcome: ClipOutcome) -> None:
        if task.work_dir:
            tmp = Path(task.work_dir)
        else:
            tmp = new_tmp_dir(self.clips_dir, task.clip_id)
            for name, data in (outcome.files or {}).items():
                path = tmp / name
                if TMP_PREFIX in name or not path.resolve().is_relative_to(tmp.resolve()):
                    continue  # never let a returned name escape the clip folder
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        tmp.mkdir(parents=True, exist_ok=True)
        write_marker(tmp, task.sha256, self.settings)
        place_dir(tmp, self.clips_dir / task.clip_id)

    def ordered_rows(self) -> list[dict]:
        return [self.rows.get(job.order) or _row(job, "pending") for job in self.batch.jobs]


def _row(job: ClipJob, status: str, record: ClipRecord | None = None, sha: str = "",
         reason: str = "") -> dict:
    fields = record.fields if record is not None and status == "ok" else {}
    report = ""
    if record is not None and status == "ok" and record.outputs:
        report = f"clips/{job.clip_id}/{_report_file(record.outputs)}"
    return {
        "order": job.order, "extra": dict(job.extra), "clip_id": job.clip_id,
        "file": job.label, "status": status,
        "exercise": fields.get("exercise", ""), "view": fields.get("view", ""),
        "stance": fields.get("stance", ""), "reps": fields.get("reps", ""),
        "findings": fields.get("findings", ""), "rating": fields.get("rating", ""),
        "reason": reason or (record.reason if record is not None and status != "ok" else ""),
        "report": report, "sha256": sha,
    }


def _report_file(outputs: dict[str, str]) -> str:
    """The page to link: the HTML report when there is one, else the JSON result."""
    names = [outputs[k] for k in sorted(outputs)]
    for suffix in (".html", ".json"):
        for name in names:
            if name.endswith(suffix):
                return name
    return names[0]


def _cost(path: str) -> float:
    """Rough relative work of a clip, from its header: frames x (1 + megapixels / 4).

    Frame count drives the cost (the pose model runs per frame); big frames add
    decoding. Measured here: 87 tiny GIF frames 2 s, 80-88 frames of 1080p 9-11 s,
    201 frames of 406x720 20 s (CPU, analysis + reports). Unreadable clips fail fast: 0.
    """
    try:
        with VideoReader(path) as reader:
            info = reader.info
    except (SquatcheckError, OSError):
        return 0.0
    frames = info.frame_count_header
    if frames <= 0:  # no count in the header: fall back on the size, ~20 kB a frame
        frames = Path(path).stat().st_size / 20e3
    return frames * (1.0 + info.width * info.height / 4e6)
