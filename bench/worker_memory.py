"""Memory of one serving worker at a given number of stored articles (not a test).

A worker of ``parallax serve`` holds the outlets' catalog, its story index of every stored
article, the map of stored URLs to stories and a cache of story answers (up to
``server.stories.MAX_CACHED``). This builds a SQLite database of N generated articles
(``bench/matching.py``'s generator: Zipf-distributed real words, names, numbers and
descriptions, in stories of several articles, at the rated outlets of ``data/outlets.csv``),
then, in a fresh process as a worker would, builds the app, the catalog and the index, and
looks up one stored URL of each of ``--lookups`` stories to fill the answer cache. It prints
the resident memory (RSS) after each step and how long the index took to build::

    .venv/bin/python bench/worker_memory.py                    # 100k and 1M articles
    .venv/bin/python bench/worker_memory.py --sizes 100000     # a quicker look

The database is written directly (stories as the generator made them, no clustering), so a
million articles take a minute or two to store; building the index is the worker's own work.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import OUTLETS_CSV  # noqa: E402
from matching import generate  # noqa: E402


def rss_mib() -> float:
    """Return this process's resident memory in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build_database(path: Path, n: int) -> list[str]:
    """Write ``n`` generated articles in their stories to a migrated database at ``path``;
    return one URL of each story, in a random order."""
    import csv
    import random

    from sqlalchemy import create_engine, insert, select

    from server.models import Article, Outlet, Story

    env = {**os.environ, "PARALLAX_DATABASE_URL": f"sqlite:///{path}"}
    for args in (["db", "upgrade"], ["outlets", "import", str(ROOT / "data" / "outlets.csv")]):
        subprocess.run([str(BIN / "parallax"), *args], env=env, check=True, capture_output=True)
    rows, _ = generate(n)
    rng = random.Random(5)
    with OUTLETS_CSV.open(encoding="utf-8", newline="") as stream:
        slug_of = {
            r["domains"].split()[0]: r["slug"] for r in csv.DictReader(stream) if r["domains"]
        }
    domains = sorted(slug_of)
    engine = create_engine(f"sqlite:///{path}")
    # the generator's rows are in time order; stories are numbered 1.. in order of opening
    now = datetime.now(UTC)
    first: dict[int, int] = {}
    for i, (_, _, story, _) in enumerate(rows):
        first.setdefault(story, i)
    number = {story: k + 1 for k, story in enumerate(sorted(first, key=first.__getitem__))}
    picked: dict[int, str] = {}
    with engine.begin() as conn:
        outlet_of = dict(conn.execute(select(Outlet.slug, Outlet.id)).all())
        conn.execute(
            insert(Story),
            [
                {"id": number[s], "title": rows[i][0], "first_seen": rows[i][1]}
                for s, i in first.items()
            ],
        )
        batch = []
        for i, (title, when, story, description) in enumerate(rows):
            domain = rng.choice(domains)
            url = f"https://www.{domain}/news/{i}"
            picked.setdefault(number[story], url)
            batch.append(
                {
                    "url": url,
                    "url_key": f"{domain}/news/{i}",
                    "domain": domain,
                    "outlet_id": outlet_of.get(slug_of[domain]),
                    "title": title,
                    "description": description,
                    "published_at": when.replace(year=now.year),
                    "first_seen": now,
                    "source": "file",
                    "story_id": number[story],
                }
            )
            if len(batch) == 20_000:
                conn.execute(insert(Article), batch)
                batch = []
        if batch:
            conn.execute(insert(Article), batch)
    urls = list(picked.values())
    rng.shuffle(urls)
    return urls


def measure(database: Path, urls_file: Path, lookups: int) -> dict[str, float]:
    """In this (fresh) process: build a worker's app, catalog and index; fill its cache."""
    os.environ.update(
        PARALLAX_DATABASE_URL=f"sqlite:///{database}",
        PARALLAX_LOAD_STARTER_DATA="false",
        PARALLAX_RATE_LIMIT="100000000 per minute",
    )
    from server import services
    from server.app import create_app

    figures = {"started": rss_mib()}
    app = create_app()
    with app.app_context():
        ready = services.get_services(app)
        session = services.get_session()
        ready.catalog.get(session)
        figures["app"] = rss_mib()
        took = time.perf_counter()
        ready.stories.index(session)
        figures["index_seconds"] = time.perf_counter() - took
        figures["indexed"] = rss_mib()
    client = app.test_client()
    urls = json.loads(urls_file.read_text())[:lookups]
    for url in urls:
        client.get("/api/v1/lookup", query_string={"url": url})
    figures["cached"] = rss_mib()
    figures["answers"] = len(urls)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated sizes")
    parser.add_argument("--lookups", type=int, default=20_000, help="stories looked up")
    parser.add_argument("--measure", nargs=2, metavar=("DATABASE", "URLS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), Path(args.measure[1]), args.lookups)))
        return
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="parallax-memory-") as tmp:
            database, urls_file = Path(tmp) / "w.sqlite", Path(tmp) / "urls.json"
            took = time.perf_counter()
            urls_file.write_text(json.dumps(build_database(database, n)))
            stored = time.perf_counter() - took
            said = subprocess.run(
                [sys.executable, __file__, "--lookups", str(args.lookups), "--measure"]
                + [str(database), str(urls_file)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            f = json.loads(said.strip().splitlines()[-1])
            print(
                f"{n:,} articles (stored in {stored:.0f} s): worker RSS {f['app']:,.0f} MiB with "
                f"the app and catalog; {f['indexed']:,.0f} MiB with the story index (built in "
                f"{f['index_seconds']:.0f} s); {f['cached']:,.0f} MiB after looking up "
                f"{f['answers']:,} stories (their answers cached)"
            )


if __name__ == "__main__":
    main()
