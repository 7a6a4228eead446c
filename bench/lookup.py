"""Benchmark outlet lookups: in-process, then over HTTP under gunicorn.

Run from the repository root::

    .venv/bin/python bench/lookup.py            # both parts, about a minute
    .venv/bin/python bench/lookup.py --no-http  # in-process only

**In-process**: 100,000 generated URLs shaped like real traffic (hosts of the rules in
``tests/data/url_corpus.json`` with www/m/amp/regional subdomains, unrated hosts, news-like paths,
tracking parameters, wrappers such as AMP caches and Google / Facebook redirects) go through
``canonicalize`` + ``OutletResolver.resolve`` (half the URLs on a rule's path have that path in
front, a pattern's ``*`` filled with a date); it prints URLs/s and the median and p99 time per
URL. Target: median ≤ 20 µs.

**HTTP**: a fresh SQLite database is migrated and loaded with ``data/outlets.csv`` through the
``parallax`` CLI, the app is served by ``gunicorn -w 2`` on 127.0.0.1, and the same bounded load
(a fixed number of requests from a fixed number of client threads) is sent to
``GET /api/v1/lookup?url=…``, to the trivial ``GET /api/v1/ping`` (the same app and the same
request pipeline, CORS and rate limits included, but no work) and, for reference, to ``GET
/healthz`` (exempt from rate limits), in alternating rounds. It prints requests/s for each and
the ratios lookup / healthz and lookup / ping. Target (issue 13): lookup ≥ 0.7 × /healthz,
the limiter included. Gunicorn's sync workers
close the connection after each answer, so the client opens one connection per request for both
endpoints alike. No traffic leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.urls import OutletResolver, URLError, canonicalize, clear_caches  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "url_corpus.json"
OUTLETS_CSV = ROOT / "data" / "outlets.csv"
BIN = Path(sys.executable).parent

WORDS = (
    "minister budget vote election storm court ruling climate talks market rally fed rates "
    "strike police report war ceasefire aid summit trade tariff health vaccine school energy "
    "prices oil gas housing crisis bank profit warning record heat flood fire leader party "
    "poll senate house bill tax reform border migrants protest trial verdict deal talks"
).split()
SECTIONS = (
    "world", "politics", "business", "uk-news", "us-news", "technology", "science", "health",
    "sport", "opinion", "culture", "news", "world/europe", "news/world-asia", "markets",
)  # fmt: skip
TRACKING = (
    "utm_source=twitter&utm_medium=social&utm_campaign=share",
    "at_medium=RSS&at_campaign=KARANGA",
    "fbclid=IwAR2xk9Q0aZ8s7vLmN3pQrT",
    "smid=nytcore-ios-share",
    "CMP=share_btn_tw",
    "gclid=Cj0KCQiA4NWrBhD",
    "utm_source=newsletter&mc_cid=8a7b6c&mc_eid=1f2e3d",
    "ocid=msedgntp&cvid=1a2b3c",
)
OTHER_QUERIES = ("page=2", "id=10293847", "s=1", "ref=homepage", "output=amp", "v=3")
UNRATED_PARTS = (
    "daily", "post", "herald", "tribune", "gazette", "news", "times", "courier", "wire",
    "report", "journal", "observer", "signal", "ledger", "voice", "star", "chronicle", "beacon",
)  # fmt: skip
UNRATED_SUFFIXES = (
    ".com", ".com", ".com", ".co.uk", ".net", ".org", ".de", ".fr", ".com.au", ".in", ".ca",
    ".blogspot.com", ".substack.com", ".github.io", ".news", ".ie", ".co.za",
)  # fmt: skip
HOST_PREFIXES = ("www.", "www.", "www.", "", "", "m.", "amp.", "mobile.", "edition.", "uk.")


def load_rules() -> list[tuple[str, str, str]]:
    """Return the rules of the shared URL corpus."""
    data = json.loads(CORPUS.read_text(encoding="utf-8"))
    return [(host, path, slug) for host, path, slug in data["rules"]]


def _wrappers() -> tuple[Callable[[str], str], ...]:
    def strip(url: str) -> str:
        return url.split("://", 1)[1]

    return (
        lambda u: "https://www.google.com/amp/s/" + strip(u),
        lambda u: (
            "https://"
            + strip(u).split("/", 1)[0].replace("-", "--").replace(".", "-")
            + ".cdn.ampproject.org/c/s/"
            + strip(u)
        ),
        lambda u: "https://www.google.com/url?sa=t&url=" + quote(u, safe="") + "&usg=AOvVaw3",
        lambda u: "https://l.facebook.com/l.php?u=" + quote(u, safe="") + "&h=AT0abc",
        lambda u: (
            "https://eur03.safelinks.protection.outlook.com/?url="
            + quote(u, safe="")
            + "&data=05%7C01&reserved=0"
        ),
        lambda u: "https://web.archive.org/web/20240301000000/" + u,
    )


def generate_urls(count: int, rules: list[tuple[str, str, str]], seed: int = 2026) -> list[str]:
    """Return ``count`` URLs shaped like real traffic, the same ones for the same seed."""
    rng = random.Random(seed)
    rated = [(h, p) for h, p, _ in rules if not h[0].isdigit()]
    unrated = sorted(
        {
            rng.choice(UNRATED_PARTS) + rng.choice(UNRATED_PARTS) + str(rng.randrange(100))
            + rng.choice(UNRATED_SUFFIXES)
            for _ in range(3000)
        }
    )  # fmt: skip
    wrappers = _wrappers()
    urls: list[str] = []
    for _ in range(count):
        if rng.random() < 0.6:
            host, prefix = rng.choice(rated)
            host = rng.choice(HOST_PREFIXES) + host
        else:
            host, prefix = rng.choice(("www.", "", "news.")) + rng.choice(unrated), ""
        slug = "-".join(rng.choices(WORDS, k=rng.randint(3, 9)))
        shape = rng.randrange(4)
        if shape == 0:
            path = f"/{rng.choice(SECTIONS)}/2024/{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{slug}.html"  # noqa: E501
        elif shape == 1:
            path = f"/{rng.choice(SECTIONS)}/{slug}-{rng.randrange(10**8)}"
        elif shape == 2:
            path = f"/2024/{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.choice(SECTIONS)}/{slug}/index.html"  # noqa: E501
        else:
            path = f"/article/{slug}-{rng.randrange(16**8):08x}"
        if prefix and rng.random() < 0.5:
            # A pattern's '*' stands where real URLs have a date (nytimes.com/2024/05/01/opinion).
            path = prefix.replace("*", "2024/05/01") + path
        url = f"{'http' if rng.random() < 0.1 else 'https'}://{host}{path}"
        params = []
        if rng.random() < 0.1:
            params.append(rng.choice(OTHER_QUERIES))
        if rng.random() < 0.25:
            params.append(rng.choice(TRACKING))
        if params:
            url += "?" + "&".join(params)
        if rng.random() < 0.05:
            url += "#comments"
        if rng.random() < 0.07:
            url = rng.choice(wrappers)(url)
        urls.append(url)
    return urls


def bench_in_process(urls: list[str], rules: list[tuple[str, str, str]]) -> None:
    """Time canonicalize + resolve per URL (cold caches first), then a warm pass for URLs/s."""
    clear_caches()
    built = time.perf_counter()
    resolver = OutletResolver(rules)
    built = time.perf_counter() - built
    clock = time.perf_counter_ns
    times: list[int] = []
    rated = errors = 0
    for url in urls:
        start = clock()
        try:
            outlet = resolver.resolve(canonicalize(url))
        except URLError:
            errors += 1
            outlet = None
        times.append(clock() - start)
        rated += outlet is not None
    times.sort()
    median = statistics.median(times) / 1000
    p99 = times[int(len(times) * 0.99)] / 1000
    began = time.perf_counter()
    for url in urls:
        resolver.resolve(canonicalize(url))
    warm = time.perf_counter() - began
    verdict = "ok" if median <= 20 else "MISSED"
    print(f"in-process: {len(urls):,} URLs ({rated:,} rated, {errors} errors), "
          f"{len(resolver)} rules built in {built * 1000:.1f} ms")  # fmt: skip
    print(f"  first pass (cold caches): {len(urls) / (sum(times) / 1e9):,.0f} URLs/s, "
          f"median {median:.1f} µs, p99 {p99:.1f} µs per URL "
          f"(target median ≤ 20 µs: {verdict})")  # fmt: skip
    print(f"  second pass (warm caches): {len(urls) / warm:,.0f} URLs/s, "
          f"{warm / len(urls) * 1e6:.1f} µs per URL on average")  # fmt: skip


# --- HTTP -------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, request: bytes, timeout: float = 10.0) -> int:
    """Send one request on a fresh connection and return the status code (0 on failure)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
            conn.sendall(request)
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
    except OSError:
        return 0
    head = b"".join(chunks[:1])[:12]
    return int(head[9:12]) if head.startswith(b"HTTP/1.") and head[9:12].isdigit() else 0


