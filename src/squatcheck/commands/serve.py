"""``squatcheck serve``: the local web app (upload or record a video, get the report)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
import socket
from pathlib import Path

from ..errors import SquatcheckError
from .common import positive


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "squatcheck" / "web"


def register(sub) -> None:
    p = sub.add_parser(
        "serve", help="run the local web app: upload or record a video, get the report",
        description="Serve a web page to upload a video or record one with the webcam, follow "
        "its analysis and read the report; past analyses are kept under --data-dir. Videos "
        "never leave this machine.",
        epilog="examples:\n  squatcheck serve                      # http://127.0.0.1:8000/\n"
        "  squatcheck serve --host 0.0.0.0       # on the network: prints a link with a token\n"
        "\nAPI: see docs/web.md (POST /api/analyses with a multipart field 'video').",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only; "
                   "any other address requires a token)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any free)")
    p.add_argument("--data-dir", type=Path, default=None, metavar="DIR",
                   help=f"where uploads, reports and the index are kept "
                   f"(default {default_data_dir()})")
    p.add_argument("--max-upload-mb", type=positive(float), default=500.0, metavar="N",
                   help="largest accepted upload in MB (default 500)")
    p.add_argument("--jobs", type=positive(int), default=1, metavar="N",
                   help="analyses run at once (default 1; each already uses every core)")
    p.add_argument("--token", default=None, metavar="T",
                   help="access token (required off 127.0.0.1; one is generated if not given)")
    p.set_defaults(run=run)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def access_token(host: str, given: str | None) -> str | None:
    """The token the server will require: the one given, a new one off loopback, else none."""
    if given is not None:
        return given
    return None if is_loopback(host) else secrets.token_urlsafe(24)


def bind(host: str, port: int) -> socket.socket:
    """Bind the listening socket first, so a busy port is one plain sentence."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        raise SquatcheckError(f"Cannot listen on {host}:{port} ({exc.strerror or exc}); pass "
                              "--port with another number, or check --host.") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def run(args) -> int:
    try:
        import uvicorn

        from ..web.app import Settings, create_app
    except ModuleNotFoundError as exc:
        raise SquatcheckError(f"The web app needs {exc.name}; install it with "
                              "pip install 'squatcheck[web]'.") from None
    token = access_token(args.host, args.token)
    data_dir = (args.data_dir or default_data_dir()).expanduser()
    settings = Settings(data_dir=data_dir, max_upload_bytes=int(args.max_upload_mb * 1e6),
                        jobs=args.jobs, token=token)
    sock = bind(args.host, args.port)
    port = sock.getsockname()[1]
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    shown = f"[{shown}]" if ":" in shown and not shown.startswith("[") else shown
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    print(f"squatcheck web app: {url}", flush=True)
    print(f"  data: {data_dir}  (uploads up to {args.max_upload_mb:g} MB, {args.jobs} "
          f"analysis at a time; Ctrl-C to stop)", flush=True)
    if token and not args.token:
        print(f"  access token: {token}  (generated; needed because --host is not local)",
              flush=True)
    config = uvicorn.Config(create_app(settings), log_level="warning", access_log=False,
                            server_header=False, timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])
    return 0
