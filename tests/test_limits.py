"""Rate limits per client, behind trusted proxies or not (issue 13, items 0, 1, 5)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask import Flask

from server.limiter import MemoryCounts


def _statuses(app: Flask, *clients: tuple[str, dict[str, str]]) -> list[int]:
    """Return the status of one ping per (address, headers), in order."""
    client = app.test_client()
    return [
        client.get("/api/v1/ping", headers=headers, environ_base={"REMOTE_ADDR": addr}).status_code
        for addr, headers in clients
    ]


PROXY = "10.0.0.1"


def test_each_client_address_has_its_own_limit(make_app: Callable[..., Flask]) -> None:
    app = make_app(RATE_LIMIT="2 per minute")
    a, b = ("192.0.2.1", {}), ("192.0.2.2", {})
    assert _statuses(app, a, a, b, a, b, b) == [200, 200, 200, 429, 200, 429]


def test_a_refusal_says_the_limit_and_when_to_retry(make_app: Callable[..., Flask]) -> None:
    client = make_app(RATE_LIMIT="1 per minute").test_client()
    allowed, refused = client.get("/api/v1/ping"), client.get("/api/v1/ping")
    assert "Retry-After" not in allowed.headers and "X-RateLimit-Limit" not in allowed.headers
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Limit"] == "1"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert "1 per 1 minute" in refused.get_json()["detail"]


def test_healthz_is_never_limited(make_app: Callable[..., Flask]) -> None:
    client = make_app(RATE_LIMIT="1 per minute").test_client()
    assert {client.get("/healthz").status_code for _ in range(5)} == {200}


def test_clients_behind_a_trusted_proxy_get_separate_limits(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(RATE_LIMIT="2 per minute", TRUSTED_PROXIES=1)
    a = (PROXY, {"X-Forwarded-For": "198.51.100.7"})
    b = (PROXY, {"X-Forwarded-For": "198.51.100.8"})
    assert _statuses(app, a, a, b, b, a) == [200, 200, 200, 200, 429]


def test_only_the_last_hop_is_trusted(make_app: Callable[..., Flask]) -> None:
    app = make_app(RATE_LIMIT="2 per minute", TRUSTED_PROXIES=1)
    # A client prepending its own X-Forwarded-For cannot pose as someone new each time.
    forged = [(PROXY, {"X-Forwarded-For": f"203.0.113.{n}, 198.51.100.7"}) for n in range(3)]
    assert _statuses(app, *forged) == [200, 200, 429]


def test_an_untrusted_x_forwarded_for_is_ignored(make_app: Callable[..., Flask]) -> None:
    app = make_app(RATE_LIMIT="2 per minute")  # TRUSTED_PROXIES 0, the default
    forged = [("192.0.2.9", {"X-Forwarded-For": f"203.0.113.{n}"}) for n in range(3)]
    assert _statuses(app, *forged) == [200, 200, 429]


def test_negative_trusted_proxies_is_refused(make_app: Callable[..., Flask]) -> None:
    with pytest.raises(ValueError, match="PARALLAX_TRUSTED_PROXIES"):
        make_app(TRUSTED_PROXIES=-1)


def test_memory_counts_are_exact_under_threads() -> None:
    counts = MemoryCounts()

    def hammer() -> None:
        for _ in range(5_000):
            counts.incr("k", 60)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counts.incr("k", 60)[0] == 40_001
