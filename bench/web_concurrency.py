"""Twenty concurrent uploads to a real ``squatcheck serve``: all complete, each with its own result.

Starts the server on a free loopback port with a temporary data directory,
uploads the same real clip N times at once under N different names, waits for
every analysis, then checks each result is its own (its name, the clip's frame
count) and that all N agree with one another apart from the name (the same
video must give the same analysis). Prints the figures.

    .venv/bin/python bench/web_concurrency.py          # 20 × dnly_gf_1.gif, 1 job at a time
    .venv/bin/python bench/web_concurrency.py --jobs 2 --clip ../shared/clips/tux_hyva2.mp4
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = ROOT.parent / "shared" / "clips" / "dnly_gf_1.gif"


def start_server(data_dir: Path, jobs: int) -> tuple[subprocess.Popen, str, Path]:
    log = data_dir / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "squatcheck.cli", "serve", "--port", "0",
                                 "--data-dir", str(data_dir / "data"), "--jobs", str(jobs)],
                                stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        text = log.read_text()
        if text.endswith("\n"):
            return proc, text.splitlines()[0].split()[-1].rstrip("/"), log
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    sys.exit(f"the server did not start:\n{log.read_text()}")


def without_name(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "source"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20, help="concurrent uploads (default 20)")
    parser.add_argument("--jobs", type=int, default=1, help="server --jobs (default 1)")
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    args = parser.parse_args()
    payload = args.clip.read_bytes()
    names = [f"upload_{i:02d}{args.clip.suffix}" for i in range(args.n)]

    with tempfile.TemporaryDirectory(prefix="squatcheck-bench-") as tmp:
        proc, url, log = start_server(Path(tmp), args.jobs)
        try:
            def upload(name: str) -> tuple[str, float]:
                t = time.monotonic()
                with httpx.Client(base_url=url, timeout=120) as c:
                    r = c.post("/api/analyses", files={"video": (name, payload)})
                r.raise_for_status()
                return r.json()["id"], time.monotonic() - t

            t0 = time.monotonic()
            with ThreadPoolExecutor(args.n) as pool:
                sent = list(pool.map(upload, names))
            t_uploaded = time.monotonic() - t0
            ids = [i for i, _ in sent]
            finals: dict[str, dict] = {}
            with httpx.Client(base_url=url, timeout=60) as c:
                while len(finals) < args.n:
                    for analysis_id in ids:
                        if analysis_id not in finals:
                            a = c.get(f"/api/analyses/{analysis_id}").json()
                            if a["status"] in ("done", "failed"):
                                finals[analysis_id] = a
                    time.sleep(0.5)
            t_all = time.monotonic() - t0
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        server_log = log.read_text()

    problems = []
    if len(set(ids)) != args.n:
        problems.append("ids are not all different")
    results = []
    for analysis_id, name in zip(ids, names, strict=True):
        a = finals[analysis_id]
        if a["status"] != "done":
            problems.append(f"{name}: {a['status']}: {a.get('error')}")
            continue
        if a["filename"] != name or a["result"]["source"] != name:
            problems.append(f"{name}: got the result of {a['result']['source']}")
        results.append(without_name(a["result"]))
        run_s = a["finished_at"] - a["started_at"]
        a["run_s"] = run_s
    if results and any(r != results[0] for r in results):
        problems.append("the same video gave different results")
    frames = {finals[i]["summary"]["frames"] for i in ids if finals[i]["status"] == "done"}
    runs = sorted(a["run_s"] for a in finals.values() if "run_s" in a)
    print(f"clip: {args.clip.name} ({len(payload) / 1e6:.2f} MB, frames per result: "
          f"{sorted(frames)}), server --jobs {args.jobs}")
    print(f"{args.n} concurrent uploads accepted in {t_uploaded:.2f} s "
          f"(slowest upload {max(t for _, t in sent):.2f} s)")
    print(f"all {args.n} analyses finished in {t_all:.1f} s: "
          f"{sum(a['status'] == 'done' for a in finals.values())} done, "
          f"{sum(a['status'] == 'failed' for a in finals.values())} failed; "
          f"{args.n / t_all * 60:.1f} clips/min")
    if runs:
        print(f"per analysis (server side): median {runs[len(runs) // 2]:.2f} s, "
              f"max {runs[-1]:.2f} s")
    if "Traceback" in server_log:
        problems.append("the server log holds a traceback")
    for p in problems:
        print("PROBLEM:", p)
    print("OK: every upload got its own, correct result" if not problems else "FAILED")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
