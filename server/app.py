"""The application: ``create_app`` wires every part together; ``main`` is the console script.

``create_app`` builds the Flask application: settings, services, CORS, rate limits,
blueprints, error handlers and the command line. Nothing happens at import time. This is
the one module that knows every layer; see ARCHITECTURE.md for who may import whom.
"""

from __future__ import annotations

import gc
import json
import logging
import re
import socket
import sys
import time
from collections.abc import Mapping
from typing import Any

import click
import orjson
from flask import Flask, Response, current_app, g, request
from flask.cli import FlaskGroup, with_appcontext
from flask.json.provider import DefaultJSONProvider
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    api,
    cli,
    curation_api,
    errors,
    limiter,
    maintain,
    maintain_cli,
    pages,
    services,
    stories_cli,
)
from . import config as settings
from . import lookup as lookups
from .stories import WARM_ANSWERS


class FastJSON(DefaultJSONProvider):
    """Flask's JSON, encoded and parsed by orjson.

    A batch lookup's answer is a few hundred kilobytes; the standard library took 4.8 ms to
    encode it, orjson 0.6 ms (bench/load.py spent a fifth of a worker's time in
    ``json.encoder`` before). Dates, dataclasses and the rest orjson does not write itself
    go through Flask's own ``default``, so answers read as before; keys keep their order.
    Text orjson refuses (half a surrogate pair echoed from a request) is written by the
    standard library, and requests are still parsed by it: it drops such halves where orjson
    would refuse the whole body.
    """

    sort_keys = False
    _OPTIONS = (
        orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
    )

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if not set(kwargs) <= {"separators"}:  # indent (debug pretty-printing) and the like
            return super().dumps(obj, **kwargs)
        try:
            return orjson.dumps(obj, default=self.default, option=self._OPTIONS).decode()
        except orjson.JSONEncodeError:
            return super().dumps(obj, **kwargs)


