"""What a batch runs on: the clips of a folder (searched recursively) or of a manifest CSV.

Each clip becomes a :class:`ClipJob` with a stable id, the folder name its outputs
get under ``OUT/clips/``. Ids and order depend only on the input (sorted paths,
or manifest row order), so a resumed batch lines up with the one it continues.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputNotFound
from ..video import VIDEO_SUFFIXES, _magic_kind

MANIFEST_SUFFIXES = (".csv", ".tsv")
# Manifest headers we understand (lower-case); any other column passes through untouched.
PATH_COLUMNS = ("path", "file", "filename", "video", "clip")
PATIENT_COLUMNS = ("patient", "patient_id", "subject", "participant")
VISIT_COLUMNS = ("visit_date", "visit", "date", "session")
SIDE_COLUMNS = ("side", "leg", "stance")


class ManifestError(InputNotFound):
    """A manifest that cannot be read or has no column naming the clips."""


@dataclass(frozen=True)
class ClipJob:
    """One input clip. ``path`` is absolute (it may not exist: the row then fails).

    ``label`` is what people see in the summary: the path relative to the input
    folder, or the file name for a manifest row (its path column passes through).
    ``extra`` holds the manifest row (every column, in the manifest's order), empty
    for a folder.
    """

    order: int
    clip_id: str
    path: Path
    label: str
    extra: dict[str, str] = field(default_factory=dict)
    problem: str | None = None  # a reason this row cannot run at all (e.g. no path)


@dataclass(frozen=True)
class BatchInput:
    """The clips of one batch and where they came from."""

    source: Path
    kind: str  # "folder" | "manifest"
    jobs: list[ClipJob]
    columns: list[str]  # manifest columns in order ([] for a folder)
    patient_column: str | None = None
    visit_column: str | None = None
    side_column: str | None = None


def discover(source: str | Path, *, exclude: Path | None = None) -> BatchInput:
    """Read a folder or a manifest CSV into jobs; ``exclude`` (the output folder) is skipped."""
    source = Path(source)
    if not source.exists():
        raise InputNotFound(f"{source} does not exist; give a folder of videos or a manifest "
                            "CSV.")
    if source.is_dir():
        return _from_folder(source, exclude)
    if source.suffix.lower() in MANIFEST_SUFFIXES:
        return _from_manifest(source)
    raise InputNotFound(f"{source} is neither a folder nor a manifest CSV; for a single video "
                        "use 'squatcheck analyze'.")


def _from_folder(root: Path, exclude: Path | None) -> BatchInput:
    exclude = exclude.resolve() if exclude is not None else None
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and (exclude is None or (here / d).resolve() != exclude))
        found += [here / f for f in filenames if not f.startswith(".") and _looks_like_video(
            here / f)]
    rels = sorted(p.relative_to(root).as_posix() for p in found)
    if not rels:
        raise InputNotFound(f"No video files were found in {root} (looked for "
                            f"{', '.join(VIDEO_SUFFIXES)}); check the folder.")
    ids = _unique_ids(_slug(rel) for rel in rels)
    jobs = [ClipJob(i, cid, Path(os.path.normpath(root.absolute() / rel)), rel) for i, (rel, cid) in
            enumerate(zip(rels, ids, strict=True))]
    return BatchInput(root, "folder", jobs, [])


def _looks_like_video(path: Path) -> bool:
    """By extension, or by content for files whose extension says nothing (camera dumps).

    Broken files with a video extension are kept on purpose: the summary lists them.
    """
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return True
    if path.suffix.lower() in MANIFEST_SUFFIXES or not path.is_file():
        return False
    try:
        with path.open("rb") as fh:
            return _magic_kind(fh.read(64)) == "video"
    except OSError:
        return False


def _one_line(cell: str) -> str:
    """A cell's line breaks (a note typed over two lines) as spaces: "knee pain\nsince
    May" had become "knee painsince May"."""
    return re.sub(r"[\r\n\u2028\u2029]+", " ", cell).strip()


def _from_manifest(manifest: Path) -> BatchInput:
    try:
        text = manifest.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"The manifest {manifest} cannot be read ({exc}); save it as "
                            "UTF-8 CSV.") from None
    lines = text.splitlines()
    if not lines:
        raise ManifestError(f"The manifest {manifest} is empty; give a header row and one row "
                            "per clip.")
    try:
        dialect = csv.Sniffer().sniff(lines[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)  # quoted line breaks kept
    header = [h.strip() for h in next(reader)]
    lower = [h.lower() for h in header]
    path_col = _pick(header, lower, PATH_COLUMNS)
    if path_col is None:
        raise ManifestError(f"The manifest {manifest} has no column naming the clips; add a "
                            f"'path' column (found: {', '.join(header)}).")
    base = manifest.parent
    rows, labels = [], []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        values = {h: (_one_line(row[i]) if i < len(row) else "") for i, h in enumerate(header)}
        rows.append(values)
        labels.append(values[path_col])
    if not rows:
        raise ManifestError(f"The manifest {manifest} lists no clips; add one row per clip.")
    patient_col = _pick(header, lower, PATIENT_COLUMNS)
    visit_col = _pick(header, lower, VISIT_COLUMNS)
    side_col = _pick(header, lower, SIDE_COLUMNS)
    stems = []
    for values, label in zip(rows, labels, strict=True):
        parts = [values.get(c, "") for c in (patient_col, visit_col, side_col) if c]
        stems.append(_slug("-".join([*filter(None, parts), Path(label).stem or "row"])))
    ids = _unique_ids(stems)
    jobs = []
    for i, (values, label, cid) in enumerate(zip(rows, labels, ids, strict=True)):
        if not label:
            jobs.append(ClipJob(i, cid, base, f"(row {i + 2})", values,
                                problem=f"Row {i + 2} of the manifest gives no path; fill in "
                                f"the '{path_col}' column."))
            continue
        path = Path(label).expanduser()
        path = Path(os.path.normpath(path if path.is_absolute() else base.absolute() / path))
        jobs.append(ClipJob(i, cid, path, Path(label).name, values))
    return BatchInput(manifest, "manifest", jobs, header, patient_col, visit_col, side_col)


def _pick(header: list[str], lower: list[str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if name in lower:
            return header[lower.index(name)]
    return None


def _slug(text: str) -> str:
    """Folder-safe, readable id: 'P01/visit 2/clip.MOV' -> 'P01-visit_2-clip.MOV'."""
    text = text.replace("/", "-").replace("\\", "-")
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-")
    if len(text) > 80:  # keep paths short; the hash keeps long ids apart
        text = text[:70] + "-" + hashlib.sha256(text.encode()).hexdigest()[:8]
    return text or "clip"


def _unique_ids(stems) -> list[str]:
    """Suffix repeats with -2, -3... (case-insensitively: some file systems fold case)."""
    used: set[str] = set()
    out = []
    for stem in stems:
        cid, n = stem, 1
        while cid.lower() in used:
            n += 1
            cid = f"{stem}-{n}"
        used.add(cid.lower())
        out.append(cid)
    return out
