"""``result.json``: the analysis result as versioned JSON, with its JSON Schema.

The document is ``AnalysisResult.to_dict()`` (NaN -> null) with the per-frame
series rounded to 4 decimals (far below what the pose can resolve; it keeps the
file small). The schema (draft 2020-12) is ``report/schema.json``, documented
in ``docs/result-schema.md``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from ..files import write_atomic

SCHEMA_PATH = Path(__file__).with_name("schema.json")
SERIES_DECIMALS = 4


def result_document(result) -> dict:
    """The JSON-ready dict written to ``result.json``."""
    doc = result.to_dict()
    doc["series"] = {k: _round_list(v, k) for k, v in doc["series"].items()}
    return doc


def _round_list(values, key: str):
    if key == "frame_index" or not isinstance(values, list):
        return values
    return [round(v, SERIES_DECIMALS) if isinstance(v, float) else v for v in values]


def dumps(result) -> str:
    """Strict JSON text (no NaN/Infinity) of :func:`result_document`."""
    return json.dumps(result_document(result), indent=1, allow_nan=False, ensure_ascii=False)


def write_json(result, path: str | Path) -> Path:
    """Write ``result.json`` atomically (temp name, then rename)."""
    text = dumps(result) + "\n"
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


@cache
def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate(document: dict) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``document`` follows the schema.

    Needs the ``jsonschema`` package (a dev dependency; reports are written without it).
    """
    import jsonschema

    jsonschema.Draft202012Validator(load_schema(),
                                    format_checker=jsonschema.FormatChecker()).validate(document)
