"""``squatcheck serve`` options: loopback by default, a token everywhere else."""

from __future__ import annotations

import socket

import pytest

from squatcheck.cli import build_parser
from squatcheck.commands.serve import access_token, bind, is_loopback
from squatcheck.errors import SquatcheckError


def test_defaults_listen_on_loopback_only():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.jobs, args.max_upload_mb, args.token) == (
        "127.0.0.1", 8000, 1, 500.0, None)
    assert access_token(args.host, args.token) is None


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("127.0.0.2", True), ("0.0.0.0", False), ("::", False), ("192.168.1.20", False),
    ("example.org", False),
])
def test_anything_but_loopback_gets_a_token(host, loopback):
    assert is_loopback(host) is loopback
    token = access_token(host, None)
    assert (token is None) is loopback
    if token:
        assert len(token) >= 32 and token != access_token(host, None)
    assert access_token(host, "given") == "given"


@pytest.mark.parametrize("argv", [["serve", "--jobs", "0"], ["serve", "--max-upload-mb", "-1"],
                                  ["serve", "--max-upload-mb", "lots"]])
def test_bad_numbers_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(argv)
    assert exc.value.code == 2


def test_a_busy_port_is_one_plain_sentence():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(SquatcheckError, match="pass --port with another number"):
            bind("127.0.0.1", taken.getsockname()[1])
