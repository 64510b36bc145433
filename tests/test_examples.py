"""Every script in examples/ runs, on loopback only, and says what it did."""
from __future__ import annotations

import functools
import http.server
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

from _privileges import packet_denied

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
LIMIT_S = 30  # each script bounds its own waits (5 s); this bounds the script
SKIPPED = 77


def env() -> "dict[str, str]":
    paths = [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def run(name: str, *args: str) -> "subprocess.CompletedProcess[str]":
    return subprocess.run([sys.executable, str(EXAMPLES / name), *args], env=env(),
                          capture_output=True, text=True, timeout=LIMIT_S)


def test_every_example_is_tested() -> None:
    tested = {"tcp_echo_server.py", "tcp_echo_client.py", "udp_v4_v6.py",
              "unix_abstract_dgram.py", "pass_fd.py", "packet_lo.py", "http_get.py",
              "coroutine_echo.py"}
    assert {p.name for p in EXAMPLES.glob("*.py")} == tested


def test_tcp_echo_server_and_client() -> None:
    server = subprocess.Popen([sys.executable, str(EXAMPLES / "tcp_echo_server.py"), "0", "2"],
                              env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        first = server.stdout.readline().split()  # the server's accept waits 5 s at most
        assert first[:4] == ["listening", "on", "127.0.0.1", "port"], first
        port = first[4]
        replies: List[str] = []
        for message in ("hello, echo", "x" * 100000):
            client = run("tcp_echo_client.py", port, message)
            assert client.returncode == 0, client.stderr
            replies.append(client.stdout.rstrip("\n"))
        assert replies == ["hello, echo", "x" * 100000]
        out, err = server.communicate(timeout=LIMIT_S)
        assert server.returncode == 0, err
        assert out.count("served 127.0.0.1 port ") == 2
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()


def test_coroutine_echo() -> None:
    """The Lua coroutine server ported to posixsock.aio: every client's
    message comes back."""
    result = run("coroutine_echo.py", "5")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("listening on 127.0.0.1 port ")
    assert lines[1:] == [f"echoed: hello from client {i}" for i in range(5)]


def test_udp_v4_v6() -> None:
    result = run("udp_v4_v6.py")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("127.0.0.1 port ") and lines[0].endswith("sent b'ping', got b'pong'")
    assert lines[1].startswith("::1 ")  # a reply, or "skipped (...)" without IPv6
    assert lines[1].endswith("got b'pong'") or "skipped" in lines[1]


def test_unix_abstract_dgram() -> None:
    result = run("unix_abstract_dgram.py")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("bob got b'hi bob' from '\\x00posixsock-example-alice-")
    assert lines[1].startswith("alice got b'hi alice' from '\\x00posixsock-example-bob-")


def test_pass_fd() -> None:
    result = run("pass_fd.py")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "written by the child through a passed descriptor\n"


@pytest.mark.skipif(packet_denied() is not None, reason=str(packet_denied()))
def test_packet_lo() -> None:
    result = run("packet_lo.py")
    if result.returncode == SKIPPED:
        pytest.skip(result.stdout.strip())
    assert result.returncode == 0, result.stdout + result.stderr
    lo = socket.if_nametoindex("lo")
    assert result.stdout.startswith("captured ") and result.stdout.endswith(f"on ifindex {lo}\n")


# --- http_get.py: the port of a luaposix HTTP client (README, "Porting from Lua") ---

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        pass


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[Tuple[int, Path]]:
    """A stdlib http.server on 127.0.0.1 serving ``tmp_path``: (port, root)."""
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], tmp_path
    finally:
        server.shutdown()
        server.server_close()
        thread.join(LIMIT_S)


def test_http_get(http_server: Tuple[int, Path]) -> None:
    port, root = http_server
    body = b"posixsock says hello\n" * 5000  # 105 kB: many recv calls
    (root / "hello.txt").write_bytes(body)
    result = subprocess.run([sys.executable, str(EXAMPLES / "http_get.py"), "127.0.0.1", str(port),
                             "/hello.txt"], env=env(), capture_output=True, timeout=LIMIT_S)
    assert result.returncode == 0, result.stderr
    head, _, got = result.stdout.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] in ("HTTP/1.0 200 OK", "HTTP/1.1 200 OK"), lines
    assert f"Content-Length: {len(body)}" in lines
    assert got == body
    assert result.stderr.decode().startswith("local socket bound to 127.0.0.1 port ")


def test_http_get_not_found(http_server: Tuple[int, Path]) -> None:
    port, _ = http_server
    result = run("http_get.py", "127.0.0.1", str(port), "/missing")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith(" 404 File not found")  # text mode: \r\n read as \n


def test_http_get_connection_refused() -> None:
    with socket.socket() as idle:  # bound, never listening: connect is refused
        idle.bind(("127.0.0.1", 0))
        port = idle.getsockname()[1]
        result = run("http_get.py", "127.0.0.1", str(port))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == "http_get: connect: Connection refused (errnum 111)\n"


def test_http_get_resolver_error() -> None:
    result = run("http_get.py", "127.0.0.1", "no-such-service-name")
    assert result.returncode == 1
    assert result.stderr.startswith("http_get: ") and "(errnum -8)" in result.stderr  # EAI_SERVICE
