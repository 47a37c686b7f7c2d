"""Batch pieces that need no pose model: inputs, ids, state, summary, clip fields, crashes."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from squatcheck.analysis.result import AnalysisResult, Finding, Rep, Series
from squatcheck.batch import run_batch, state
from squatcheck.batch.clip import ClipOutcome, ClipTask, clip_fields
from squatcheck.batch.executors import LocalExecutor
from squatcheck.batch.inputs import ManifestError, discover
from squatcheck.batch.state import (
    BatchBusy,
    BatchState,
    ClipRecord,
    code_fingerprint,
    lock_out_dir,
    settings_fingerprint,
)
from squatcheck.batch.summary import render_csv, render_html
from squatcheck.errors import BATCH_CLIPS_FAILED, EXIT_CODES, InputNotFound

MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"


def test_folder_is_searched_recursively_in_sorted_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deep").mkdir(parents=True)
    for rel in ("b/z.mp4", "a/deep/y.MOV", "x.gif", "notes.txt", ".hidden.mp4"):
        (tmp_path / rel).write_bytes(b"x")
    (tmp_path / "camera_dump").write_bytes(MP4_HEAD)  # no extension, video by content
    (tmp_path / "photo").write_bytes(b"\xff\xd8\xff\xe0" + b"0" * 60)  # a JPEG: not a clip
    out = tmp_path / "out"
    (out / "clips").mkdir(parents=True)
    (out / "clips" / "old.mp4").write_bytes(b"x")  # our own outputs are never inputs
    batch = discover(tmp_path, exclude=out)
    assert [j.label for j in batch.jobs] == ["a/deep/y.MOV", "b/z.mp4", "camera_dump", "x.gif"]
    assert [j.order for j in batch.jobs] == [0, 1, 2, 3]
    assert batch.jobs[0].clip_id == "a-deep-y.MOV"
    assert all(j.path.is_absolute() and j.path.exists() for j in batch.jobs)


def test_ids_stay_unique_when_names_collide(tmp_path):
    for rel in ("a b.mp4", "a_b.mp4", "A_B.mp4"):
        (tmp_path / rel).write_bytes(b"x")
    ids = [j.clip_id for j in discover(tmp_path).jobs]
    assert len({i.lower() for i in ids}) == 3
    assert all("/" not in i and " " not in i for i in ids)


def test_empty_folder_and_odd_input_are_plain_errors(tmp_path):
    with pytest.raises(InputNotFound, match="No video files"):
        discover(tmp_path)
    with pytest.raises(InputNotFound, match="does not exist"):
        discover(tmp_path / "nope")
    (tmp_path / "one.mp4").write_bytes(b"x")
    with pytest.raises(InputNotFound, match="squatcheck analyze"):
        discover(tmp_path / "one.mp4")


def test_manifest_columns_pass_through_and_paths_resolve(tmp_path):
    (tmp_path / "clips").mkdir()
    (tmp_path / "clips" / "a.mp4").write_bytes(b"x")
    text = ("\ufeffPatient;Visit_Date;Side;Path;Notes\n"
            "P1;2024-05-01;left;clips/a.mp4;first visit\n"
            "\n"
            "P1;2024-06-01;right;/elsewhere/b.mp4;\n"
            "P2;2024-06-01;left;;no file yet\n")
    manifest = tmp_path / "m.csv"
    manifest.write_text(text, encoding="utf-8")
    batch = discover(manifest)
    assert batch.kind == "manifest"
    assert batch.columns == ["Patient", "Visit_Date", "Side", "Path", "Notes"]
    assert (batch.patient_column, batch.visit_column, batch.side_column) == (
        "Patient", "Visit_Date", "Side")
    a, b, c = batch.jobs
    assert a.path == tmp_path / "clips" / "a.mp4" and a.label == "a.mp4"
    assert a.extra["Notes"] == "first visit"
    assert b.path == Path("/elsewhere/b.mp4")
    assert c.problem and "row 4" in c.problem.lower()
    assert a.clip_id == "P1-2024-05-01-left-a"


def test_a_note_typed_over_two_lines_keeps_its_words_apart(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text('path,notes\na.mp4,"knee pain\nsince May"\nb.mp4,left\u2028knee\n',
                        encoding="utf-8")
    a, b = discover(manifest).jobs
    assert (a.label, a.extra["notes"]) == ("a.mp4", "knee pain since May")
    assert (b.label, b.extra["notes"]) == ("b.mp4", "left knee")


def test_manifest_without_a_path_column_says_what_to_add(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("patient,visit\nP1,1\n")
    with pytest.raises(ManifestError, match="'path' column"):
        discover(manifest)


def test_state_records_are_keyed_by_content_and_settings(tmp_path):
    state = BatchState(tmp_path, "s1")
    rec = ClipRecord("ab" * 32, "s1", "ok", "clip", fields={"reps": 2}, outputs={"json": "r"})
    state.put(rec)
    assert state.get("ab" * 32) == rec
    assert BatchState(tmp_path, "s2").get("ab" * 32) is None  # other settings: redo
    (state.done_dir / f"{'cd' * 32}.json").write_text('{"sha256": "cd"')  # torn write
    assert state.get("cd" * 32) is None
    assert not list(state.done_dir.glob(".tmp-*"))
    assert settings_fingerprint(None) == settings_fingerprint(None)


def _copy_package_sources(dest: Path) -> Path:
    """The installed package's code files (what the fingerprint reads), copied to ``dest``."""
    shutil.copytree(state.PACKAGE_ROOT, dest,
                    ignore=shutil.ignore_patterns("__pycache__", "*.task", "*.npz"))
    return dest


