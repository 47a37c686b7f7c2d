"""The web app's JSON API through FastAPI's TestClient, with real analyses of a real clip."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from squatcheck.web.app import Settings, create_app
from squatcheck.web.store import Store
from squatcheck.web.upload import display_name
from test_web_support import SMALL_CLIP, wait_until_finished

LIMIT_BYTES = 1_000_000  # dnly_gf_1.gif is 767 kB
BASE = "http://127.0.0.1"


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("web-data")


@pytest.fixture(scope="session")
def client(data_dir):
    app = create_app(Settings(data_dir=data_dir, max_upload_bytes=LIMIT_BYTES, jobs=1))
    with TestClient(app, base_url=BASE) as c:
        yield c


@pytest.fixture(scope="session")
def done(client):
    """One real analysis of a real clip, followed from upload to done."""
    response = client.post("/api/analyses",
                           files={"video": ("dnly_gf_1.gif", SMALL_CLIP.read_bytes(), "image/gif")})
    assert response.status_code == 202, response.text
    final, seen = wait_until_finished(client.get, response.json()["url"])
    return {"post": response, "final": final, "seen": seen}


def folders(data_dir: Path) -> set[str]:
    return {p.name for p in (data_dir / "analyses").iterdir()}


def assert_refused(response, status: int, *phrases: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    for phrase in phrases:
        assert phrase in body["error"]
    assert "Traceback" not in body["error"] and "/tmp/" not in body["error"]


# --- upload, progress, result, downloads -------------------------------------------------

def test_upload_answers_202_with_a_random_id(done):
    post = done["post"]
    body = post.json()
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", body["id"])
    assert post.headers["location"] == f"/api/analyses/{body['id']}"
    assert body["status"] == "queued"


def test_progress_is_reported_until_done(done):
    seen = done["seen"]
    statuses = [s["status"] for s in seen]
    assert statuses[-1] == "done", seen[-1]
    assert set(statuses[:-1]) <= {"queued", "running"} and len(statuses) > 1
    progress = [s["progress"] for s in seen]
    assert all(0.0 <= p <= 1.0 for p in progress)
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert any(0.0 < p < 1.0 for p in progress), "no intermediate progress was ever reported"


def test_result_comes_with_the_finished_analysis(done, data_dir):
    final = done["final"]
    result = final["result"]
    assert result["schema_version"] and result["source"] == "dnly_gf_1.gif"
    assert final["summary"]["frames"] == 87
    assert final["summary"]["overall"] == result["summary"]["rating"]["overall"]
    assert final["summary"]["reps"] == len(result["reps"])
    assert final["filename"] == "dnly_gf_1.gif" and final["size_bytes"] == SMALL_CLIP.stat().st_size
    stored = data_dir / "analyses" / final["id"] / "out" / "result.json"
    assert json.loads(stored.read_text()) == result


def test_every_report_file_downloads(client, done):
    final = done["final"]
    files = final["files"]
    assert set(files) >= {"report", "video", "json", "csv"}, files
    expect = {"report": "text/html", "video": "video/", "json": "application/json",
              "csv": "text/csv"}
    for name, prefix in expect.items():
        r = client.get(files[name])
        assert r.status_code == 200 and r.headers["content-type"].startswith(prefix), name
        assert len(r.content) > 0
        saved = client.get(files[name], params={"download": 1})
        disposition = saved.headers["content-disposition"]
        assert disposition.startswith("attachment") and "dnly_gf_1-" in disposition
        assert saved.content == r.content
    assert client.get(files["json"]).json() == final["result"]


def test_the_list_holds_the_analysis(client, done):
    listed = client.get("/api/analyses").json()["analyses"]
    mine = [a for a in listed if a["id"] == done["final"]["id"]]
    assert len(mine) == 1 and mine[0]["status"] == "done" and "result" not in mine[0]


def test_delete_while_analysing_stops_and_removes_everything(client, data_dir, done):
    response = client.post("/api/analyses",
                           files={"video": ("again.gif", SMALL_CLIP.read_bytes(), "image/gif")})
    analysis_id = response.json()["id"]
    assert analysis_id in folders(data_dir)
    slot = wait_for_running(client, response.json()["url"])
    process = slot._proc
    assert process is not None and process.is_alive()
    deleted = client.delete(f"/api/analyses/{analysis_id}")
    assert not process.is_alive() and slot._proc is None  # the analysis was stopped
    assert deleted.status_code == 200 and deleted.json() == {"id": analysis_id, "deleted": True}
    assert_refused(client.get(f"/api/analyses/{analysis_id}"), 404, "No analysis with that id")
    assert_refused(client.delete(f"/api/analyses/{analysis_id}"), 404, "No analysis")
    assert analysis_id not in folders(data_dir)
    assert analysis_id not in [a["id"] for a in client.get("/api/analyses").json()["analyses"]]


def wait_for_running(client, url: str):
    """Until the job runs in the (only) slot's analysis process; return that slot."""
    slot = client.app.state.runner._slots[0]
    deadline = time.monotonic() + 60
    while client.get(url).json()["status"] != "running" or slot._proc is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return slot


