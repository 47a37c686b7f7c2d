"""Clinic batch: a folder or manifest of clips in, per-clip reports and one summary out.

Runs on local processes (one clip per core) or a Ray cluster, and resumes an
interrupted batch by content hash. See docs/batch.md.
"""

from .runner import BatchRun, run_batch

__all__ = ["BatchRun", "run_batch"]
