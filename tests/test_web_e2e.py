"""End to end: a real ``squatcheck serve`` process, driven by Debian's Chromium (Playwright).

Covers the two ways in (upload a real clip; record with a fake camera fed from a
real clip's frames), the result page and report, the history with delete, the
upload cap holding while the body streams, and twenty concurrent uploads.
"""

from __future__ import annotations

import re
import select
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import cv2
import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from test_web_support import SMALL_CLIP, clip_frames, wait_until_finished, write_y4m

CHROMIUM = "/usr/bin/chromium"
DONE_TIMEOUT_MS = 180_000
VIDEO_DURATION = """v => new Promise(ok => {
    if (v.readyState >= 1) ok(v.duration);
    v.addEventListener('loadedmetadata', () => ok(v.duration));
    v.addEventListener('error', () => ok(-1)); v.load(); })"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``squatcheck serve`` on a free loopback port; yields its base URL."""
    folder = tmp_path_factory.mktemp("serve")
    log = folder / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "squatcheck.cli", "serve", "--port", "0", "--data-dir",
             str(folder / "data"), "--max-upload-mb", "2"], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while not log.read_text().endswith("\n") and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.1)
        line = log.read_text().splitlines()[0]
        assert line.startswith("squatcheck web app: http://127.0.0.1:"), line
        yield line.split()[-1].rstrip("/")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert "Traceback" not in log.read_text(), log.read_text()


@pytest.fixture(scope="module")
def camera_file(tmp_path_factory) -> Path:
    """The fake camera's picture: the real clip's frames, upscaled ×2, at 25 frames/s."""
    frames = [cv2.resize(f, None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR)
              for f in clip_frames(SMALL_CLIP)]
    return write_y4m(tmp_path_factory.mktemp("camera") / "squat.y4m", frames, fps=25)


@pytest.fixture(scope="module")
def browser(camera_file):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={camera_file}"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, accept_downloads=True)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.outside = []
    page.on("request", lambda r: not r.url.startswith((server, "blob:", "data:"))
            and page.outside.append(r.url))
    yield page
    context.close()


def see_the_report(page) -> str:
    """Wait for the result page to finish; check video, downloads and report; return the id."""
    page.wait_for_url("**/analyses/*")
    page.wait_for_selector("body[data-status=done]", timeout=DONE_TIMEOUT_MS)
    analysis_id = page.url.rsplit("/", 1)[-1]
    for name in ("report", "json", "csv", "video"):
        assert page.locator(f"#link-{name}").is_visible(), name
    assert page.eval_on_selector("#annotated", VIDEO_DURATION) > 0, "the video does not load"
    report = page.frame_locator("#report")
    report.locator("body").wait_for()
    assert len(report.locator("body").inner_text()) > 50
    frame = page.locator("#report").element_handle().content_frame()
    if frame.query_selector("video"):  # the report links the annotated video by its name
        assert frame.eval_on_selector("video", VIDEO_DURATION) > 0, "the report's video"
    with page.expect_download() as info:
        page.click("#link-json")
    result = Path(info.value.path()).read_text()
    assert '"schema_version"' in result
    return analysis_id


def test_upload_a_real_clip_and_see_the_report(page, server):
    page.goto("/")
    # filled in by the page's script once it has the server's limits: wait for it
    expect(page.locator("#limit")).to_have_text(re.compile(r"^Up to 2\.0 MB"))
    page.set_input_files("#file", str(SMALL_CLIP))
    page.click("#upload-button")
    analysis_id = see_the_report(page)
    assert page.locator("#title").inner_text() == SMALL_CLIP.name

    page.goto("/history")
    row = page.locator(f"tr[data-id='{analysis_id}']")
    assert SMALL_CLIP.name in row.inner_text() and "done" in row.inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Delete").click()
    row.wait_for(state="detached")
    assert httpx.get(f"{server}/api/analyses/{analysis_id}").status_code == 404
    assert page.errors == [] and page.outside == []


def test_record_with_the_webcam_and_see_the_report(page):
    page.goto("/")
    page.click("#camera-start")
    page.wait_for_function("() => document.getElementById('preview').videoWidth > 0")
    # shown like a mirror while recording; the recording itself is not flipped
    assert page.evaluate("() => getComputedStyle(document.getElementById('preview')).transform") \
        == "matrix(-1, 0, 0, 1, 0, 0)"
    page.click("#record-start")
    page.wait_for_timeout(3000)
    page.click("#record-stop")
    page.wait_for_selector("#recorded-actions", state="visible")
    page.click("#record-upload")
    see_the_report(page)
    title = page.locator("#title").inner_text()
    assert title.startswith("webcam-") and title.endswith(".webm")
    summary = page.evaluate("() => fetch(location.pathname.replace('/analyses/', '/api/analyses/'))"
                            ".then(r => r.json())")["summary"]
    assert summary["frames"] >= 25 and summary["duration_s"] >= 2.0, summary
    assert page.errors == [] and page.outside == []


def test_the_upload_cap_holds_while_the_body_streams(server):
    """A chunked upload with no Content-Length is refused long before it is all sent."""
    host, port = urlsplit(server).hostname, urlsplit(server).port
    total, chunk = 20_000_000, b"\0" * 65536
    head = (b"--b\r\nContent-Disposition: form-data; name=\"video\"; filename=\"big.gif\"\r\n\r\n"
            + SMALL_CLIP.read_bytes()[:1000])
    sent = 0
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(f"POST /api/analyses HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: "
                     "multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n"
                     .encode())
        for part in [head] + [chunk] * (total // len(chunk)):
            if select.select([sock], [], [], 0)[0]:
                break  # the server answered mid-upload
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break
            sent += len(part)
        answer = b""
        while not answer.endswith(b"}"):  # the JSON body may come in its own segment
            data = sock.recv(65536)
            if not data:
                break
            answer += data
        answer = answer.decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "larger than this server's limit of 2 MB" in answer
    assert sent < total / 2


def make_tiny_clips(folder: Path, n: int) -> list[tuple[Path, int]]:
    """n distinct real clips: the first 5, 6, ... frames of the small clip, as Y4M."""
    frames = clip_frames(SMALL_CLIP, limit=4 + n)
    return [(write_y4m(folder / f"part_{k:02d}.y4m", frames[:k]), k) for k in range(5, 5 + n)]


def test_twenty_concurrent_uploads_get_their_own_results(server, tmp_path):
    clips = make_tiny_clips(tmp_path, 20)

    def upload(item):
        path, _ = item
        with httpx.Client(base_url=server, timeout=60) as c:
            r = c.post("/api/analyses", files={"video": (path.name, path.read_bytes())})
            assert r.status_code == 202, r.text
            return r.json()["id"]

    t0 = time.monotonic()
    with ThreadPoolExecutor(20) as pool:
        ids = list(pool.map(upload, clips))
    assert len(set(ids)) == 20
    with httpx.Client(base_url=server, timeout=60) as c:
        for analysis_id, (path, frames) in zip(ids, clips, strict=True):
            final, _ = wait_until_finished(c.get, f"/api/analyses/{analysis_id}", interval_s=0.5)
            assert final["status"] == "done", final
            assert final["filename"] == path.name and final["result"]["source"] == path.name
            assert final["summary"]["frames"] == frames
            assert c.get(final["files"]["json"]).json()["source"] == path.name
            assert c.delete(f"/api/analyses/{analysis_id}").status_code == 200
    print(f"20 concurrent uploads done in {time.monotonic() - t0:.1f} s")