def test_code_fingerprint_follows_the_code_and_nothing_else(tmp_path):
    pkg = _copy_package_sources(tmp_path / "squatcheck")
    base = code_fingerprint(pkg)
    assert base == code_fingerprint() == code_fingerprint(pkg)  # a copy: same code, same key
    engine = sorted((pkg / "analysis").glob("*.py"))[-1]  # any engine module
    os.utime(engine, (1, 1))  # a touch (mtime) is no change
    (pkg / "analysis" / "__pycache__").mkdir(exist_ok=True)
    (pkg / "analysis" / "__pycache__" / "findings.cpython-311.pyc").write_bytes(b"cache")
    (pkg / "NOTES.md").write_text("prose is not code")
    assert code_fingerprint(pkg) == base
    engine.write_text(engine.read_text() + "\n# a one-line engine change\n")
    changed = code_fingerprint(pkg)
    assert changed != base
    profile = pkg / "analysis" / "default_profile.toml"
    profile.write_text(profile.read_text() + "\n")
    assert code_fingerprint(pkg) not in (base, changed)
    assert settings_fingerprint(None, code=base) != settings_fingerprint(None, code=changed)


def _broken_clips(folder: Path) -> Path:
    """Two files that look like videos and are not: they fail fast, with no pose model."""
    folder.mkdir()
    (folder / "empty.mp4").write_bytes(b"")
    (folder / "notes.mp4").write_text("patient notes, not a video\n")
    return folder


def test_an_engine_change_without_a_version_bump_reruns_the_clips(tmp_path, monkeypatch):
    """Resume reuses results only from the same code: edit one engine file and the
    done-records no longer count, though the version and profile did not change."""
    pkg = _copy_package_sources(tmp_path / "squatcheck")
    monkeypatch.setattr(state, "PACKAGE_ROOT", pkg)  # the fingerprint reads this copy
    visits, out = _broken_clips(tmp_path / "visits"), tmp_path / "out"
    first = run_batch(visits, out, workers=1, progress=False)
    assert (first.ran, first.skipped) == (2, 0)
    again = run_batch(visits, out, workers=1, progress=False)
    assert (again.ran, again.skipped) == (0, 2)  # unchanged engine: resumes
    engine = sorted((pkg / "analysis").glob("*.py"))[-1]
    engine.write_text(engine.read_text() + "\nKNEE_FUDGE = 1.0\n")
    changed = run_batch(visits, out, workers=1, progress=False)
    assert (changed.ran, changed.skipped) == (2, 0)
    assert [r["status"] for r in changed.rows] == ["failed", "failed"]
    resumed = run_batch(visits, out, workers=1, progress=False)
    assert (resumed.ran, resumed.skipped) == (0, 2)  # the new engine's records count


def test_a_batch_with_failed_clips_exits_non_zero_after_writing_its_summary(tmp_path):
    visits, out = _broken_clips(tmp_path / "visits"), tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "squatcheck.cli", "batch", str(visits),
                           "-o", str(out), "--workers", "1", "--quiet"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == BATCH_CLIPS_FAILED, proc.stderr
    assert BATCH_CLIPS_FAILED not in (0, 1, 2, 130) and BATCH_CLIPS_FAILED in EXIT_CODES
    assert "2 clips: 0 ok, 2 failed" in proc.stdout
    assert "2 of 2 clips failed" in proc.stderr and "Traceback" not in proc.stderr
    with (out / "summary.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["file"], r["status"]) for r in rows] == [("empty.mp4", "failed"),
                                                        ("notes.mp4", "failed")]
    assert all(r["reason"] for r in rows) and (out / "summary.html").is_file()


