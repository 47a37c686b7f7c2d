"""Where clips run: a local process pool (default) or a Ray cluster.

Both take the same :class:`ClipTask` list and call ``on_done(task, outcome)`` in
the batch process as each clip finishes, and ``on_tick()`` about once a second
(progress bar). At most one clip per worker is in flight, so a crash can be
pinned on the clips that were running.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import socket
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..errors import SquatcheckError
from .clip import (
    ClipOutcome,
    ClipTask,
    init_worker,
    internal_error,
    run_clip,
    same_content,
)

OnDone = Callable[[ClipTask, ClipOutcome], None]
OnTick = Callable[[], None]


class RayUnavailable(SquatcheckError):
    """Ray is not installed, or the cluster cannot be reached."""

    exit_code = 1


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class LocalExecutor:
    """One clip per process, ``workers`` processes (default: one per core).

    Processes are started with "spawn": MediaPipe's threads do not survive fork.
    If a worker dies (a crash in a decoder or the model), the pool is rebuilt and
    the clips that were running are retried one at a time, so only the clip
    that really crashes is listed as failed.
    """

    name = "local"

    def __init__(self, workers: int | None = None, *, fn: Callable = run_clip):
        self.workers = workers or default_workers()
        self.fn = fn  # module-level, picklable; replaceable in tests

    def run(self, tasks: list[ClipTask], on_done: OnDone, on_tick: OnTick) -> None:
        pending, suspects = deque(tasks), deque()
        while pending or suspects:
            if suspects:  # alone in a pool of one: a crash now is this clip's own
                task = suspects.popleft()
                self._pool_pass(deque([task]), 1, on_done, on_tick,
                                on_crash=lambda t: on_done(t, _crashed(t)))
            else:
                self._pool_pass(pending, min(self.workers, len(pending)), on_done, on_tick,
                                on_crash=suspects.append)

    def _pool_pass(self, queue: deque, n_workers: int, on_done: OnDone, on_tick: OnTick,
                   on_crash: Callable[[ClipTask], None]) -> None:
        """Run tasks from ``queue`` until it is empty or the pool breaks."""
        ctx = mp.get_context("spawn")
        pool = ProcessPoolExecutor(n_workers, mp_context=ctx, initializer=init_worker,
                                   initargs=(os.getpid(),))
        running: dict = {}
        try:
            while queue or running:
                while queue and len(running) < n_workers:
                    task = queue.popleft()
                    running[pool.submit(self.fn, task)] = task
                done, _ = wait(running, timeout=1.0, return_when=FIRST_COMPLETED)
                on_tick()
                broken = False
                for future in done:
                    task = running.pop(future)
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        broken = True
                        on_crash(task)
                        continue
                    except Exception as exc:  # noqa: BLE001 - e.g. a result that won't pickle
                        outcome = internal_error(task, exc)
                    on_done(task, outcome)
                if broken:
                    for task in running.values():
                        on_crash(task)
                    running.clear()
                    return
        finally:
            pool.shutdown(wait=not running, cancel_futures=True)


def _crashed(task: ClipTask) -> ClipOutcome:
    return ClipOutcome(task.clip_id, task.sha256, "internal_error",
                       "internal error (the worker process died while analysing this clip)")


class RayExecutor:
    """The same clips as Ray tasks (one CPU each), on ``address`` or a local instance.

    Workers get the clip's bytes from the object store when the path is not
    readable on their node, and send the report files back, so the cluster
    needs squatcheck installed but no shared disk. An already initialised Ray
    (e.g. in tests) is used as is and left running.
    """

    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None, *,
                 ship_inputs: bool = False):
        self.address, self.workers, self.ship_inputs = address, workers, ship_inputs

    def run(self, tasks: list[ClipTask], on_done: OnDone, on_tick: OnTick) -> None:
        try:
            import ray
        except ImportError:
            raise RayUnavailable("Ray is not installed; install it with "
                                 "'pip install squatcheck[batch]' or use --executor local.") \
                from None
        started = not ray.is_initialized()
        if started:
            self._init(ray)
        try:
            self._run(ray, tasks, on_done, on_tick)
        finally:
            if started:
                ray.shutdown()

    def _init(self, ray) -> None:
        kwargs = dict(include_dashboard=False, log_to_driver=False, logging_level="WARNING")
        if self.address:
            _check_reachable(self.address)
        try:
            if self.address:
                ray.init(address=self.address, **kwargs)
            else:
                ray.init(num_cpus=self.workers or default_workers(), **kwargs)
        except Exception as exc:  # noqa: BLE001 - Ray raises many kinds here
            where = f"the Ray cluster at {self.address}" if self.address else "a local Ray"
            raise RayUnavailable(f"Could not start or reach {where} ({type(exc).__name__}: "
                                 f"{' '.join(str(exc).split())[:160]}); check the address "
                                 "or use --executor local.") from None

    def _run(self, ray, tasks: list[ClipTask], on_done: OnDone, on_tick: OnTick) -> None:
        remote = ray.remote(num_cpus=1, max_retries=1)(_ray_clip)
        slots = self.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        queue, running = deque(tasks), {}
        while queue or running:
            while queue and len(running) < slots:
                task = queue.popleft()
                task = ClipTask(task.clip_id, task.path, task.sha256, task.profile, None)
                data = ray.put(Path(task.path).read_bytes())
                # in a list, so Ray does not fetch the bytes unless the worker asks
                running[remote.remote(task, [data], self.ship_inputs)] = task
            ready, _ = ray.wait(list(running), num_returns=1, timeout=1.0)
            on_tick()
            for ref in ready:
                task = running.pop(ref)
                try:
                    outcome = ray.get(ref)
                except Exception as exc:  # noqa: BLE001 - worker died, node lost...
                    outcome = internal_error(task, exc)
                on_done(task, outcome)


def _check_reachable(address: str, timeout_s: float = 10.0) -> None:
    """Fail in seconds on a wrong ``host:port`` (Ray itself retries for minutes)."""
    hostport = address.split("://", 1)[-1].rstrip("/")
    host, sep, port = hostport.rpartition(":")
    if not sep or not port.isdigit():
        return  # "auto", "local" and the like: Ray resolves and reports those itself
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as exc:
        raise RayUnavailable(f"Cannot reach the Ray cluster at {address} ({exc.strerror or exc}); "
                             "check the address and that the head node is running, or use "
                             "--executor local.") from None


def _ray_clip(task: ClipTask, data_ref: list, ship: bool) -> ClipOutcome:
    """Ray task body: read the clip in place if this node has the same bytes at that
    path, else fetch them from the object store (``ship`` forces the latter)."""
    import cv2
    import ray

    cv2.setNumThreads(1)  # one core per clip, as in the local pool
    data = None if not ship and same_content(Path(task.path), task.sha256) else ray.get(
        data_ref[0])
    return run_clip(task, data)


def make_executor(kind: str, *, workers: int | None = None, address: str | None = None):
    if kind == "local":
        return LocalExecutor(workers)
    if kind == "ray":
        return RayExecutor(address, workers)
    raise ValueError(f"unknown executor {kind!r}")
