"""Benchmark of the browser extension (issue 4, "Performance"), not part of the test suite.

Reuses the end-to-end fixtures (tests/e2e): the fixture news site, the real Parallax server
seeded through its CLI, and Debian's Chromium with the built extension. Prints:

- the time from DOMContentLoaded to the badge on an article page of a rated outlet, with the
  server and the extension's worker warm (target: 300 ms at most);
- the main-thread time the content script spends annotating a page of 1,000 links (target:
  under 50 ms), read from the `parallax-collect` / `parallax-annotate` measures the content
  script puts on the page's performance timeline;
- the main-thread time it spends reading a large article page (headline, description,
  publication time, canonical URL: issue 12; target: 5 ms at most), from its
  `parallax-extract` measure.

Run: .venv/bin/python bench/extension.py [--runs 20] [--links 1000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))

from fixture_site import ARTICLES, LARGE_ARTICLE, FixtureSite  # noqa: E402
from harness import (  # noqa: E402
    ParallaxServer,
    build_extension,
    chromium_available,
    configure_server,
    extension_browser,
)

# Recorded in the page's own world: when the badge's host element is added, relative to
# DOMContentLoaded. Independent of the extension's own marks.
WATCH_BADGE = """
  new MutationObserver((records, observer) => {
    for (const record of records) for (const node of record.addedNodes) {
      if (node.localName === 'parallax-panel') {
        window.__parallaxBadgeAt = performance.now();
        observer.disconnect();
      }
    }
  }).observe(document, { childList: true, subtree: true });
"""

BADGE_DELAY = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return window.__parallaxBadgeAt === undefined ? null
    : window.__parallaxBadgeAt - nav.domContentLoadedEventStart;
}"""

ANNOTATION = """() => {
  const spent = (name) => performance.getEntriesByName(name).reduce((t, e) => t + e.duration, 0);
  return {
    badges: document.querySelectorAll('parallax-badge').length,
    collect: spent('parallax-collect'),
    annotate: spent('parallax-annotate'),
    scans: performance.getEntriesByName('parallax-collect').length,
  };
}"""


def percentile(values: list[float], share: float) -> float:
    """Return the value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure_badge(context, site: FixtureSite, runs: int) -> list[float]:
    """Return DOMContentLoaded → badge delays (ms) over `runs` article loads."""
    page = context.new_page()
    page.add_init_script(WATCH_BADGE)
    urls = [site.url(article) for article in ARTICLES]
    for url in urls:  # warm: the server's caches, the worker, the lookup cache
        page.goto(url)
        page.wait_for_selector("parallax-panel", state="attached")
    delays = []
    for i in range(runs):
        page.goto(urls[i % len(urls)])
        page.wait_for_selector("parallax-panel", state="attached", timeout=5000)
        delays.append(page.evaluate(BADGE_DELAY))
    page.close()
    return delays


def measure_links(context, site: FixtureSite, count: int, runs: int) -> list[dict[str, float]]:
    """Return the annotation cost of a page of `count` links, once per run."""
    page = context.new_page()
    results = []
    for _ in range(runs + 1):
        page.goto(f"{site.base}/bench/links-{count}.html")
        page.wait_for_function(
            f"document.querySelectorAll('parallax-badge').length >= {count}", timeout=20000
        )
        time.sleep(0.3)
        results.append(page.evaluate(ANNOTATION))
    page.close()
    return results[1:]  # the first load warms the worker


EXTRACTION = """() => {
  const entries = performance.getEntriesByName('parallax-extract');
  return {
    ms: entries.reduce((t, e) => t + e.duration, 0),
    count: entries.length,
    bytes: document.documentElement.outerHTML.length,
  };
}"""


def measure_extraction(context, site: FixtureSite, runs: int) -> list[dict[str, float]]:
    """Return the extraction cost on the large article page, once per load."""
    page = context.new_page()
    results = []
    for _ in range(runs + 1):
        page.goto(site.base + LARGE_ARTICLE)
        page.wait_for_function(
            "performance.getEntriesByName('parallax-extract').length > 0", timeout=20000
        )
        results.append(page.evaluate(EXTRACTION))
    page.close()
    return results[1:]  # the first load warms the worker and the module cache


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="page loads per measure")
    parser.add_argument("--links", type=int, default=1000, help="links on the list page")
    args = parser.parse_args()
    if not chromium_available():
        print("Debian's chromium is not installed: nothing to measure", file=sys.stderr)
        return 1

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="parallax-bench-") as tmp:
        work = Path(tmp)
        site = FixtureSite().start()
        server = ParallaxServer(work, site)
        try:
            server.seed()
            server.start()
            extension_dir = build_extension(work / "dist")
            with sync_playwright() as playwright:
                with extension_browser(playwright, extension_dir, work / "profile") as (
                    context,
                    _worker,
                    extension_id,
                ):
                    configure_server(context, extension_id, server.base)
                    delays = measure_badge(context, site, args.runs)
                    links = measure_links(context, site, args.links, max(3, args.runs // 4))
                    extraction = measure_extraction(context, site, args.runs)
        finally:
            server.stop()
            site.stop()

    print(f"Badge after DOMContentLoaded ({len(delays)} warm loads, target <= 300 ms):")
    print(
        f"  median {statistics.median(delays):6.1f} ms   p95 {percentile(delays, 0.95):6.1f} ms"
        f"   max {max(delays):6.1f} ms"
    )
    totals = [r["collect"] + r["annotate"] for r in links]
    print(f"Annotating {args.links} links ({len(links)} loads, target < 50 ms main thread):")
    print(
        f"  median {statistics.median(totals):6.1f} ms   max {max(totals):6.1f} ms"
        f"   (collect {statistics.median(r['collect'] for r in links):.1f} ms,"
        f" badges {statistics.median(r['annotate'] for r in links):.1f} ms,"
        f" {links[0]['badges']} badges in {links[0]['scans']} scan(s))"
    )
    spent = [r["ms"] for r in extraction]
    size = extraction[0]["bytes"] / 1e6
    print(f"Reading a {size:.1f} MB article ({len(spent)} loads, target <= 5 ms main thread):")
    print(
        f"  median {statistics.median(spent):6.1f} ms   p95 {percentile(spent, 0.95):6.1f} ms"
        f"   max {max(spent):6.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
