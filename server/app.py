"""The application: ``create_app`` wires every part together; ``main`` is the console script.

``create_app`` builds the Flask application: settings, services, CORS, rate limits,
blueprints, error handlers and the command line. Nothing happens at import time. This is
the one module that knows every layer; see ARCHITECTURE.md for who may import whom.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import click
from flask import Flask, Response, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from . import api, cli, curation_api, errors, maintain, maintain_cli, pages, services, stories_cli
from . import config as settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app: defaults, then ``PARALLAX_*`` variables, then ``config``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(settings.DEFAULTS)
    app.config.update(settings.from_environment())
    if config:
        app.config.update(config)
    app.json.sort_keys = False  # type: ignore[attr-defined]

    services.init_app(app)
    errors.init_app(app)
    origins = [_origin(o) for o in str(app.config["CORS_ORIGINS"]).split(",") if o.strip()]
    CORS(app, resources={r"/api/*": {"origins": origins}}, vary_header=True)

    # Registered before the limiter: after-request hooks run last-registered first.
    @app.after_request
    def _retry_after_only_when_limited(response: Response) -> Response:
        # flask-limiter sends Retry-After on every answer; it only means something on a 429.
        if response.status_code != 429:
            response.headers.pop("Retry-After", None)
        return response

    limiter = Limiter(
        get_remote_address,
        app=app,
        default_limits=[app.config["RATE_LIMIT"]],
        storage_uri=app.config["RATE_LIMIT_STORAGE_URL"],
        key_prefix=app.config["RATE_LIMIT_KEY_PREFIX"],
        headers_enabled=True,
    )
    limiter.exempt(api.health)

    app.register_blueprint(api.bp)
    app.register_blueprint(api.health)
    app.register_blueprint(pages.bp)
    app.register_blueprint(curation_api.bp)
    maintain.init_app(app, limiter)  # /login, /maintain, /outlets/<slug>/history
    cli.init_app(app)
    maintain_cli.init_app(app)
    app.cli.add_command(serve)
    app.cli.add_command(stories_cli.stories)
    return app


def _origin(text: str) -> str | re.Pattern[str]:
    """Return an exact origin as is and a ``^…$`` pattern compiled."""
    text = text.strip()
    return re.compile(text) if text.startswith("^") else text


def main() -> None:
    """Run the ``parallax`` console script."""
    group = FlaskGroup(
        create_app=create_app,
        add_default_commands=False,
        add_version_option=False,
        load_dotenv=False,
        help="Parallax: outlet ratings, story matching and coverage.",
    )
    # The app is always ours: Flask's --app, --env-file and --debug would only confuse.
    group.params = [p for p in group.params if p.name not in {"app", "env_file", "debug"}]
    group.main()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
@with_appcontext
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Migrate, load starter data if the database is empty, and serve the app."""
    from gunicorn.app.base import BaseApplication

    click.echo(cli.prepare_database())
    services.get_services().engine.dispose()  # no connection may cross into the workers
    config = dict(current_app.config)

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", "-")

        def load(self) -> Flask:
            app = create_app(config)
            # Build the catalog and the story index before the first request, not during it.
            with app.app_context():
                ready = services.get_services(app)
                session = services.get_session()
                ready.catalog.get(session)
                ready.stories.index(session)
            return app

    click.echo(f"Parallax is serving on http://{host}:{port}/ (Ctrl+C stops it)")
    Server().run()
