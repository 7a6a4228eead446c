"""`parallax serve` under gunicorn: binding, long request lines, its access log (issue 13).

One server is started for the module, on a free port of 127.0.0.1 and a fresh SQLite file.
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

PARALLAX = Path(sys.executable).with_name("parallax")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(tmp: Path) -> dict[str, str]:
    env = {**os.environ, "PARALLAX_DATABASE_URL": f"sqlite:///{tmp / 'serve.sqlite'}"}
    env["PARALLAX_LOAD_STARTER_DATA"] = "false"
    env.pop("PARALLAX_ACCESS_LOG", None)
    return env


class Served:
    """A running `parallax serve` and what it printed."""

    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process = process
        self.port = port
        self.output = b""

    def read_output(self, seconds: float) -> str:
        """Read what the server printed within ``seconds``."""
        assert self.process.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and selector.select(deadline - time.monotonic()):
            chunk = os.read(self.process.stdout.fileno(), 65536)
            if not chunk:
                break
            self.output += chunk
        selector.close()
        return self.output.decode()

    def get(self, target: str) -> tuple[int, str, dict[str, object]]:
        """GET ``target`` (a path with its query); return status, content type and body."""
        url = f"http://127.0.0.1:{self.port}{target}"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.headers["Content-Type"], json.load(response)
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers["Content-Type"], json.load(error)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Start `parallax serve` and wait until it says it is serving."""
    port = _free_port()
    process = subprocess.Popen(
        [str(PARALLAX), "serve", "--port", str(port), "--workers", "1", "--threads", "2"],
        env=_env(tmp_path_factory.mktemp("serve")),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    server = Served(process, port)
    try:
        deadline = time.monotonic() + 60
        while "is serving on" not in server.output.decode() and time.monotonic() < deadline:
            server.read_output(0.5)
            assert process.poll() is None, server.output.decode()
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout:
            process.stdout.close()


def test_serving_is_said_only_once_the_port_is_bound(served: Served) -> None:
    assert "is serving on" in served.output.decode()
    with socket.create_connection(("127.0.0.1", served.port), timeout=5):
        pass  # bound and listening when it said so


def test_a_long_headline_in_a_get_reaches_the_app_as_a_400_problem(served: Served) -> None:
    target = "/api/v1/lookup?url=https://www.bbc.co.uk/news/x&title=" + "t" * 5000
    status, content_type, body = served.get(target)
    assert (status, content_type) == (400, "application/problem+json")
    assert "headline" in str(body["detail"])


def test_a_request_line_over_gunicorns_limit_is_a_414_problem(served: Served) -> None:
    target = "/api/v1/lookup?url=https://www.bbc.co.uk/news/x&title=" + quote("é" * 2000)
    status, content_type, body = served.get(target)
    assert (status, content_type) == (414, "application/problem+json")
    assert "POST /api/v1/lookup" in str(body["detail"])


def test_the_served_access_log_holds_no_url_or_headline(served: Served) -> None:
    served.get("/api/v1/lookup?url=https://www.bbc.co.uk/news/private-123&title=My+reading")
    log = served.read_output(1.0)
    assert "GET /api/v1/lookup 200" in log
    assert "private-123" not in log and "My+reading" not in log and "My reading" not in log


def test_serve_on_a_taken_port_says_so_in_one_sentence_and_exits_1(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [str(PARALLAX), "serve", "--port", str(port)],
            env=_env(tmp_path),
            capture_output=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stdout == b"", "nothing is migrated or said to be serving"
    message = result.stderr.decode().strip()
    assert message == (
        f"Error: port {port} on 127.0.0.1 is in use: stop what is using it or choose "
        "another with --port."
    )