GC_YOUNG_THRESHOLD = 10_000
"""Allocations between a serving worker's young collections (Python's default: 700).

Requests free what they make; what stays is the story answers cached as lookups come (23
objects a story). At the default, filling the cache of bench/load.py's 5,262 stories set off
a full collection every few seconds, 60-330 ms each with the worker stopped; at 10,000 a
full one needs a million objects kept, and a young one walks at most 100,000."""


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app: defaults, then ``PARALLAX_*`` variables, then ``config``."""
    app = Flask(__name__, instance_relative_config=True)
    app.json = FastJSON(app)
    app.config.from_mapping(settings.DEFAULTS)
    app.config.update(settings.from_environment())
    if config:
        app.config.update(config)

    hops = int(app.config["TRUSTED_PROXIES"])
    if hops < 0:
        raise ValueError(f"PARALLAX_TRUSTED_PROXIES must be 0 or more, not {hops}")
    if hops:
        # Behind N reverse proxies, the client's address, scheme and host are the ones the
        # proxies passed on (the last N X-Forwarded-* values); without a trusted proxy
        # these headers are anyone's to forge and are ignored.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )

    services.init_app(app)
    errors.init_app(app)
    origins = [_origin(o) for o in str(app.config["CORS_ORIGINS"]).split(",") if o.strip()]
    CORS(app, resources={r"/api/*": {"origins": origins}}, vary_header=True)

    _access_log(app)
    limiter.init_app(app)
    app.after_request(_security_headers)
    app.register_blueprint(api.bp)
    app.register_blueprint(api.health)
    app.register_blueprint(pages.bp)
    app.register_blueprint(curation_api.bp)
    maintain.init_app(app)  # /login, /maintain, /outlets/<slug>/history
    cli.init_app(app)
    maintain_cli.init_app(app)
    app.cli.add_command(serve)
    app.cli.add_command(stories_cli.stories)
    return app


def _origin(text: str) -> str | re.Pattern[str]:
    """Return an exact origin as is and a ``^…$`` pattern compiled."""
    text = text.strip()
    return re.compile(text) if text.startswith("^") else text


class _Commands(FlaskGroup):
    """Flask's command group without the commands other installed packages register.

    Any package in the environment may add a ``flask.commands`` entry point (Flask-Limiter
    added ``limiter``, which stays installed in an environment made before we dropped it):
    ``parallax --help`` lists only Parallax's commands.
    """

    def _load_plugin_commands(self) -> None:
        return


def main() -> None:
    """Run the ``parallax`` console script."""
    group = _Commands(
        create_app=create_app,
        add_default_commands=False,
        add_version_option=False,
        load_dotenv=False,
        help="Parallax: outlet ratings, story matching and coverage.",
    )
    # The app is always ours: Flask's --app, --env-file and --debug would only confuse.
    group.params = [p for p in group.params if p.name not in {"app", "env_file", "debug"}]
    group.main()


ACCESS_LOG = logging.getLogger("parallax.access")
MAX_REQUEST_LINE = 8190
"""Gunicorn's largest request line short of unlimited: a GET lookup with a long URL and
headline reaches the app, which says what is too long (400 problem+json)."""
SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
]
# The pages load their styles from /static only and run no script; nothing may frame them.
PAGE_HEADERS = [
    *SECURITY_HEADERS,
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'",
    ),
]
OTHER_HEADERS = [
    *SECURITY_HEADERS,
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
]


def _security_headers(response: Response) -> Response:
    """Add the security headers to every answer: a CSP, nosniff, Referrer-Policy; HSTS on https."""
    response.headers.extend(PAGE_HEADERS if response.mimetype == "text/html" else OTHER_HEADERS)
    if request.is_secure:  # over https, or behind a trusted proxy that says so
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def _access_log(app: Flask) -> None:
    """Log each request privately: method, route pattern, status and duration, nothing else.

    The lookup's query string is the reader's history (every URL and headline they read), so
    the private log (the default) never writes it, nor a path, only the route it matched.
    """
    mode = str(app.config["ACCESS_LOG"])
    if mode not in ("off", "private", "full"):
        raise ValueError(f"PARALLAX_ACCESS_LOG must be off, private or full, not {mode!r}")
    if mode != "private":
        return  # off: nothing; full: gunicorn's own log of whole request lines (serve)

    @app.before_request
    def _start_clock() -> None:
        g.access_started = time.perf_counter()

    @app.after_request
    def _log_access(response: Response) -> Response:
        rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
        started = g.get("access_started", time.perf_counter())
        ms = (time.perf_counter() - started) * 1000
        ACCESS_LOG.info("%s %s %s %.1fms", request.method, rule, response.status_code, ms)
        return response


def _write_problem(sock: socket.socket, status: int, reason: str, _message: str) -> None:
    """Answer a request gunicorn refused before the app saw it, as problem+json.

    Replaces gunicorn's HTML error page (``gunicorn.util.write_error``); its message is not
    echoed, since it may quote the request line, which is the reader's.
    """
    from gunicorn.util import write_nonblock

    details = {
        414: f"The request line is longer than {MAX_REQUEST_LINE} bytes. Send a long lookup "
        "as POST /api/v1/lookup with a JSON body.",
        431: "The request's headers are too large.",
    }
    detail = details.get(status, "The request could not be read as HTTP.")
    body = json.dumps({"type": "about:blank", "title": reason, "status": status, "detail": detail})
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    write_nonblock(sock, (head + body).encode("latin-1"))


def _port_taken(host: str, port: int) -> bool:
    """Return True when ``host:port`` cannot be bound (gunicorn would retry it five times)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes; each holds its own story index (README: memory per worker).",
)
@click.option(
    "--threads",
    default=4,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Threads per worker.",
)
@click.option(
    "--worker-class",
    default="gthread",
    show_default=True,
    type=click.Choice(["gthread", "sync"]),
    help="gthread: threads per worker; sync: one request at a time per worker.",
)
@click.option(
    "--timeout",
    default=30,
    show_default=True,
    type=click.IntRange(1, 3600),
    help="Seconds before a silent worker is restarted.",
)
@click.option(
    "--keepalive",
    default=2,
    show_default=True,
    type=click.IntRange(0, 300),
    help="Seconds an idle keep-alive connection is held open.",
)
@with_appcontext
def serve(
    host: str,
    port: int,
    workers: int,
    threads: int,
    worker_class: str,
    timeout: int,
    keepalive: int,
) -> None:
    """Migrate, load starter data if the database is empty, and serve the app (gunicorn).

    Slow clients hold a thread each for as long as they take to send their headers: put a
    buffering reverse proxy such as nginx in front (README, "Running it in production").
    """
    from gunicorn import util as gunicorn_util
    from gunicorn.app.base import BaseApplication

    if _port_taken(host, port):
        raise click.ClickException(
            f"port {port} on {host} is in use: stop what is using it or choose another with --port."
        )
    click.echo(cli.prepare_database())
    services.get_services().engine.dispose()  # no connection may cross into the workers
    config = dict(current_app.config)
    access = str(config["ACCESS_LOG"])
    # Gunicorn's HTML error page for requests it refuses itself, replaced by problem+json;
    # set in the master, so every worker forked from it has it.
    gunicorn_util.write_error = _write_problem

    def when_ready(_arbiter: object) -> None:
        click.echo(f"Parallax is serving on http://{host}:{port}/ (Ctrl+C stops it)")

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", worker_class)
            self.cfg.set("timeout", timeout)
            self.cfg.set("keepalive", keepalive)
            self.cfg.set("limit_request_line", MAX_REQUEST_LINE)
            self.cfg.set("accesslog", "-" if access == "full" else None)
            self.cfg.set("when_ready", when_ready)

        def load(self) -> Flask:
            if access == "private":
                handler = logging.StreamHandler(sys.stdout)
                handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
                ACCESS_LOG.addHandler(handler)
                ACCESS_LOG.setLevel(logging.INFO)
                ACCESS_LOG.propagate = False
            app = create_app(config)
            # Build the catalog, the story index and the latest stories' answers before the
            # first request, not during it.
            with app.app_context():
                ready = services.get_services(app)
                session = services.get_session()
                ready.catalog.get(session)
                ready.stories.index(session)
                lookups.warm_answers(ready, session, WARM_ANSWERS)
                ready.stories.keep_fresh(ready.sessions)
            # What is loaded now lives as long as the worker: out of the garbage collector's
            # reach, its full passes walk only what requests made since. Walking the 20k
            # index of bench/load.py took 230 ms a pass, every thread of the worker stopped,
            # and under load each worker made one every few seconds (bench/README.md).
            gc.freeze()
            gc.set_threshold(GC_YOUNG_THRESHOLD)
            return app

    Server().run()
