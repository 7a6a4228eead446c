"""The ``parallax`` command line: lookup, database and the console script itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

pytestmark = pytest.mark.usefixtures("seeded")


def test_lookup_prints_outlet_and_rating(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["lookup", "https://www.bbc.co.uk/news/world-123"])
    assert result.exit_code == 0
    assert "BBC News (bbc-news) · GB" in result.output
    assert "bias           center" in result.output
    assert "ownership      public — BBC" in result.output


def test_lookup_of_several_urls_as_json(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["lookup", "--json", "foxnews.com/politics/x", "https://unrated.example/a"]
    )
    assert result.exit_code == 0
    first, second = (json.loads(line) for line in result.output.splitlines())
    assert first["outlet"]["slug"] == "fox-news"
    assert second["outlet"] is None and second["domain"] == "unrated.example"


def test_lookup_says_not_rated(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["lookup", "https://unrated.example/a"])
    assert result.exit_code == 0
    assert "not rated" in result.output


def test_lookup_of_bad_input_exits_2(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["lookup", "bbc.co.uk/x", "javascript:alert(1)"])
    assert result.exit_code == 2
    assert "bbc-news" in result.output
    assert "not a web address" in result.output


def test_console_script_runs_against_a_fresh_database(seeded: Flask, tmp_path: Path) -> None:
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