def test_a_pipe_or_a_device_among_the_clips_fails_alone(tmp_path):
    """A named pipe in the folder and /dev/zero in a manifest: reading either would wait or
    run forever; each is one failed row, and the batch ends."""
    visits, out = _broken_clips(tmp_path / "visits"), tmp_path / "out"
    os.mkfifo(visits / "pipe.mp4")
    manifest = tmp_path / "visits.csv"
    manifest.write_text("path\npipe.mp4\n/dev/zero\nempty.mp4\n")
    for source in (visits, manifest):
        if source == manifest:
            shutil.move(visits / "pipe.mp4", tmp_path / "pipe.mp4")
            shutil.move(visits / "empty.mp4", tmp_path / "empty.mp4")
        proc = subprocess.run([sys.executable, "-m", "squatcheck.cli", "batch", str(source),
                               "-o", str(out), "--workers", "1", "--quiet"],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == BATCH_CLIPS_FAILED, proc.stderr
        with (out / "summary.csv").open(newline="") as fh:
            reasons = {Path(r["file"]).name: r["reason"] for r in csv.DictReader(fh)}
        assert "not a regular file" in reasons["pipe.mp4"]
        if source == manifest:
            assert "not a regular file" in reasons["zero"]


def test_two_batches_cannot_write_one_output_folder(tmp_path):
    with lock_out_dir(tmp_path):
        with pytest.raises(BatchBusy, match="Another squatcheck batch"):
            lock_out_dir(tmp_path)
    lock_out_dir(tmp_path).close()  # released with the first


def _finding(name, present):
    return Finding(name, present, "mild" if present else "none", 1.0, "deg", 0.5, "test", 3,
                   0.1, "because")


def _rep(i, stance, present: dict, overall):
    return Rep(i, stance, 0.0, 0.5, 1.0, 0, 5, 10, {},
               {n: _finding(n, p) for n, p in present.items()}, {"overall": overall})


def _result(reps, summary=None):
    t = np.arange(3) / 30
    return AnalysisResult("x.mp4", "front", "camera", "single_leg_squat", 1.0, reps,
                          summary or {}, Series(t, np.arange(3)))


def test_clip_fields_count_findings_over_assessable_reps():
    reps = [_rep(0, "left", {"knee_valgus": True, "heel_lift": None}, "fair"),
            _rep(1, "right", {"knee_valgus": False, "heel_lift": None}, "poor"),
            _rep(2, "left", {"knee_valgus": True, "heel_lift": True}, "good")]
    fields = clip_fields(_result(reps))
    assert fields["stance"] == "left, right"
    assert fields["reps"] == 3
    assert fields["findings"] == "heel_lift 1/1; knee_valgus 2/3"  # FINDING_NAMES order
    assert fields["rating"] == "poor"  # worst rep when the engine gives no clip rating
    engine = {"rating": {"overall": "fair"},
              "findings": {"knee_valgus": {"reps_present": 2, "reps_assessed": 3}}}
    fields = clip_fields(_result(reps, engine))
    assert fields["rating"] == "fair"
    assert "knee_valgus 2/3" in fields["findings"]
    assert clip_fields(_result([]))["findings"] == ""


def test_summary_orders_visits_by_date_and_escapes(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("patient,visit_date,side,path\n"
                        "<P1>,02.03.2026,right,b.mp4\n"
                        "<P1>,15.01.2026,left,a.mp4\n")
    batch = discover(manifest)
    rows = []
    for job, status in zip(batch.jobs, ("ok", "failed"), strict=True):
        rows.append({"order": job.order, "extra": job.extra, "clip_id": job.clip_id,
                     "file": job.label, "status": status, "exercise": "single_leg_squat",
                     "view": "front", "stance": "right", "reps": 3, "findings": "",
                     "rating": "good", "reason": "" if status == "ok" else "<broken>",
                     "report": f"clips/{job.clip_id}/report.html", "sha256": "0"})
    page = render_html(batch, rows)
    assert page.index("15.01.2026") < page.index("02.03.2026")  # date order, not text order
    assert "&lt;P1&gt;" in page and "&lt;broken&gt;" in page and "<P1>" not in page
    assert "http" not in page and "<script" not in page  # self-contained, offline
    table = list(csv.reader(io.StringIO(render_csv(batch, rows))))
    assert table[0][:4] == ["patient", "visit_date", "side", "path"]
    assert [r[table[0].index("status")] for r in table[1:]] == ["ok", "failed"]
    assert render_html(batch, rows) == page


def crash_on_b(task: ClipTask) -> ClipOutcome:
    """Worker body for the crash test: dies hard on clip 'b', like a decoder segfault."""
    if task.clip_id == "b":
        os._exit(3)
    return ClipOutcome(task.clip_id, task.sha256, "ok", fields={"reps": 1})


def test_a_worker_crash_fails_only_its_own_clip():
    tasks = [ClipTask(c, f"/{c}.mp4", c) for c in ("a", "b", "c")]
    got = {}
    LocalExecutor(2, fn=crash_on_b).run(tasks, lambda t, o: got.setdefault(t.clip_id, o),
                                        lambda: None)
    assert sorted(got) == ["a", "b", "c"]
    assert got["a"].status == got["c"].status == "ok"
    assert got["b"].status == "internal_error" and "died" in got["b"].reason
