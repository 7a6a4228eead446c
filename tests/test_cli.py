"""The ``parallax`` command line: lookup, database and the console script itself."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

seeded = pytest.mark.usefixtures("seeded")


@seeded
def test_lookup_prints_outlet_and_rating(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["lookup", "https://www.bbc.co.uk/news/world-123"])
    assert result.exit_code == 0
    assert "BBC News (bbc-news) · GB" in result.output
    assert "bias           center" in result.output
    assert "ownership      public — BBC" in result.output


@seeded
def test_lookup_of_several_urls_as_json(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["lookup", "--json", "foxnews.com/politics/x", "https://unrated.example/a"]
    )
    assert result.exit_code == 0
    first, second = (json.loads(line) for line in result.output.splitlines())
    assert first["outlet"]["slug"] == "fox-news"
    assert second["outlet"] is None and second["domain"] == "unrated.example"


@seeded
def test_lookup_says_not_rated(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["lookup", "https://unrated.example/a"])
    assert result.exit_code == 0
    assert "not rated" in result.output


@seeded
def test_lookup_of_bad_input_exits_2(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["lookup", "bbc.co.uk/x", "javascript:alert(1)"])
    assert result.exit_code == 2
    assert "bbc-news" in result.output
    assert "not a web address" in result.output


def test_console_script_runs_against_a_fresh_database(tmp_path: Path) -> None:
    env = {**os.environ, "PARALLAX_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}"}
    parallax = Path(sys.executable).with_name("parallax")
    seed = subprocess.run(
        [parallax, "db", "seed"], env=env, capture_output=True, text=True, timeout=120
    )
    assert seed.returncode == 0, seed.stderr
    assert "loaded" in seed.stdout and "outlets" in seed.stdout
    looked = subprocess.run(
        [parallax, "lookup", "--json", "https://www.theguardian.com/world/2026/x"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert looked.returncode == 0, looked.stderr
    assert json.loads(looked.stdout)["outlet"]["bias"] in {"lean-left", "left"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_starts_with_starter_data_on_an_empty_database(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PARALLAX_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite'}"}
    parallax = Path(sys.executable).with_name("parallax")
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [parallax, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    assert json.load(response) == {"status": "ok"}
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, "parallax serve did not answer in 60 s"
                time.sleep(0.3)
        query = urllib.parse.urlencode({"url": "https://www.bbc.co.uk/news/world-1"})
        with urllib.request.urlopen(f"{base}/api/v1/lookup?{query}", timeout=10) as response:
            assert json.load(response)["outlet"]["slug"] == "bbc-news"
        with urllib.request.urlopen(f"{base}/api/v1/blindspots", timeout=10) as response:
            assert json.load(response)["stories"], "the demo articles hold blindspot stories"
        with urllib.request.urlopen(f"{base}/", timeout=10) as response:
            assert "Top stories" in response.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@seeded
@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["outlets", "list", "--bias", "nonsense"], ["far-left", "lean-right", "far-right"]),
        (["outlets", "list", "--country", "ZZ"], ["GB", "US"]),
        (["feeds", "list", "--outlet", "no-such-outlet"], ["parallax outlets list"]),
    ],
)
def test_an_unknown_filter_is_an_error_naming_the_valid_values(
    runner: FlaskCliRunner, args: list[str], names: list[str]
) -> None:
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert all(name in result.output for name in names), result.output


@seeded
def test_a_known_filter_still_lists(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["outlets", "list", "--bias", "far-right", "--country", "us"])
    assert result.exit_code == 0
    assert result.output.split()[0] == "breitbart"


def test_help_lists_only_our_commands() -> None:
    parallax = Path(sys.executable).with_name("parallax")
    done = subprocess.run([parallax, "--help"], capture_output=True, text=True, timeout=60)
    commands = done.stdout.split("Commands:")[1].split()
    assert "limiter" not in commands
    assert {"serve", "lookup", "db", "outlets", "ingest", "feeds", "stories"} <= set(commands)