def test_a_crashed_analysis_is_recorded_as_failed_and_the_next_one_runs(client):
    response = client.post("/api/analyses",
                           files={"video": ("crash.gif", SMALL_CLIP.read_bytes(), "image/gif")})
    url = response.json()["url"]
    process = wait_for_running(client, url)._proc
    process.kill()  # what an out-of-memory kill or a segfault in the model would look like
    final, _ = wait_until_finished(client.get, url)
    assert final["status"] == "failed" and "stopped unexpectedly" in final["error"]
    client.delete(url)


def test_a_video_without_a_person_fails_with_its_reason(client, tmp_path):
    path = tmp_path / "empty_room.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 25, (160, 120))
    for i in range(8):
        writer.write(np.full((120, 160, 3), 40 + 10 * i, np.uint8))
    writer.release()
    response = client.post("/api/analyses", files={"video": (path.name, path.read_bytes())})
    assert response.status_code == 202, response.text
    final, _ = wait_until_finished(client.get, response.json()["url"])
    assert final["status"] == "failed"
    assert final["error"].startswith("No person was found in empty_room.avi")
    assert "files" not in final and "result" not in final
    assert_refused(client.get(f"{final['url']}/json"), 409, "failed")


# --- rejections ----------------------------------------------------------------------------

def multipart(name: str, payload: bytes, field: str = "video") -> tuple[bytes, str]:
    boundary = "squatcheckboundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{name}"\r\nContent-Type: video/mp4\r\n\r\n').encode()
    return body + payload + f"\r\n--{boundary}--\r\n".encode(), boundary


def test_too_large_is_refused_from_its_declared_length(client, data_dir):
    before = folders(data_dir)
    response = client.post("/api/analyses", files={
        "video": ("big.gif", SMALL_CLIP.read_bytes() * 2, "image/gif")})
    assert_refused(response, 413, "larger than this server's limit of 1 MB")
    assert folders(data_dir) == before


