"""The FastAPI app: the JSON API, the pages that use it, and their static assets.

Thin by design: uploads are queued for ``squatcheck.analyze`` and
``squatcheck.report.write_outputs`` (run by ``jobs.JobRunner``); this module
only stores, serves and refuses. Clients get one plain sentence for every
error (``{"error": ...}``), never a stack trace.
"""

from __future__ import annotations

import json
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from .. import __version__
from .jobs import JobRunner
from .pages import render_page
from .security import REPORT_CSP, SecurityMiddleware
from .store import Store, new_id, valid_id
from .upload import UploadRejected, check_video, receive_video

log = logging.getLogger("squatcheck.web")
STATIC = Path(__file__).parent / "static"
MAX_WAITING = 100  # queued analyses; more and new uploads are refused (503)
# API name → (file suffixes of write_outputs' files, MIME type, download suffix)
DOWNLOADS = {
    "report": ((".html",), "text/html; charset=utf-8", "report.html"),
    "video": ((".webm", ".mp4"), None, "annotated"),
    "json": ((".json",), "application/json", "result.json"),
    "csv": ((".csv",), "text/csv; charset=utf-8", "reps.csv"),
    "track": ((".npz",), "application/octet-stream", "track.npz"),
}
# Kept here, not in static/: package data ships only *.html, *.js and *.css.
FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect width="32" height="32" rx="6" fill="#1f5f8b"/>'
    '<path d="M11 6a3 3 0 1 1 0 .1M10 11l3 7-5 7M13 18l7-2 1 9" stroke="#fff" stroke-width="2.5" '
    'fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>')
NOT_FOUND = "No analysis with that id; it may have been deleted."


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    max_upload_bytes: int = 500_000_000
    jobs: int = 1
    token: str | None = None
    job_timeout_s: float = 1800.0


