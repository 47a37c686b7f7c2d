"""Reports people read: annotated video, HTML with plots, JSON and CSV.

``write_outputs(analysis, out_dir)`` is what every edge calls; it reads an
``Analysis`` and never recomputes it.
"""

from __future__ import annotations

import json
from pathlib import Path


def write_outputs(analysis, out_dir: str | Path, *, video: bool = True) -> dict[str, Path]:
    """Write every report for one analysis into ``out_dir``; return {kind: path}.

    PLACEHOLDER until the report module lands: JSON only.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "result.json"
    tmp = path.with_suffix(".json.partial")
    tmp.write_text(json.dumps(analysis.result.to_dict(), indent=1))
    tmp.replace(path)
    return {"json": path}
