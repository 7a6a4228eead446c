"""Provider ratings (MBFC, AllSides): read, matched to outlets, shown beside our own."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from server.providers import ProviderFormatError, ProviderRecord, read_allsides, read_mbfc

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

MBFC = """domain,name,url,bias,questionable,reporting,credibility,traffic
bbc.com,BBC,https://mbfc.example/bbc/,left-center,,high,high-credibility,high-traffic
foxnews.com,Fox News,https://mbfc.example/fox/,right,failed-fact-checks,mixed,medium-credibility,high-traffic
jacobin.com,Jacobin,https://mbfc.example/jacobin/,left,,mostly-factual,medium-credibility,medium-traffic
satire.example,The Satirist,https://mbfc.example/satirist/,satire,,,,minimal-traffic
"""
ALLSIDES_2019 = """news_source,rating,rating_num,type,agree,disagree,url,confidence_level
BBC News,center,3,News Media,100,50,https://allsides.example/bbc,High
Breitbart,right,5,News Media,10,5,https://allsides.example/breitbart,Medium
Unknown Weekly,left,1,News Media,1,1,https://allsides.example/unknown,NA
"""
ALLSIDES_2021 = """url,type,name,bias
https://www.reuters.com/,News Media,Reuters,Center
https://www.wsj.com/news/,News Media,Wall Street Journal (News),Lean Right
"""


def test_mbfc_labels_map_to_our_scales_and_flags_give_no_lean() -> None:
    records = {r.name: r for r in read_mbfc(io.StringIO(MBFC))}
    assert (records["BBC"].bias, records["BBC"].factuality) == ("lean-left", "high")
    assert records["Jacobin"].factuality == "mixed", "mostly-factual never flatters"
    assert records["The Satirist"].bias is None
    assert records["The Satirist"].raw["bias"] == "satire"
    assert records["Fox News"].raw["questionable"] == "failed-fact-checks"


def test_allsides_both_shapes() -> None:
    old = {r.name: r for r in read_allsides(io.StringIO(ALLSIDES_2019))}
    assert old["BBC News"].site is None and old["BBC News"].bias == "center"
    new = {r.name: r for r in read_allsides(io.StringIO(ALLSIDES_2021))}
    assert new["Wall Street Journal (News)"].bias == "lean-right"
    assert new["Reuters"].site == "https://www.reuters.com/"


@pytest.mark.parametrize(
    ("reader", "text", "message"),
    [
        (
            read_mbfc,
            "domain,name,bias,reporting\nx.com,X,centrist,high\n",
            "line 2: unknown MBFC bias",
        ),
        (read_mbfc, "domain,name,bias,reporting\nx.com,X,left,great\n", "unknown MBFC reporting"),
        (read_mbfc, "domain,name\nx.com,X\n", "missing column(s) bias, reporting"),
        (read_allsides, "url,type,name,bias\nhttps://x.com,News,X,Far Out\n", "line 2"),
    ],
)
def test_unreadable_provider_rows_are_refused(
    reader: Callable[[TextIO], list[ProviderRecord]], text: str, message: str
) -> None:
    with pytest.raises(ProviderFormatError, match=re.escape(message)):
        reader(io.StringIO(text))


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_import_shows_provider_ratings_beside_ours(
    seeded: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(args=["outlets", "providers", "mbfc", _write(tmp_path, "m.csv", MBFC)])
    assert result.exit_code == 0, result.output
    assert "3 outlets rated by mbfc; 1 of its 4 ratings name no outlet of ours" in result.output
    for text in (ALLSIDES_2019, ALLSIDES_2021):
        result = runner.invoke(
            args=["outlets", "providers", "allsides", _write(tmp_path, "a.csv", text)]
        )
        assert result.exit_code == 0, result.output
    client = seeded.test_client()
    bbc = client.get("/api/v1/outlets/bbc-news").get_json()
    assert bbc["bias"] == "center", "our own rating is unchanged"
    by_provider = {p["provider"]: p for p in bbc["provider_ratings"]}
    assert by_provider["mbfc"]["bias"] == "lean-left"
    assert by_provider["mbfc"]["source_url"] == "https://mbfc.example/bbc/"
    assert by_provider["allsides"]["bias"] == "center"
    wsj = client.get("/api/v1/outlets/wall-street-journal").get_json()
    assert [p["bias"] for p in wsj["provider_ratings"]] == ["lean-right"]


def test_reimport_replaces_the_providers_view(
    seeded: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    runner.invoke(args=["outlets", "providers", "mbfc", _write(tmp_path, "m.csv", MBFC)])
    changed = MBFC.replace(
        "foxnews.com,Fox News,https://mbfc.example/fox/,right,",
        "foxnews.com,Fox News,https://mbfc.example/fox/,right-center,",
    )
    runner.invoke(args=["outlets", "providers", "mbfc", _write(tmp_path, "m2.csv", changed)])
    fox = seeded.test_client().get("/api/v1/outlets/fox-news").get_json()
    assert [p["bias"] for p in fox["provider_ratings"]] == ["lean-right"]


def test_bad_provider_file_imports_nothing(
    seeded: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    bad = MBFC + "x.com,X,https://mbfc.example/x/,centrist,,high,,\n"
    result = runner.invoke(args=["outlets", "providers", "mbfc", _write(tmp_path, "bad.csv", bad)])
    assert result.exit_code != 0
    assert "nothing was imported" in result.output and "line 6" in result.output
    bbc = seeded.test_client().get("/api/v1/outlets/bbc-news").get_json()
    assert bbc["provider_ratings"] == []


@pytest.mark.skipif(not (SHARED / "mbfc_sources_v5.csv").exists(), reason="../shared/data absent")
def test_our_ratings_agree_with_mbfc_within_one_step(app: Flask, runner: FlaskCliRunner) -> None:
    """Cross-check the curated ratings against MBFC's: a disagreement of two steps or more
    on the 7-point scale should be rare and deliberate (state media, recent changes)."""
    root = Path(__file__).resolve().parents[1]
    assert (
        runner.invoke(args=["outlets", "import", str(root / "data" / "outlets.csv")]).exit_code == 0
    )
    result = runner.invoke(
        args=["outlets", "providers", "mbfc", str(SHARED / "mbfc_sources_v5.csv")]
    )
    assert result.exit_code == 0, result.output
    from sqlalchemy import select

    from server.models import Outlet, ProviderRating
    from server.ratings import bias_score
    from server.services import get_session

    with app.app_context():
        pairs = (
            get_session()
            .execute(
                select(Outlet.bias, ProviderRating.bias)
                .join(ProviderRating, ProviderRating.outlet_id == Outlet.id)
                .where(ProviderRating.bias.is_not(None), Outlet.bias.is_not(None))
            )
            .all()
        )
    assert len(pairs) >= 300
    close = sum(abs(bias_score(ours) - bias_score(theirs)) <= 1 for ours, theirs in pairs)
    assert close / len(pairs) >= 0.95


def test_lookup_page_shows_provider_ratings(
    seeded: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    runner.invoke(args=["outlets", "providers", "mbfc", _write(tmp_path, "m.csv", MBFC)])
    page = seeded.test_client().get("/?url=https://www.foxnews.com/x").get_data(as_text=True)
    assert "Media Bias/Fact Check" in page
    assert "Right · factuality mixed" in page


def test_only_http_source_links_are_kept() -> None:
    text = "domain,name,url,bias,reporting\nx.com,X,javascript:alert(1),left,high\n"
    assert read_mbfc(io.StringIO(text))[0].source_url is None
