"""Load test: `parallax serve --workers 2` under a mixed load, then the same during an ingest.

Run from the repository root (about five minutes; traffic stays on 127.0.0.1)::

    .venv/bin/python bench/load.py
    .venv/bin/python bench/load.py --seconds 20 --base 5000 --ingest 20000   # a quick look
    .venv/bin/python bench/load.py --rate 600        # offered 600 requests/s, not flat out

A fresh SQLite database is migrated, loaded with ``data/outlets.csv`` and ``--base``
generated articles (stories of several outlets' articles over a few days) through the
``parallax`` CLI; ``parallax serve --workers 2`` serves it with the rate limit raised (every
client here is 127.0.0.1). Then ``--connections`` keep-alive connections, spread over four
client processes, send for ``--seconds``:

- 80% ``GET /api/v1/lookup`` with ``url``, ``title``, ``published`` and ``description`` (the
  last is ignored by the service; it makes the request line as long as a real one): half
  stored articles (matched by URL), half new addresses of rated outlets with a reworded
  headline of a stored story (matched by title);
- 15% ``POST /api/v1/lookup`` of 50 URLs (a page of links);
- 5% story pages, ``GET /stories/<id>``.

It prints requests/s, p50 and p99 per kind and the errors (anything but 200, or no answer).
By default the loop is closed: each connection sends its next request as soon as the last is
answered, so the service runs flat out and the latency is mostly the queue of 64 requests
(Little's law: 64 / throughput). ``--rate N`` offers N requests a second instead (Poisson
arrivals, an open loop), timing each request from when it was due, so a stall shows in the
latency of everything that arrived during it, as readers would see it.
Then it starts ``parallax ingest file`` of ``--ingest`` new articles beside the server and
runs the same load until the ingest ends. Last, the resident memory of each worker.
Target (issue 13): zero errors, lookup p99 ≤ 100 ms on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import multiprocessing
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUTLETS_CSV = ROOT / "data" / "outlets.csv"
NOW = datetime.now(UTC).replace(microsecond=0)
KINDS = ("lookup", "batch", "story")


def rated_domains() -> list[str]:
    """Return one domain of every outlet in data/outlets.csv that has no path rule."""
    with OUTLETS_CSV.open(encoding="utf-8", newline="") as stream:
        return [row["domains"].split()[0] for row in csv.DictReader(stream) if row["domains"]]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3))


def generate(count: int, seed: int, prefix: str) -> list[dict[str, str]]:
    """Return ``count`` articles: stories of 4–12 articles on shared key words, over 3 days."""
    rng = random.Random(seed)
    domains = rated_domains()
    common = [_word(rng) for _ in range(300)]
    articles: list[dict[str, str]] = []
    story = 0
    while len(articles) < count:
        story += 1
        keys = [_word(rng) for _ in range(6)]
        start = NOW - timedelta(hours=rng.uniform(0, 72))
        for n in range(rng.randint(4, 12)):
            words = rng.sample(keys, 4) + rng.sample(common, 3)
            rng.shuffle(words)
            when = start + timedelta(minutes=rng.uniform(0, 600))
            articles.append(
                {
                    "url": f"https://www.{rng.choice(domains)}/news/{prefix}-{story}-{n}",
                    "title": " ".join(words).capitalize(),
                    "published_at": when.isoformat(),
                    "description": " ".join(rng.sample(common, 20)),
                }
            )
    return articles[:count]


def write_jsonl(path: Path, articles: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for article in articles:
            out.write(json.dumps(article) + "\n")
    return path


# --- the client ---------------------------------------------------------------------------------


def _requests(articles: list[dict[str, str]], story_ids: list[int], seed: int, count: int) -> list:
    """Prepare ``count`` requests (kind, method, target, body) of the mix."""
    rng = random.Random(seed)
    domains = rated_domains()
    prepared = []
    for n in range(count):
        roll = rng.random()
        if roll < 0.80:
            article = rng.choice(articles)
            url = article["url"]
            title = article["title"]
            if rng.random() < 0.5:  # an article the service has not stored: matched by title
                url = f"https://www.{rng.choice(domains)}/world/new-{seed}-{n}"
                words = title.split()
                rng.shuffle(words)
                title = " ".join(words)
            query = urlencode(
                {
                    "url": url,
                    "title": title,
                    "published": article["published_at"],
                    "description": article["description"],
                }
            )
            prepared.append(("lookup", "GET", f"/api/v1/lookup?{query}", None))
        elif roll < 0.95:
            urls = [rng.choice(articles)["url"] for _ in range(50)]
            body = json.dumps({"urls": urls}).encode()
            prepared.append(("batch", "POST", "/api/v1/lookup", body))
        else:
            prepared.append(("story", "GET", f"/stories/{rng.choice(story_ids)}", None))
    return prepared


def _connection_loop(
    port: int,
    prepared: list,
    deadline: float,
    done_path: str | None,
    schedule: Callable[[], float] | None = None,
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Send requests on one keep-alive connection until the deadline (or the done file).

    Closed loop (no ``schedule``): the next request goes as soon as the last is answered.
    Open loop: ``schedule`` hands out the next request's due time (``time.monotonic``); the
    connection waits for it, and latency counts from it, so time a request spent waiting
    for a free connection is counted too (no coordinated omission).
    """
    latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
    errors: dict[str, int] = dict.fromkeys(KINDS, 0)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    index = 0
    while time.monotonic() < deadline and not (done_path and os.path.exists(done_path)):
        kind, method, target, body = prepared[index % len(prepared)]
        index += 1
        headers = {"Content-Type": "application/json"} if body else {}
        if schedule is None:
            started = time.monotonic()
        else:
            started = schedule()
            if started >= deadline:
                break
            wait = started - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        try:
            conn.request(method, target, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status = 0
        latencies[kind].append(time.monotonic() - started)
        # a story merged into another during the run answers 308 to it: an answer, not an error
        if status != 200 and not (kind == "story" and status == 308):
            errors[kind] += 1
    conn.close()
    return latencies, errors


def _client_process(args: tuple) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Run ``connections`` connection loops in threads of one process."""
    port, prepared, connections, seconds, done_path, rate = args
    start = time.monotonic()
    deadline = start + seconds
    results: list = []
    schedule = None
    if rate:
        # Poisson arrivals at ``rate`` a second, shared by this process's connections
        arrivals = random.Random(os.getpid())
        due = [start]
        lock = threading.Lock()

        def schedule() -> float:
            with lock:
                due[0] += arrivals.expovariate(rate)
                return due[0]

    def run(offset: int) -> None:
        shifted = prepared[offset:] + prepared[:offset]
        results.append(_connection_loop(port, shifted, deadline, done_path, schedule))

    threads = [
        threading.Thread(target=run, args=(n * 997 % len(prepared),)) for n in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
    errors: dict[str, int] = dict.fromkeys(KINDS, 0)
    for lat, err in results:
        for kind in KINDS:
            latencies[kind] += lat[kind]
            errors[kind] += err[kind]
    return latencies, errors


def drive(
    port: int,
    prepared: list,
    connections: int,
    seconds: float,
    done_path: str | None = None,
    processes: int = 4,
    rate: float = 0.0,
) -> tuple[float, dict[str, list[float]], dict[str, int]]:
    """Run the load from ``processes`` client processes; return elapsed, latencies, errors.

    ``rate`` (requests a second in all) makes it an open loop; 0 is a closed loop.
    """
    share = [connections // processes + (n < connections % processes) for n in range(processes)]
    jobs = [
        (port, prepared[n::processes], share[n], seconds, done_path, rate / processes)
        for n in range(processes)
        if share[n]
    ]
    started = time.monotonic()
    with multiprocessing.Pool(len(jobs)) as pool:
        results = pool.map(_client_process, jobs)
    elapsed = time.monotonic() - started
    latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
    errors: dict[str, int] = dict.fromkeys(KINDS, 0)
    for lat, err in results:
        for kind in KINDS:
            latencies[kind] += lat[kind]
            errors[kind] += err[kind]
    return elapsed, latencies, errors


def report(title: str, elapsed: float, latencies: dict[str, list[float]], errors: dict) -> None:
    total = sum(len(v) for v in latencies.values())
    print(f"{title}: {total:,} requests in {elapsed:.0f} s = {total / elapsed:,.0f} requests/s")
    for kind in KINDS:
        times = sorted(latencies[kind])
        if not times:
            continue
        p50 = statistics.median(times) * 1000
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))] * 1000
        verdict = ""
        if kind == "lookup":
            verdict = f" (target p99 ≤ 100 ms: {'ok' if p99 <= 100 else 'MISSED'})"
        print(
            f"  {kind:7} {len(times) / elapsed:7,.0f}/s  p50 {p50:6.1f} ms  p99 {p99:7.1f} ms"
            f"  errors {errors[kind]}{verdict}"
        )


# --- the server ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


def _wait_for(port: int, server: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"parallax serve exited with status {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("parallax serve did not answer within the time allowed")


def worker_memory(server: subprocess.Popen[bytes]) -> list[int]:
    """Return the resident memory (MiB) of each gunicorn worker under the serving process."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) // 1024)
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--base", type=int, default=20_000, help="articles stored first")
    parser.add_argument("--ingest", type=int, default=100_000, help="articles ingested under load")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (serve's)")
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="offer this many requests a second (an open loop; default: closed, flat out)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="parallax-load-") as tmp:
        database = Path(tmp) / "load.sqlite"
        env = {
            **os.environ,
            "PARALLAX_DATABASE_URL": f"sqlite:///{database}",
            "PARALLAX_LOAD_STARTER_DATA": "false",
            "PARALLAX_RATE_LIMIT": "100000000 per minute",
            "PARALLAX_ACCESS_LOG": "off",
        }
        base = generate(args.base, 1, "base")
        started = time.monotonic()
        _run([str(BIN / "parallax"), "db", "upgrade"], env)
        _run([str(BIN / "parallax"), "outlets", "import", str(OUTLETS_CSV)], env)
        said = _run(
            [
                str(BIN / "parallax"),
                "ingest",
                "file",
                str(write_jsonl(Path(tmp) / "b.jsonl", base)),
            ],
            env,
        )
        print(f"setup: {said} in {time.monotonic() - started:.0f} s")
        with sqlite3.connect(database) as conn:
            # absorbed stories (merged into another) answer 308: pages of live stories only
            story_ids = [
                row[0] for row in conn.execute("SELECT id FROM story WHERE article_count > 0")
            ]
        prepared = _requests(base, story_ids, 2, 20_000)

        port = _free_port()
        log = (Path(tmp) / "serve.log").open("wb")
        server = subprocess.Popen(
            [
                str(BIN / "parallax"),
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
                "--threads",
                str(args.threads),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for(port, server, 120)
            drive(port, prepared, 8, 3)  # warm both workers up
            loop = f"offered {args.rate:,.0f} requests/s" if args.rate else "closed loop"
            print(
                f"parallax serve --workers 2 ({args.threads} threads each), "
                f"{args.connections} connections ({loop}), "
                "80% lookups / 15% batches of 50 / 5% story pages"
            )
            report(
                f"steady, {args.seconds:.0f} s",
                *drive(port, prepared, args.connections, args.seconds, rate=args.rate),
            )

            extra = write_jsonl(Path(tmp) / "more.jsonl", generate(args.ingest, 3, "more"))
            done = Path(tmp) / "ingest.done"
            ingest_started = time.monotonic()
            ingest = subprocess.Popen(
                f"{BIN / 'parallax'} ingest file {extra} > {Path(tmp) / 'ingest.log'} 2>&1; "
                f"echo $? > {done}",
                shell=True,
                cwd=ROOT,
                env=env,
            )
            result = drive(port, prepared, args.connections, 3600, str(done), rate=args.rate)
            ingest.wait()
            took = time.monotonic() - ingest_started
            said = (Path(tmp) / "ingest.log").read_text().strip()
            status = done.read_text().strip()
            print(
                f"ingest file of {args.ingest:,} articles beside it: {said} "
                f"(exit {status}) in {took:.0f} s"
            )
            report("during the ingest", *result)
            print(f"worker memory (RSS): {', '.join(f'{m} MiB' for m in worker_memory(server))}")
        finally:
            server.terminate()
            server.wait(timeout=60)
            log.close()


if __name__ == "__main__":
    main()
