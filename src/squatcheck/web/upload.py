"""Receive one uploaded video from a multipart request, straight to disk, size-capped.

The cap is enforced while the body streams in (and up front from
Content-Length), so an oversized upload is refused before it fills the disk.
The content is then sniffed (magic bytes, never the file name) and one frame
must decode before the upload is accepted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header

from ..errors import SquatcheckError
from ..video import VideoReader, sniff_video_file

FIELD = "video"
MULTIPART_SLACK_BYTES = 64 * 1024  # boundaries and part headers around the file
MAGIC_SUFFIXES = ((b"\x1a\x45\xdf\xa3", ".webm"), (b"GIF8", ".gif"), (b"YUV4MPEG2", ".y4m"),
                  (b"RIFF", ".avi"), (b"OggS", ".ogv"), (b"FLV", ".flv"))


class UploadRejected(Exception):
    """An upload refused with an HTTP status and one sentence for the user."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class Upload:
    path: Path
    filename: str
    size_bytes: int


def too_large(max_bytes: int) -> UploadRejected:
    return UploadRejected(413, f"The video is larger than this server's limit of "
                          f"{max_bytes / 1e6:.0f} MB; trim it or record a shorter clip.")


async def receive_video(request, dest: Path, max_bytes: int) -> Upload:
    """Stream the multipart field ``video`` of ``request`` into ``dest``.

    Raises UploadRejected (400 malformed, 413 too large); leaves ``dest``
    absent on failure.
    """
    ctype, params = parse_options_header(request.headers.get("content-type"))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise UploadRejected(400, f"Send the video as multipart/form-data in a field named "
                             f"'{FIELD}'.")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes + MULTIPART_SLACK_BYTES:
        raise too_large(max_bytes)
    sink = _VideoSink(dest, max_bytes)
    try:
        parser = MultipartParser(boundary, sink.callbacks())
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_bytes + MULTIPART_SLACK_BYTES:
                raise too_large(max_bytes)
            parser.write(chunk)
            if sink.error:
                raise sink.error
        parser.finalize()
    except UploadRejected:
        sink.discard()
        raise
    except Exception:  # a malformed body: the parser's own errors are not for users
        sink.discard()
        raise UploadRejected(400, "The upload was malformed or cut off; try again.") from None
    sink.close()
    if sink.filename is None:
        sink.discard()
        raise UploadRejected(400, f"No file was sent in the form field '{FIELD}'.")
    if sink.size == 0:
        sink.discard()
        raise UploadRejected(400, "The uploaded file is empty (0 bytes); choose the video again.")
    return Upload(dest, sink.filename, sink.size)


def check_video(upload: Upload) -> str:
    """Sniff the content and decode one frame; return the suffix the file should carry.

    Blocking (decodes): run it in a thread. Raises UploadRejected(415).
    """
    try:
        sniff_video_file(upload.path)
        with VideoReader(upload.path) as reader:
            first = next(iter(reader), None)
    except SquatcheckError as exc:
        raise UploadRejected(415, exc.message.replace(str(upload.path), upload.filename)) from None
    if first is None:
        raise UploadRejected(415, f"{upload.filename} holds no video frames that can be decoded; "
                             "try re-exporting it as MP4.")
    with upload.path.open("rb") as fh:
        head = fh.read(16)
    if head[4:8] == b"ftyp":
        return ".mov" if head[8:10] == b"qt" else ".mp4"
    return next((suffix for magic, suffix in MAGIC_SUFFIXES if head.startswith(magic)), ".video")


def display_name(raw: str | None) -> str:
    """The user's file name, safe to show and store: base name only, no control characters."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name[:120] or "video"


class _VideoSink:
    """Multipart callbacks that write the ``video`` part to disk and count its bytes."""

    def __init__(self, dest: Path, max_bytes: int):
        self.dest, self.max_bytes = dest, max_bytes
        self.filename: str | None = None
        self.size = 0
        self.error: UploadRejected | None = None
        self._fh = None
        self._headers: dict[bytes, bytes] = {}
        self._field, self._value = b"", b""
        self._active = False

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda d, s, e: setattr(self, "_field", self._field + d[s:e]),
            "on_header_value": lambda d, s, e: setattr(self, "_value", self._value + d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._headers, self._field, self._value = {}, b"", b""

    def _header_end(self) -> None:
        self._headers[self._field.strip().lower()] = self._value.strip()
        self._field, self._value = b"", b""

    def _headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b"")
                                         .decode("latin-1"))
        if params.get(b"name") != FIELD.encode() or b"filename" not in params:
            return
        if self.filename is not None:
            self.error = UploadRejected(400, f"Send one video per upload (field '{FIELD}').")
            return
        self.filename = display_name(params[b"filename"].decode("utf-8", "replace"))
        self._fh = self.dest.open("xb")
        self._active = True

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if not self._active or self.error:
            return
        self.size += end - start
        if self.size > self.max_bytes:
            self.error = too_large(self.max_bytes)
            return
        self._fh.write(data[start:end])

    def _part_end(self) -> None:
        self._active = False

    def close(self) -> None:
        if self._fh:
            self._fh.close()
            self._fh = None

    def discard(self) -> None:
        self.close()
        self.dest.unlink(missing_ok=True)
