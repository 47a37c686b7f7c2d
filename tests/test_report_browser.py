"""The HTML report in headless Chromium: loads cleanly, shows every rep and finding, video plays.

Uses Debian's Chromium (installed by the project's setup) through Playwright,
with the report folder served from a stdlib HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import sync_playwright

from squatcheck.report import write_outputs
from squatcheck.report.display import finding_label
from test_report_support import make_analysis

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    src = tmp_path_factory.mktemp("browser_src")
    analysis = make_analysis(src)
    out = tmp_path_factory.mktemp("browser_out")
    write_outputs(analysis, out)
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(QuietHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield analysis, f"http://127.0.0.1:{server.server_address[1]}/report.html"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def page(served):
    _analysis, url = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1100, "height": 900})
        pg.problems, pg.requests = [], []
        pg.on("console", lambda m: pg.problems.append(f"console {m.type}: {m.text}")
              if m.type == "error" else None)
        pg.on("pageerror", lambda exc: pg.problems.append(f"page error: {exc}"))
        pg.on("requestfailed", lambda r: pg.problems.append(f"request failed: {r.url}"))
        pg.on("request", lambda r: pg.requests.append(r.url))
        pg.goto(url, wait_until="load")
        yield pg
        browser.close()


def test_loads_without_errors_and_stays_local(page):
    page.wait_for_timeout(300)
    assert page.problems == []
    assert page.title().startswith("squatcheck report")
    outside = [u for u in page.requests
               if not u.startswith(("http://127.0.0.1:", "data:"))]
    assert outside == []


def test_every_rep_and_finding_is_shown(served, page):
    analysis, _ = served
    for n, rep in enumerate(analysis.result.reps, 1):
        card = page.locator(f"#rep-{n}")
        assert card.is_visible()
        assert card.locator("img").evaluate("i => i.complete && i.naturalWidth > 0")
        folded = card.locator("details.not-assessed")
        for name, finding in rep.findings.items():
            row = card.locator(f'tr[data-finding="{name}"]')
            # not assessable: named on the folded line, the row with its reason under it
            assert row.is_visible() != (not finding.assessable), (n, name)
            if not finding.assessable:
                assert finding_label(name) in folded.locator("summary").inner_text()
            assert finding_label(name) in row.text_content()
        if folded.count():
            folded.locator("summary").click()
            assert all(row.is_visible() for row in folded.locator("tr[data-finding]").all())
        assert page.locator(f'#rep-table tr[data-rep="{n}"]').is_visible()
    shown = page.locator("#findings-overview tr[data-finding]").count()
    assert shown == len({name for rep in analysis.result.reps for name in rep.findings})
    for img in page.locator("#plots figure img").all():
        assert img.evaluate("i => i.complete && i.naturalWidth > 0")


def test_annotated_video_plays(page):
    video = page.locator("video#annotated")
    assert video.is_visible()
    page.wait_for_function("document.getElementById('annotated').readyState >= 1",
                           timeout=15_000)
    duration = video.evaluate("v => v.duration")
    assert duration > 1.0
    video.evaluate("v => v.play()")
    page.wait_for_function("document.getElementById('annotated').currentTime > 0.2",
                           timeout=15_000)
    first = video.evaluate("v => v.currentTime")
    page.wait_for_timeout(400)
    assert video.evaluate("v => v.currentTime") > first
    assert video.evaluate("v => v.error") is None


def test_prints_to_pdf(page):
    page.emulate_media(media="print")
    assert not page.locator("video#annotated").is_visible()  # replaced by a note in print
    pdf = page.pdf(format="A4", print_background=True)
    page.emulate_media(media="screen")
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000