def create_app(settings: Settings) -> FastAPI:
    """Build the app; the job runner starts and stops with the app's lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        store = Store(settings.data_dir)
        runner = JobRunner(store, jobs=settings.jobs, timeout_s=settings.job_timeout_s)
        app.state.store, app.state.runner = store, runner
        runner.start()
        try:
            yield
        finally:
            runner.stop()
            store.close()

    app = FastAPI(title="squatcheck", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # their assets would come from a CDN
                  description="Squat form analysis of uploaded videos (see docs/web.md).")
    app.state.settings = settings
    _add_error_handlers(app)
    _add_api(app, settings)
    _add_pages(app)
    app.add_middleware(SecurityMiddleware, token=settings.token)
    return app


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "Request refused."
        if exc.status_code == 404 and message == "Not Found":
            message = "Nothing here; go to / for the squatcheck page."
        return _error(exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        return _error(400, "The request was not understood; see docs/web.md for the API.")

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception):
        log.exception("internal error on %s %s", request.method, request.url.path)
        return _error(500, "Internal error in squatcheck (a bug); the server log has details.")


def _state(request: Request) -> tuple[Store, JobRunner]:
    return request.app.state.store, request.app.state.runner


def _existing(request: Request, analysis_id: str) -> dict:
    store, _ = _state(request)
    row = store.get(analysis_id) if valid_id(analysis_id) else None
    if row is None:
        raise HTTPException(404, NOT_FOUND)
    return row


def _describe(row: dict, runner: JobRunner, *, with_result: bool, store: Store) -> dict:
    """The JSON form of one analysis (what the page polls)."""
    base = f"/api/analyses/{row['id']}"
    out = {"id": row["id"], "status": row["status"], "progress": row["progress"],
           "stage": row["stage"], "filename": row["filename"], "size_bytes": row["size_bytes"],
           "created_at": row["created_at"], "started_at": row["started_at"],
           "finished_at": row["finished_at"], "summary": row["summary"],
           "url": base, "page": f"/analyses/{row['id']}"}
    if row["status"] == "queued":
        out["queue_position"] = runner.queue_position(row["id"])
    if row["status"] == "failed":
        out["error"] = row["error"]
    if row["status"] == "done":
        out["files"] = {name: f"{base}/{name}" for name in DOWNLOADS
                        if _output_path(store, row, name) is not None}
        if with_result:
            path = _output_path(store, row, "json")
            out["result"] = json.loads(path.read_text()) if path else None
    return out


def _output_path(store: Store, row: dict, name: str) -> Path | None:
    suffixes = DOWNLOADS[name][0]
    for file_name in sorted((row["outputs"] or {}).values()):
        if file_name.endswith(suffixes):
            return store.output_file(row["id"], file_name)
    return None


def _add_api(app: FastAPI, settings: Settings) -> None:
    @app.get("/api/config")
    def config():
        """What the page needs to know before uploading."""
        return {"max_upload_bytes": settings.max_upload_bytes, "version": __version__}

    @app.post("/api/analyses", status_code=202)
    async def create_analysis(request: Request):
        """Upload a video (multipart field ``video``) and queue its analysis."""
        store, runner = _state(request)
        if store.count("queued") >= MAX_WAITING:
            return _error(503, "Too many videos are waiting to be analysed; try again later.")
        analysis_id = new_id()
        folder = store.folder(analysis_id)
        folder.mkdir()
        try:
            upload = await receive_video(request, folder / "upload.partial",
                                         settings.max_upload_bytes)
            suffix = await run_in_threadpool(check_video, upload)
        except UploadRejected as exc:
            store.delete(analysis_id)
            return _error(exc.status, exc.message)
        except BaseException:
            store.delete(analysis_id)
            raise
        input_name = "input" + suffix
        upload.path.replace(folder / input_name)
        store.add(analysis_id, filename=upload.filename, input_name=input_name,
                  size_bytes=upload.size_bytes)
        runner.submit(analysis_id)
        return JSONResponse({"id": analysis_id, "status": "queued",
                             "url": f"/api/analyses/{analysis_id}",
                             "page": f"/analyses/{analysis_id}"}, status_code=202,
                            headers={"location": f"/api/analyses/{analysis_id}"})

    @app.get("/api/analyses")
    def list_analyses(request: Request):
        store, runner = _state(request)
        return {"analyses": [_describe(r, runner, with_result=False, store=store)
                             for r in store.list()]}

    @app.get("/api/analyses/{analysis_id}")
    def get_analysis(request: Request, analysis_id: str):
        store, runner = _state(request)
        return _describe(_existing(request, analysis_id), runner, with_result=True, store=store)

    @app.delete("/api/analyses/{analysis_id}")
    def delete_analysis(request: Request, analysis_id: str):
        store, runner = _state(request)
        _existing(request, analysis_id)
        runner.cancel(analysis_id)
        store.delete(analysis_id)
        return {"id": analysis_id, "deleted": True}

    for name in DOWNLOADS:
        app.add_api_route(f"/api/analyses/{{analysis_id}}/{name}", _download_route(name),
                          methods=["GET"], name=f"download_{name}")

    @app.get("/api/analyses/{analysis_id}/{file_name}")
    def output_file(request: Request, analysis_id: str, file_name: str):
        """Any file of the report by its own name (the report links its video this way)."""
        store, _ = _state(request)
        row = _existing(request, analysis_id)
        path = store.output_file(analysis_id, file_name) if row["status"] == "done" else None
        if path is None or file_name.startswith("."):
            raise HTTPException(404, "This analysis has no such file.")
        headers = {"content-security-policy": REPORT_CSP} if path.suffix == ".html" else None
        return FileResponse(path, headers=headers)


def _download_route(name: str):
    suffixes, media_type, download_name = DOWNLOADS[name]

    def download(request: Request, analysis_id: str, download: bool = False):
        store, _ = _state(request)
        row = _existing(request, analysis_id)
        if row["status"] != "done":
            raise HTTPException(409, f"This analysis is {row['status']}; its files exist only "
                                "once it is done.")
        path = _output_path(store, row, name)
        if path is None:
            raise HTTPException(404, f"This analysis has no {name} file.")
        stem = Path(row["filename"]).stem or "video"
        nice = f"{stem}-{download_name}" + (path.suffix if name == "video" else "")
        headers = {"content-security-policy": REPORT_CSP} if name == "report" else {}
        return FileResponse(path, media_type=media_type, headers=headers,
                            filename=nice if download else None,
                            content_disposition_type="attachment" if download else "inline")

    download.__doc__ = f"The analysis's {name} file (``?download=1`` to save it)."
    return download


def _add_pages(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def home():
        return HTMLResponse(render_page("index"))

    @app.get("/history", include_in_schema=False)
    def history():
        return HTMLResponse(render_page("history"))

    @app.get("/analyses/{analysis_id}", include_in_schema=False)
    def analysis_page(analysis_id: str):
        if not valid_id(analysis_id):
            raise HTTPException(404, NOT_FOUND)
        return HTMLResponse(render_page("analysis"))

    @app.get("/favicon.svg", include_in_schema=False)
    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return Response(FAVICON_SVG, media_type="image/svg+xml")
