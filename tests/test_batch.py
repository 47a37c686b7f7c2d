"""Batch runs on real short clips plus broken files: summary, kill -9 + resume, Ray = local.

CPU is kept small: three short clips (80-88 frames), analysed once straight
through (module fixture), once across a kill and resume, and two of them on Ray.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from squatcheck.analysis.result import EXERCISES
from squatcheck.batch import run_batch, state
from squatcheck.batch.executors import RayExecutor
from squatcheck.errors import BATCH_CLIPS_FAILED

CLIPS = Path(__file__).parents[1].parent / "shared" / "clips"
SHORT = ("dnly_gf_1.gif", "lnewco_bad_7029.mov", "lnewco_good_7026.mov")
# broken file -> a word its one-sentence reason must contain
BROKEN = {"empty.mp4": "empty", "notes.mp4": "text", "cut_short.mov": "video"}


@pytest.fixture(scope="session")
def mixed_folder(tmp_path_factory) -> Path:
    """Symlinks to three real clips, three broken videos, and files that are not videos."""
    folder = tmp_path_factory.mktemp("visits")
    for name in SHORT:
        (folder / name).symlink_to(CLIPS / name)
    (folder / "empty.mp4").write_bytes(b"")
    (folder / "notes.mp4").write_text("patient notes, not a video\n")
    (folder / "cut_short.mov").write_bytes((CLIPS / "lnewco_bad_7029.mov").read_bytes()[:100_000])
    (folder / "README.txt").write_text("not a clip")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    return folder


@pytest.fixture(scope="module", autouse=True)
def pinned_code(tmp_path_factory):
    """The code fingerprint of these runs, read from a snapshot of the package's sources.

    Resume rightly re-runs every clip once any source file changes; in a working tree
    that others edit while these tests run, that would re-run clips between the
    reference run and the resumed ones. The batch subprocesses read the same snapshot.
    """
    snap = tmp_path_factory.mktemp("code") / "squatcheck"
    shutil.copytree(state.PACKAGE_ROOT, snap, ignore=lambda folder, names: [
        n for n in names if n == "__pycache__"
        or (Path(folder, n).is_file() and Path(n).suffix not in state.CODE_SUFFIXES)])
    patch = pytest.MonkeyPatch()
    patch.setattr(state, "PACKAGE_ROOT", snap)
    yield snap
    patch.undo()


def _cli(pinned: Path, *args: str) -> list[str]:
    """``squatcheck ARGS`` with the fingerprint read from the snapshot ``pinned``."""
    return [sys.executable, "-c", "import sys; from pathlib import Path; "
            "from squatcheck.batch import state; state.PACKAGE_ROOT = Path(sys.argv[1]); "
            "from squatcheck.cli import main; sys.exit(main(sys.argv[2:]))", str(pinned), *args]


@pytest.fixture(scope="module")
def straight(mixed_folder, tmp_path_factory, pinned_code):
    """The reference: one uninterrupted local run with two workers."""
    out = tmp_path_factory.mktemp("straight")
    return run_batch(mixed_folder, out, workers=2, progress=False), out


def _read_csv(path: Path) -> list[dict]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_mixed_folder_summary_lists_every_clip_and_why_broken_ones_failed(straight,
                                                                          mixed_folder):
    run, out = straight
    rows = _read_csv(out / "summary.csv")
    assert [r["file"] for r in rows] == sorted([*SHORT, *BROKEN])  # no README, no dotfiles
    by_file = {r["file"]: r for r in rows}
    for name, why in BROKEN.items():
        row = by_file[name]
        assert row["status"] == "failed" and why in row["reason"], row
        assert str(mixed_folder / name) in row["reason"] and "\n" not in row["reason"]
        assert row["report"] == "" and not (out / "clips" / row["clip_id"]).exists()
    for name in SHORT:
        row = by_file[name]
        assert row["status"] == "ok", row
        result = json.loads((out / "clips" / row["clip_id"] / "result.json").read_text())
        assert row["exercise"] == result["exercise"] and row["exercise"] in EXERCISES
        assert int(row["reps"]) == len(result["reps"])
        assert row["stance"] == ", ".join(dict.fromkeys(r["stance"] for r in result["reps"]))
        assert (out / row["report"]).is_file()
        assert Path(result["source"]).name == name
    assert run.counts == {"ok": 3, "failed": 3, "internal_error": 0}
    assert (run.ran, run.skipped) == (6, 0)
    page = (out / "summary.html").read_text()
    for name in [*SHORT, *BROKEN]:
        assert name in page
    assert "is empty (0 bytes)" in page and "<script" not in page and "http" not in page
    assert not list((out / "clips").glob(".tmp-*"))


def test_a_second_run_skips_everything_and_writes_the_same_summary(straight, mixed_folder):
    run, out = straight
    before = (out / "summary.csv").read_bytes(), (out / "summary.html").read_bytes()
    again = run_batch(mixed_folder, out, workers=2, progress=False)
    assert (again.ran, again.skipped) == (0, 6)
    assert ((out / "summary.csv").read_bytes(), (out / "summary.html").read_bytes()) == before


def _cli_batch(pinned: Path, source: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(_cli(pinned, "batch", str(source), "-o", str(out), "--workers", "1",
                               "--quiet"), capture_output=True, text=True, timeout=600)


def test_exit_status_is_zero_only_when_every_clip_succeeded(straight, mixed_folder, tmp_path,
                                                            pinned_code):
    """A script sees failed clips in the exit status; the outputs are written all the same.

    Runs resume from copies of the straight run, so nothing is analysed again.
    """
    _, ref = straight
    mixed = _cli_batch(pinned_code, mixed_folder, shutil.copytree(ref, tmp_path / "mixed"))
    assert mixed.returncode == BATCH_CLIPS_FAILED, mixed.stderr
    assert "6 clips: 3 ok, 3 failed, 0 internal errors (0 analysed now" in mixed.stdout
    assert "3 of 6 clips failed" in mixed.stderr
    for name in ("summary.csv", "summary.html"):
        assert (tmp_path / "mixed" / name).read_bytes() == (ref / name).read_bytes()

    good = tmp_path / "good"
    good.mkdir()
    for name in SHORT:
        (good / name).symlink_to(mixed_folder / name)
    ok = _cli_batch(pinned_code, good, shutil.copytree(ref, tmp_path / "ok"))
    assert ok.returncode == 0, ok.stderr
    assert "3 clips: 3 ok, 0 failed, 0 internal errors (0 analysed now" in ok.stdout
    assert "failed" not in ok.stderr
    rows = _read_csv(tmp_path / "ok" / "summary.csv")
    assert [(r["file"], r["status"]) for r in rows] == [(n, "ok") for n in sorted(SHORT)]


def test_killed_batch_resumes_and_matches_the_straight_run(straight, mixed_folder, tmp_path,
                                                           pinned_code):
    """SIGKILL the whole batch (process group) once its first clip is done, then resume."""
    _, ref = straight
    out = tmp_path / "out"
    done = out / ".squatcheck-batch" / "done"
    proc = subprocess.Popen(_cli(pinned_code, "batch", str(mixed_folder), "-o", str(out),
                                 "--workers", "1", "--quiet"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            records = [json.loads(p.read_text()) for p in done.glob("*.json")] \
                if done.is_dir() else []
            if any(r["status"] == "ok" for r in records):
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the batch finished before it could be killed"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    if (out / "summary.csv").exists():  # a partial summary (long clips): unfinished rows
        assert any(r["status"] == "pending" for r in _read_csv(out / "summary.csv"))
    finished = len(list(done.glob("*.json")))
    assert 1 <= finished < 6

    resumed = run_batch(mixed_folder, out, workers=1, progress=False)
    assert resumed.skipped == finished and resumed.ran == 6 - finished
    assert (out / "summary.csv").read_bytes() == (ref / "summary.csv").read_bytes()
    assert (out / "summary.html").read_bytes() == (ref / "summary.html").read_bytes()
    assert not list((out / "clips").glob(".tmp-*"))
    for row in _read_csv(out / "summary.csv"):
        if row["status"] == "ok":
            rel = Path("clips") / row["clip_id"] / "result.json"
            assert (out / rel).read_bytes() == (ref / rel).read_bytes()


@pytest.fixture(scope="module")
def local_ray():
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_executor_gives_the_same_results_as_local(straight, mixed_folder, tmp_path,
                                                      local_ray):
    """Two real clips and a broken one, from a manifest, on a local Ray instance.

    Inputs are shipped through the object store (as on a cluster without a shared
    disk) and reports come back as bytes; results must match the local run.
    """
    _, ref = straight
    manifest = tmp_path / "manifest.csv"
    rows = [("P1", "2026-01-15", "left", "dnly_gf_1.gif"),
            ("P1", "2026-03-02", "left", "lnewco_good_7026.mov"),
            ("P2", "2026-01-20", "right", "empty.mp4")]
    manifest.write_text("patient,visit_date,side,path,room\n" + "".join(
        f"{p},{d},{s},{mixed_folder / f},gym\n" for p, d, s, f in rows))
    out = tmp_path / "out"
    run = run_batch(manifest, out, executor_obj=RayExecutor(ship_inputs=True), progress=False)
    assert run.ran == 3
    local = {r["file"]: r for r in _read_csv(ref / "summary.csv")}
    got = _read_csv(out / "summary.csv")
    assert [r["room"] for r in got] == ["gym"] * 3  # extra columns pass through
    for row in got:
        want = local[row["file"]]
        for key in ("status", "exercise", "view", "stance", "reps", "findings", "rating",
                    "reason", "sha256"):
            assert row[key] == want[key], (row["file"], key)
        if row["status"] == "ok":
            mine = out / "clips" / row["clip_id"]
            theirs = ref / "clips" / want["clip_id"]
            names = sorted(p.name for p in mine.iterdir())
            assert names == sorted(p.name for p in theirs.iterdir())
            for name in ("result.json", "reps.csv"):  # the results; videos/zips carry times
                if (theirs / name).exists():
                    assert (mine / name).read_bytes() == (theirs / name).read_bytes(), name
    page = (out / "summary.html").read_text()
    assert "Per patient" in page and page.index("P1") < page.index("P2")