def test_too_large_is_refused_without_a_declared_length(client, data_dir):
    """Chunked (no Content-Length): the cap holds on the bytes received. That it holds
    before the whole body is read is tested against a real server in test_web_e2e.py."""
    body, boundary = multipart("big.gif", SMALL_CLIP.read_bytes() * 3)

    def chunks():
        for i in range(0, len(body), 65536):
            yield body[i:i + 65536]

    before = folders(data_dir)
    response = client.post("/api/analyses", content=chunks(),
                           headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert_refused(response, 413, "larger than")
    assert folders(data_dir) == before


@pytest.mark.parametrize("name, payload, phrase", [
    ("notes.mp4", b"These are my squat notes, not a video.\n" * 20, "is a text file, not a video"),
    ("photo.mp4", cv2.imencode(".png", np.zeros((32, 32, 3), np.uint8))[1].tobytes(),
     "is a still image"),
    ("noise.mp4", np.random.default_rng(0).integers(0, 256, 4096, np.uint8).tobytes(),
     "noise.mp4"),
])
def test_not_a_video_is_refused_by_content_not_name(client, data_dir, name, payload, phrase):
    before = folders(data_dir)
    response = client.post("/api/analyses", files={"video": (name, payload, "video/mp4")})
    assert_refused(response, 415, phrase)
    assert folders(data_dir) == before


def test_a_real_video_with_a_wrong_or_hostile_name_is_accepted_under_its_base_name(
        client, data_dir):
    response = client.post("/api/analyses", files={
        "video": ("../../renamed.txt", SMALL_CLIP.read_bytes(), "text/plain")})
    assert response.status_code == 202
    analysis = client.get(response.json()["url"]).json()
    assert analysis["filename"] == "renamed.txt"
    stored = list((data_dir / "analyses" / analysis["id"]).iterdir())
    assert [p.name for p in stored if p.name.startswith("input")] == ["input.gif"]
    assert not (data_dir.parent / "renamed.txt").exists()
    client.delete(response.json()["url"])


@pytest.mark.parametrize("raw, shown", [
    ("C:\\Users\\me\\squat.mp4", "squat.mp4"), ("/etc/passwd", "passwd"),
    ("a\x00b\nc.mp4", "abc.mp4"), ("..", ".."), ("", "video"), (None, "video"),
    ("x" * 300, "x" * 120),
])
def test_the_users_file_name_is_only_ever_a_display_name(raw, shown):
    assert display_name(raw) == shown


@pytest.mark.parametrize("kwargs, phrase", [
    ({"files": {"file": ("a.gif", SMALL_CLIP.read_bytes()[:2000])}}, "form field 'video'"),
    ({"files": {"video": ("a.gif", b"")}}, "empty"),
    ({"content": b"GIF89a...", "headers": {"content-type": "video/mp4"}}, "multipart/form-data"),
])
def test_malformed_uploads_are_refused(client, kwargs, phrase):
    assert_refused(client.post("/api/analyses", **kwargs), 400, phrase)


@pytest.mark.parametrize("path", [
    "/api/analyses/not-an-id", "/api/analyses/AAAAAAAAAAAAAAAAAAAAAA",
    "/api/analyses/AAAAAAAAAAAAAAAAAAAAAA/report", "/api/analyses/x/json",
])
def test_bad_ids_are_404(client, path):
    assert_refused(client.get(path), 404)


@pytest.mark.parametrize("suffix", [
    "..%2F..%2Findex.sqlite3", "..%2Finput.gif", "input.gif", "%2e%2e%2f%2e%2e%2findex.sqlite3",
    "%2e%2e", "..%5C..%5Cindex.sqlite3",
])
def test_traversal_from_an_analysis_is_404(client, done, suffix):
    response = client.get(f"/api/analyses/{done['final']['id']}/{suffix}")
    assert response.status_code == 404
    assert b"SQLite" not in response.content and b"GIF8" not in response.content


@pytest.mark.parametrize("path", [
    "/api/analyses/..%2F..%2Findex.sqlite3", "/api/analyses/..%2Fanalyses",
    "/static/..%2Fapp.py", "/static/../app.py", "/analyses/..%2F..%2Fetc%2Fpasswd",
])
def test_traversal_by_id_or_static_path_is_404(client, data_dir, path):
    before = folders(data_dir)
    for method in ("GET", "DELETE"):
        response = client.request(method, path)
        assert response.status_code in (404, 405), (method, path, response.status_code)
        assert b"import" not in response.content and b"SQLite" not in response.content
    assert folders(data_dir) == before and (data_dir / "index.sqlite3").exists()


# --- who may ask, and what every answer carries ----------------------------------------

def test_every_answer_carries_the_security_headers(client):
    for path in ("/", "/history", "/api/analyses", "/api/analyses/nope"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "media-src 'self' blob:" in csp
        assert "script-src 'self';" in csp and "unsafe" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_pages_load_nothing_from_outside(client):
    for path in ("/", "/history", "/analyses/AAAAAAAAAAAAAAAAAAAAAA"):
        html = client.get(path).text
        assert "://" not in html
        for asset in re.findall(r'(?:src|href)="(/[^"]*)"', html):
            assert client.get(asset).status_code == 200, asset


@pytest.mark.parametrize("path, title, module, heading", [
    ("/", "analyse a squat", "home.js", "Check a squat"),
    ("/history", "history", "history.js", "Past analyses"),
    ("/analyses/AAAAAAAAAAAAAAAAAAAAAA", "analysis", "analysis.js", "Analysis"),
])
def test_each_page_is_the_shared_layout_around_its_own_content(client, path, title, module,
                                                               heading):
    response = client.get(path)
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    assert f"<title>squatcheck — {title}</title>" in html and "${" not in html
    assert re.findall(r'<script type="module" src="([^"]+)"', html) == [f"/static/{module}"]
    assert html.count('<nav><a href="/">New analysis</a><a href="/history">History</a></nav>') == 1
    assert html.count('id="error"') == 1  # the line every page's module writes errors to
    main = html[html.index("<main>"):html.index("</main>")]
    assert f">{heading}</h1>" in main


def test_interactive_docs_are_off_and_the_schema_is_local(client):
    assert client.get("/docs").status_code == 404
    schema = client.get("/openapi.json").json()
    assert "/api/analyses" in schema["paths"] and "/api/analyses/{analysis_id}" in schema["paths"]


def test_other_host_names_are_refused_on_loopback(client):
    """A page on another site cannot reach the server by rebinding its DNS to 127.0.0.1."""
    assert_refused(client.get("/api/analyses", headers={"host": "evil.example"}), 400,
                   "only answers at http://127.0.0.1")


def test_cross_site_posts_and_deletes_are_refused(client, done):
    response = client.post("/api/analyses", headers={"origin": "http://evil.example"},
                           files={"video": ("a.gif", SMALL_CLIP.read_bytes())})
    assert_refused(response, 403, "must come from the squatcheck page")
    response = client.delete(done["final"]["url"], headers={"origin": "http://evil.example"})
    assert_refused(response, 403)
    assert client.get(done["final"]["url"]).status_code == 200


def test_a_token_server_refuses_requests_without_it(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, token="s3cret-token"))
    with TestClient(app, base_url="http://192.168.1.20:8000") as c:
        assert_refused(c.get("/api/analyses"), 401, "access token")
        assert_refused(c.get("/api/analyses", headers={"authorization": "Bearer wrong"}), 401)
        ok = c.get("/api/analyses", headers={"authorization": "Bearer s3cret-token"})
        assert ok.status_code == 200 and ok.json() == {"analyses": []}
        signin = c.get("/history?token=s3cret-token", follow_redirects=False)
        assert signin.status_code == 303 and signin.headers["location"] == "/history"
        assert "HttpOnly" in signin.headers["set-cookie"]
        assert c.get("/api/analyses").status_code == 200  # the cookie now carries it


def test_an_interrupted_server_leaves_failed_jobs_with_a_reason(tmp_path):
    store = Store(tmp_path)
    for analysis_id, status in (("A" * 22, "running"), ("B" * 22, "queued")):
        store.add(analysis_id, filename="x.mp4", input_name="input.mp4", size_bytes=1)
        store.update(analysis_id, status=status)
    store.close()
    store = Store(tmp_path)
    assert store.recover() == ["B" * 22]
    failed = store.get("A" * 22)
    assert failed["status"] == "failed" and "server stopped" in failed["error"]
    store.close()
