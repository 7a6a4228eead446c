"""What the browser tests and `bench/extension.py` share: a seeded Parallax server, the
fixture site, Chromium with the built extension, and a way to read closed shadow roots.

The Parallax server is the real one, started with its own CLI (`parallax db upgrade`,
`parallax outlets import`, `parallax ingest file`, `parallax serve`) on a temporary SQLite
database. Its access log is read line by line, which is how the tests know exactly which
requests the extension sent.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fixture_site import FixtureSite, articles_jsonl, outlets_csv

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The command under test; PARALLAX_E2E_COMMAND names another one (a development build).
PARALLAX = Path(os.environ.get("PARALLAX_E2E_COMMAND") or Path(sys.executable).parent / "parallax")

# The request line of an access log entry (gunicorn's, or werkzeug's with its colour codes).
_REQUEST_LINE = re.compile(
    r'"(?:\x1b\[[\d;]*m)*([A-Z]+) (\S+) HTTP/[\d.]+(?:\x1b\[[\d;]*m)*" (\d{3})'
)


def chromium_available() -> bool:
    """Return True when Debian's Chromium is installed."""
    return Path(CHROMIUM).exists()


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ParallaxServer:
    """`parallax serve` on a seeded temporary database, with the requests it received."""

    def __init__(self, workdir: Path, site: FixtureSite) -> None:
        self.workdir = workdir
        self.site = site
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.requests: list[tuple[str, str]] = []  # (method, decoded path) in order
        self.raw_paths: list[str] = []  # the same paths as sent, for reading their queries
        self.responses: list[tuple[str, str, int]] = []  # (method, path, status)
        self.log: list[str] = []
        self.process: subprocess.Popen[str] | None = None
        self.reader: threading.Thread | None = None
        self.env = {
            **os.environ,
            "PARALLAX_DATABASE_URL": f"sqlite:///{workdir / 'e2e.sqlite'}",
            "PARALLAX_LOAD_STARTER_DATA": "false",
            "PARALLAX_RATE_LIMIT": "100000 per minute",
            # The tests read whole request lines to see what the extension sent: the full
            # log, which the default (private) never writes.
            "PARALLAX_ACCESS_LOG": "full",
            "PYTHONUNBUFFERED": "1",
        }

    def cli(self, *args: str) -> str:
        """Run a `parallax` command on the test database; fail with its output if it fails."""
        done = subprocess.run(
            [str(PARALLAX), *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        if done.returncode:
            raise RuntimeError(f"parallax {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def seed(self) -> None:
        """Migrate, import the fixture outlets and ingest the fixture articles."""
        outlets = self.workdir / "outlets.csv"
        outlets.write_text(outlets_csv(), encoding="utf-8")
        articles = self.workdir / "articles.jsonl"
        articles.write_text(articles_jsonl(self.site.base, self.site.now), encoding="utf-8")
        self.cli("db", "upgrade")
        self.cli("outlets", "import", str(outlets))
        self.cli("ingest", "file", str(articles))

    def start(self) -> ParallaxServer:
        """Serve on a free port and wait until the outlet index answers."""
        self.process = subprocess.Popen(
            [str(PARALLAX), "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.reader = threading.Thread(target=self._read_log, daemon=True)
        self.reader.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/api/v1/outlets/index", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError("parallax serve did not start:\n" + "\n".join(self.log[-30:]))
        self.requests.clear()
        self.responses.clear()
        self.raw_paths.clear()
        return self

    def _read_log(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.log.append(line.rstrip())
            match = _REQUEST_LINE.search(line)
            if match:
                # Decoded, so that tests read the same whichever server logged it.
                method, path = match.group(1), urllib.parse.unquote(match.group(2))
                self.responses.append((method, path, int(match.group(3))))
                self.requests.append((method, path))
                self.raw_paths.append(match.group(2))

    def get_json(self, path: str) -> Any:
        """GET a path of the API and return its JSON (the tests' own requests are not logged
        separately, so call this only where no assertion counts requests)."""
        with urllib.request.urlopen(self.base + path, timeout=10) as response:
            return json.load(response)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            # The reader stops at the end of the log; only then may the pipe be closed.
            if self.reader is not None:
                self.reader.join(timeout=10)
            if self.process.stdout is not None:
                self.process.stdout.close()


def build_extension(out: Path) -> Path:
    """Build the extension with its own build script; return the unpacked Chrome folder."""
    subprocess.run(
        ["node", str(ROOT / "extension" / "build.mjs"), "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out / "chrome"


def chromium_args(extension_dir: Path, extra: tuple[str, ...] = ()) -> list[str]:
    """Return the command-line switches for Chromium with only our extension loaded."""
    return [
        *extra,
        "--headless=new",
        f"--disable-extensions-except={extension_dir}",
        f"--load-extension={extension_dir}",
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-features=Translate,OptimizationHints,MediaRouter",
    ]


@contextmanager
def extension_browser(
    playwright: Any, extension_dir: Path, user_dir: Path, extra_args: tuple[str, ...] = ()
) -> Iterator[Any]:
    """Launch Chromium with the extension (and `extra_args`); yield (context, service_worker,
    extension_id)."""
    context = playwright.chromium.launch_persistent_context(
        str(user_dir),
        executable_path=CHROMIUM,
        headless=False,  # --headless=new below: the old headless mode cannot run extensions
        args=chromium_args(extension_dir, extra_args),
        viewport={"width": 1280, "height": 860},
        device_scale_factor=1,
    )
    try:
        worker = context.service_workers[0] if context.service_workers else None
        if worker is None:
            worker = context.wait_for_event("serviceworker", timeout=15000)
        extension_id = worker.url.split("/")[2]
        yield context, worker, extension_id
    finally:
        context.close()


def configure_server(context: Any, extension_id: str, server: str) -> None:
    """Point the extension at `server` through its options page, as a user would."""
    page = context.new_page()
    page.goto(f"chrome-extension://{extension_id}/options/options.html")
    page.fill("#server", server)
    page.click("#server-form button[type=submit]")
    page.wait_for_selector("#server-message.ok >> text=up to date", timeout=15000)
    page.close()


class TargetSession:
    """A DevTools session to a target Playwright has no page for (the toolbar popup).

    Attached through another page's session in non-flat mode: commands go out with
    Target.sendMessageToTarget and answers come back as events, which Playwright delivers while
    `via` waits (a plain sleep would not let them in).
    """

    def __init__(self, via: Any, url_suffix: str, timeout: float = 5.0) -> None:
        self.via = via
        self.cdp = via.context.new_cdp_session(via)
        self.replies: dict[int, dict[str, Any]] = {}
        self.next_id = 0
        deadline = time.monotonic() + timeout
        target = None
        while target is None and time.monotonic() < deadline:
            targets = self.cdp.send("Target.getTargets")["targetInfos"]
            target = next((t for t in targets if t["url"].endswith(url_suffix)), None)
            via.wait_for_timeout(50)
        if target is None:
            raise AssertionError(f"no target ending in {url_suffix}")
        attached = self.cdp.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": False}
        )
        self.session_id = attached["sessionId"]
        self.cdp.on("Target.receivedMessageFromTarget", self._receive)

    def _receive(self, event: dict[str, Any]) -> None:
        message = json.loads(event["message"])
        if "id" in message:
            self.replies[message["id"]] = message

    def send(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """Send a command to the target and return its result."""
        self.next_id += 1
        ident = self.next_id
        message = {"id": ident, "method": method, "params": params or {}}
        self.cdp.send(
            "Target.sendMessageToTarget",
            {"sessionId": self.session_id, "message": json.dumps(message)},
        )
        deadline = time.monotonic() + 5
        while ident not in self.replies:
            if time.monotonic() > deadline:
                raise AssertionError(f"{method}: no answer from the target")
            self.via.wait_for_timeout(20)
        reply = self.replies.pop(ident)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]


class Shadow:
    """Reads and clicks inside closed shadow roots through the DevTools protocol.

    A closed shadow root is invisible to page scripts and to Playwright's selectors, which is
    the point of it; DOM.getDocument with `pierce` still reaches it, as DevTools does.
    """

    def __init__(self, page: Any, cdp: Any = None) -> None:
        self.page = page
        self.cdp = cdp or page.context.new_cdp_session(page)

    def _roots(self, host_selector: str) -> list[int]:
        doc = self.cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})
        found: list[int] = []
        hosts = {
            n["nodeId"]
            for n in self._walk(doc["root"])
            if n.get("localName") == host_selector and n.get("shadowRoots")
        }
        for node in self._walk(doc["root"]):
            if node["nodeId"] in hosts:
                found.extend(root["nodeId"] for root in node["shadowRoots"])
        return found

    def _walk(self, node: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield node
        for child in [*node.get("children", []), *node.get("shadowRoots", [])]:
            yield from self._walk(child)
        if "contentDocument" in node:
            yield from self._walk(node["contentDocument"])

    def query_all(self, selector: str, host: str = "parallax-panel") -> list[int]:
        """Return the node ids matching `selector` inside every `host` element's shadow root."""
        ids: list[int] = []
        for root in self._roots(host):
            ids.extend(
                self.cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})[
                    "nodeIds"
                ]
            )
        return ids

    def call(self, node_id: int, function: str) -> Any:
        """Call `function` (JS source, `this` is the node) and return its JSON value."""
        obj = self.cdp.send("DOM.resolveNode", {"nodeId": node_id})["object"]
        result = self.cdp.send(
            "Runtime.callFunctionOn",
            {"objectId": obj["objectId"], "functionDeclaration": function, "returnByValue": True},
        )
        return result["result"].get("value")

    def each(self, selector: str, function: str, host: str = "parallax-panel") -> list[Any]:
        """Call `function` on each node matching `selector`. Node ids go stale when the panel
        re-renders between the query and the call; then the query is simply made again."""
        for attempt in range(5):
            try:
                return [self.call(n, function) for n in self.query_all(selector, host)]
            except Exception:  # playwright's Error: "No node with given id found"
                if attempt == 4:
                    raise
                time.sleep(0.1)
        return []

    def texts(self, selector: str, host: str = "parallax-panel") -> list[str]:
        """Return the text of each node matching `selector`."""
        return self.each(selector, "function () { return this.textContent; }", host)

    def attrs(self, selector: str, name: str, host: str = "parallax-panel") -> list[str | None]:
        """Return an attribute of each node matching `selector`."""
        fn = f"function () {{ return this.getAttribute({json.dumps(name)}); }}"
        return self.each(selector, fn, host)

    def click(self, selector: str, host: str = "parallax-panel") -> None:
        """Click the first match with the real mouse, at its centre."""
        node = self.query_all(selector, host)[0]
        self.call(node, "function () { this.scrollIntoView({ block: 'center' }); }")
        quad = self.cdp.send("DOM.getBoxModel", {"nodeId": node})["model"]["border"]
        x = sum(quad[0::2]) / 4
        y = sum(quad[1::2]) / 4
        self.page.mouse.click(x, y)

    def focus(self, selector: str, host: str = "parallax-panel") -> None:
        """Give the keyboard focus to the first match."""
        self.cdp.send("DOM.focus", {"nodeId": self.query_all(selector, host)[0]})

    def wait_for(self, selector: str, host: str = "parallax-panel", timeout: float = 5.0) -> None:
        """Wait until `selector` matches inside a shadow root."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.query_all(selector, host):
                    return
            except Exception:  # a shadow root replaced while we looked: look again
                pass
            time.sleep(0.05)
        raise AssertionError(f"{selector!r} never appeared inside <{host}>")