def _request(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()


def drive(port: int, requests: list[bytes], total: int, threads: int) -> tuple[float, int]:
    """Send ``total`` requests from ``threads`` threads; return (requests/s, failures)."""
    failures = [0] * threads
    share = total // threads

    def client(index: int) -> None:
        for n in range(share):
            if _get(port, requests[(index * share + n) % len(requests)]) != 200:
                failures[index] += 1

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    return share * threads / elapsed, sum(failures)


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def _wait_until_up(port: int, server: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        if _get(port, _request("/healthz"), timeout=1.0) == 200:
            return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def _measure(
    port: int,
    server: subprocess.Popen[bytes],
    urls: list[str],
    total: int,
    threads: int,
    rounds: int,
) -> tuple[dict[str, list[float]], int]:
    """Warm both workers up, then run alternating rounds of each endpoint."""
    _wait_until_up(port, server, time.monotonic() + 30)
    endpoints = {
        "healthz": [_request("/healthz")],
        "trivial": [_request("/api/v1/ping")],
        "lookup": [_request("/api/v1/lookup?url=" + quote(url, safe="")) for url in urls],
    }
    for requests in endpoints.values():  # each worker loads its catalog on its first lookups
        drive(port, requests, 200, threads)
    rates: dict[str, list[float]] = {name: [] for name in endpoints}
    failed = 0
    for _ in range(rounds):
        for name, requests in endpoints.items():
            rate, failures = drive(port, requests, total, threads)
            rates[name].append(rate)
            failed += failures
    return rates, failed


def bench_http(urls: list[str], total: int, threads: int, rounds: int) -> None:
    """Serve the app with gunicorn and compare lookup throughput with /api/v1/ping."""
    with tempfile.TemporaryDirectory(prefix="parallax-bench-") as tmp:
        env = {
            **os.environ,
            "PARALLAX_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite'}",
            "PARALLAX_LOAD_STARTER_DATA": "false",
            "PARALLAX_RATE_LIMIT": "100000000 per minute",
        }
        _run([str(BIN / "parallax"), "db", "upgrade"], env)
        _run([str(BIN / "parallax"), "outlets", "import", str(OUTLETS_CSV)], env)
        port = _free_port()
        log_path = Path(tmp) / "gunicorn.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "-w",
                    "2",
                    "-b",
                    f"127.0.0.1:{port}",
                    "server:create_app()",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                rates, failed = _measure(port, server, urls, total, threads, rounds)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
        if failed:
            tail = log_path.read_text(errors="replace")[-2000:]
            print(f"  {failed} requests did not answer 200; gunicorn log ends:\n{tail}")
    lookup = statistics.mean(rates["lookup"])
    ping = statistics.mean(rates["trivial"])
    healthz = statistics.mean(rates["healthz"])
    ratio = lookup / healthz
    verdict = "ok" if ratio >= 0.7 else "MISSED"
    print(f"HTTP (gunicorn -w 2, {threads} client threads, {rounds} × {total} requests each):")
    print(f"  GET /healthz (no rate limit): {healthz:,.0f} requests/s")
    print(f"  GET /api/v1/ping (trivial):   {ping:,.0f} requests/s")
    print(f"  GET /api/v1/lookup:           {lookup:,.0f} requests/s")
    print(f"  lookup / healthz:    {ratio:.2f} (target ≥ 0.7: {verdict})")
    print(f"  lookup / ping:       {lookup / ping:.2f}")


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", type=int, default=100_000, help="URLs resolved in-process")
    parser.add_argument("--no-http", action="store_true", help="skip the gunicorn part")
    parser.add_argument("--requests", type=int, default=2000, help="requests per round")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per endpoint")
    args = parser.parse_args()
    rules = load_rules()
    urls = generate_urls(args.urls, rules)
    bench_in_process(urls, rules)
    if not args.no_http:
        bench_http(urls[:5000], args.requests, args.threads, args.rounds)


if __name__ == "__main__":
    main()
