"""Real pages served at their own hosts: the extension's trimmed pages (extension/test/pages/,
always) and a few of the saved pages of ../shared (when it is there).

Chromium reaches them through `--host-resolver-rules`: each page's host is mapped to one local
server that answers by Host header and path, and every other host fails at once, so a saved
page's scripts and images cost no network. That server speaks only https, with a throwaway
self-signed certificate that Chromium is told to accept: several news hosts are on Chromium's
HSTS preload list (bbc.co.uk, theguardian.com, wsj.com), so an http address would be upgraded
anyway. Pages saved at http addresses are served at https; outlets are resolved by host and
path, so the scheme changes nothing the test checks.
"""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TRIMMED = ROOT / "extension" / "test" / "pages"
SHARED = ROOT.parent / "shared" / "data" / "real_pages_dev"
REFERENCE = ROOT / "extension" / "test" / "real-pages.expected.json"
# Saved pages of rated outlets (in the fixture site's outlets) and the outlet's badge label.
SHARED_PAGES = {
    "content__test_foxNews": "Right",
    "content__test_bbc_chinese": "Center",
    "content__test_issue115": "Lean right",
}


@dataclass(frozen=True)
class RealPage:
    """A page at its own address, with what the lookup must carry (absent: not checked)."""

    name: str
    url: str  # always https://, see the module docstring
    file: Path
    expected: dict[str, Any] = field(default_factory=dict)


def _https(url: str) -> str:
    """Return the address with https:// for http://."""
    return "https://" + url.split("://", 1)[1]


def certificate(folder: Path) -> ssl.SSLContext | None:
    """Return a server TLS context with a new self-signed certificate, or None without openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=parallax-e2e", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def trimmed_pages() -> list[RealPage]:
    """Return the extension's trimmed pages, as pages.json lists them."""
    listed = json.loads((TRIMMED / "pages.json").read_text("utf-8"))["pages"]
    return [
        RealPage(name, _https(entry["url"]), TRIMMED / name, entry)
        for name, entry in listed.items()
    ]


def shared_pages() -> list[RealPage]:
    """Return the saved pages of rated outlets from ../shared, or none when it is absent."""
    if not SHARED.is_dir():
        return []
    reference = json.loads(REFERENCE.read_text("utf-8"))["pages"]
    pages = []
    for stem in SHARED_PAGES:
        saved = json.loads((SHARED / f"{stem}.json").read_text("utf-8"))
        pages.append(RealPage(stem, _https(saved["url"]), SHARED / f"{stem}.html", reference[stem]))
    return pages


class PageHost:
    """One local HTTPS server answering for every page's host, by Host header and path."""

    def __init__(self, pages: list[RealPage], tls: ssl.SSLContext) -> None:
        self.pages = {self._key(page.url): page.file for page in pages}
        self.hosts = sorted({urllib.parse.urlsplit(page.url).hostname or "" for page in pages})
        files = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                host = (self.headers.get("Host") or "").split(":", 1)[0]
                file = files.get((host, self.path))
                if file is None:
                    self.send_error(404)
                    return
                data = file.read_bytes()
                self.send_response(200)
                # The saved pages are UTF-8, whatever their own meta says.
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @staticmethod
    def _key(url: str) -> tuple[str, str]:
        parts = urllib.parse.urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return parts.hostname or "", path

    def chromium_args(self) -> tuple[str, ...]:
        """Return Chromium's switches: our hosts resolve here, no other name resolves, and our
        certificate is accepted."""
        rules = ["EXCLUDE 127.0.0.1", "EXCLUDE localhost"]
        rules += [f"MAP {host} 127.0.0.1:{self.port}" for host in self.hosts]
        rules.append("MAP * ~NOTFOUND")
        return (f"--host-resolver-rules={', '.join(rules)}", "--ignore-certificate-errors")

    def start(self) -> PageHost:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
