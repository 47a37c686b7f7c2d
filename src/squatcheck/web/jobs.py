"""A queue of analyses run by a fixed number of worker processes.

Each slot is a thread that owns one long-lived analysis process (spawned once,
reused, respawned after a crash), hands it one job at a time over a pipe and
records its progress in the store. Every job ends as "done" or "failed" with a
reason: a crash, a time-out and a server stop are all recorded, never silent.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
import signal
import threading
import time
from dataclasses import dataclass

from .store import Store
from .worker import worker_main

log = logging.getLogger("squatcheck.web")

CRASHED = ("The analysis stopped unexpectedly (the process ended, perhaps out of memory); "
           "try a shorter or smaller video.")
STOPPED = "The server stopped while this video was being analysed; upload it again."


@dataclass
class _Live:
    """What a slot is doing right now."""

    analysis_id: str
    cancel: threading.Event


class JobRunner:
    """Run queued analyses, ``jobs`` at a time.

    Parameters
    ----------
    jobs : int
        Analyses run at once; each already uses every core it is given.
    workers : int, optional
        Processes one analysis may shard a clip over (default: cores / jobs).
    timeout_s : float
        A job running longer than this is stopped and marked failed.
    """

    def __init__(self, store: Store, *, jobs: int = 1, workers: int | None = None,
                 timeout_s: float = 1800.0):
        self.store, self.jobs, self.timeout_s = store, max(1, jobs), timeout_s
        self.workers = workers or max(1, (os.cpu_count() or 1) // self.jobs)
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._slots = [_Slot(self, i) for i in range(self.jobs)]
        self._stopping = threading.Event()

    def start(self) -> None:
        for analysis_id in self.store.recover():
            self._queue.put(analysis_id)
        for slot in self._slots:
            slot.start()

    def submit(self, analysis_id: str) -> None:
        self._queue.put(analysis_id)

    def queue_position(self, analysis_id: str) -> int | None:
        """0 = next to run; None if not waiting."""
        with self._queue.mutex:
            waiting = [i for i in self._queue.queue if i is not None]
        return waiting.index(analysis_id) if analysis_id in waiting else None

    def cancel(self, analysis_id: str) -> None:
        """Stop a running job now (its process is ended); a queued one is skipped later."""
        for slot in self._slots:
            slot.cancel(analysis_id)

    def stop(self) -> None:
        """End every worker process; running jobs are recorded as failed."""
        self._stopping.set()
        for _ in self._slots:
            self._queue.put(None)
        for slot in self._slots:
            slot.stop()


class _Slot:
    """One thread + one analysis process."""

    def __init__(self, runner: JobRunner, index: int):
        self.runner, self.index = runner, index
        self.thread = threading.Thread(target=self._loop, name=f"squatcheck-job-{index}",
                                       daemon=True)
        self._lock = threading.Lock()
        self._proc = None
        self._conn = None
        self._live: _Live | None = None

    def start(self) -> None:
        self.thread.start()

    def cancel(self, analysis_id: str) -> None:
        with self._lock:
            live = self._live
        if live and live.analysis_id == analysis_id:
            live.cancel.set()
            self._kill()

    def stop(self) -> None:
        with self._lock:
            live = self._live
        if live:
            live.cancel.set()
        self._kill()
        self.thread.join(timeout=5.0)

    def _loop(self) -> None:
        runner = self.runner
        while (analysis_id := runner._queue.get()) is not None:
            row = runner.store.get(analysis_id)
            if row is None or row["status"] != "queued" or runner._stopping.is_set():
                continue  # deleted while waiting
            try:
                self._run(analysis_id, row)
            except Exception:  # the slot must survive whatever one job does
                log.exception("job %s failed in the runner", analysis_id)
                self._finish_failed(analysis_id, CRASHED)
                self._kill()

    def _run(self, analysis_id: str, row: dict) -> None:
        store, folder = self.runner.store, self.runner.store.folder(analysis_id)
        live = _Live(analysis_id, threading.Event())
        with self._lock:
            self._live = live
        store.update(analysis_id, status="running", stage="starting", progress=0.0,
                     started_at=time.time())
        try:
            conn = self._ensure_process()
            conn.send((str(folder / row["input_name"]), str(folder / "out"), row["filename"]))
            deadline = time.monotonic() + self.runner.timeout_s
            while True:
                if live.cancel.is_set():
                    if self.runner._stopping.is_set():
                        self._finish_failed(analysis_id, STOPPED)
                    return  # deleted: the row is gone already
                if time.monotonic() > deadline:
                    self._kill()
                    minutes = self.runner.timeout_s / 60
                    self._finish_failed(analysis_id, f"The analysis took longer than "
                                        f"{minutes:.0f} min and was stopped; try a shorter clip.")
                    return
                try:
                    if not conn.poll(0.2):
                        continue
                    message = conn.recv()
                except (EOFError, OSError):
                    if not live.cancel.is_set():
                        self._kill()
                        self._finish_failed(analysis_id, CRASHED)
                    elif self.runner._stopping.is_set():
                        self._finish_failed(analysis_id, STOPPED)
                    return
                if message[0] == "progress":
                    store.update(analysis_id, stage=message[1], progress=message[2])
                    continue
                if message[0] == "done":
                    store.update(analysis_id, status="done", stage=None, progress=1.0,
                                 finished_at=time.time(), outputs=message[1],
                                 summary=message[2])
                else:
                    self._finish_failed(analysis_id, message[1])
                return
        finally:
            with self._lock:
                self._live = None

    def _finish_failed(self, analysis_id: str, reason: str) -> None:
        if self.runner.store.get(analysis_id) is not None:
            self.runner.store.update(analysis_id, status="failed", stage=None, error=reason,
                                     finished_at=time.time())

    def _ensure_process(self):
        with self._lock:
            if self._proc is not None and self._proc.is_alive():
                return self._conn
            ctx = mp.get_context("spawn")  # MediaPipe's threads do not survive fork
            parent, child = ctx.Pipe()
            # Not a daemon: an analysis may shard a long clip over its own processes.
            proc = ctx.Process(target=worker_main, args=(child, self.runner.workers),
                               name=f"squatcheck-analysis-{self.index}", daemon=False)
            proc.start()
            child.close()
            self._proc, self._conn = proc, parent
            return parent

    def _kill(self) -> None:
        """End this slot's analysis process (and only it); the next job spawns a new one."""
        with self._lock:
            proc, conn = self._proc, self._conn
            self._proc = self._conn = None
        if proc is None:
            return
        _terminate_group(proc)
        proc.join(timeout=5.0)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=5.0)
        conn.close()


def _terminate_group(proc) -> None:
    """SIGTERM the analysis process and the shard processes it started (its own group)."""
    try:
        if os.getpgid(proc.pid) == proc.pid:
            os.killpg(proc.pid, signal.SIGTERM)
            return
    except (ProcessLookupError, PermissionError):
        pass
    proc.terminate()
